//! Helpers shared by the integration tests: start an emulator, build a real SDK client.
#![allow(dead_code)]

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_credential_types::Credentials;
use aws_sdk_ivschat::Client;
use ivschat_local::{Config, QuotaMode, Running};
use std::time::Duration;

pub const AKID: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A config for tests: free port, no rate quotas, short settle time.
pub fn test_config() -> Config {
    Config {
        quotas: QuotaMode::Off,
        logging_settle: Duration::from_millis(100),
        ..Config::default()
    }
}

pub async fn client_with(endpoint: &str, region: &str, akid: &str, secret: &str) -> Client {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(akid, secret, None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    Client::new(&conf)
}

pub async fn client(running: &Running) -> Client {
    client_with(&running.endpoint(), "us-east-1", AKID, SECRET).await
}

pub async fn start(config: Config) -> (Running, Client) {
    let running = ivschat_local::start(config).await.expect("emulator starts");
    let c = client(&running).await;
    (running, c)
}

/// Error code (x-amzn-errortype) and HTTP status of a service error.
pub fn code_status<E>(
    err: &aws_sdk_ivschat::error::SdkError<E, aws_sdk_ivschat::config::http::HttpResponse>,
) -> (String, u16)
where
    E: aws_sdk_ivschat::error::ProvideErrorMetadata + std::fmt::Debug,
{
    use aws_sdk_ivschat::error::SdkError;
    match err {
        SdkError::ServiceError(se) => (
            se.err().code().unwrap_or_default().to_owned(),
            se.raw().status().as_u16(),
        ),
        other => panic!("expected a service error, got {other:?}"),
    }
}
