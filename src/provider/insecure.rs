//! `insecure = true`: an HTTP client that accepts any server certificate (as hashicorp/aws's
//! `insecure`), for test endpoints with self-signed certificates. Handshake signatures are
//! still checked, so the connection is encrypted to whoever holds the certificate's key; only
//! who that is goes unverified. Never the default; the provider warns when it is on.
//! Like the SDK's own client it honours the connect timeout (TCP and TLS handshake) and the
//! read timeout (until the response head) of the calling client's configuration.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_sdk_ivschat::config::SharedHttpClient;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector, http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

type Https = hyper_rustls::HttpsConnector<TcpConnector>;

/// Why a connection or an answer did not come in time.
#[derive(Debug, thiserror::Error)]
#[error("{what} timed out after {limit:?}")]
struct TimedOut {
    what: &'static str,
    limit: Duration,
}

/// The HTTPS connector with a deadline on connecting (TCP connect and TLS handshake).
#[derive(Clone)]
struct ConnectWithin {
    inner: Https,
    limit: Option<Duration>,
}

type Connecting = Pin<
    Box<
        dyn Future<
                Output = Result<<Https as tower_service::Service<http::Uri>>::Response, BoxError>,
            > + Send,
    >,
>;

impl tower_service::Service<http::Uri> for ConnectWithin {
    type Response = <Https as tower_service::Service<http::Uri>>::Response;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Connecting {
        let connecting = self.inner.call(uri);
        let limit = self.limit;
        Box::pin(async move {
            match limit {
                None => connecting.await,
                Some(limit) => {
                    tokio::time::timeout(limit, connecting)
                        .await
                        .map_err(|_| -> BoxError {
                            Box::new(TimedOut {
                                what: "connecting",
                                limit,
                            })
                        })?
                }
            }
        })
    }
}

struct InsecureConnector {
    client: Client<ConnectWithin, SdkBody>,
    read_timeout: Option<Duration>,
}

impl fmt::Debug for InsecureConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InsecureConnector")
    }
}

fn connector_error(e: hyper_util::client::legacy::Error) -> ConnectorError {
    if std::error::Error::source(&e).is_some_and(|s| s.is::<TimedOut>()) {
        ConnectorError::timeout(e.into())
    } else if e.is_connect() {
        ConnectorError::io(e.into())
    } else {
        ConnectorError::other(
            e.into(),
            Some(aws_smithy_types::retry::ErrorKind::TransientError),
        )
    }
}

impl HttpConnector for InsecureConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(e.into()))?;
            let answer = client.request(request);
            let response = match read_timeout {
                None => answer.await,
                Some(limit) => tokio::time::timeout(limit, answer).await.map_err(|_| {
                    ConnectorError::timeout(Box::new(TimedOut {
                        what: "waiting for the answer",
                        limit,
                    }))
                })?,
            }
            .map_err(connector_error)?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Connect and read timeouts.
type TimeoutPair = (Option<Duration>, Option<Duration>);

/// An HTTP(S) client that does not verify server certificates.
pub(super) fn client() -> Result<SharedHttpClient, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    // One connector (and connection pool) per distinct pair of timeouts, as the SDK's client.
    let connectors: Mutex<HashMap<TimeoutPair, SharedHttpConnector>> = Mutex::default();
    Ok(http_client_fn(
        move |settings: &HttpConnectorSettings, _| {
            let key = (settings.connect_timeout(), settings.read_timeout());
            let mut connectors = connectors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            connectors
                .entry(key)
                .or_insert_with(|| {
                    let connect = ConnectWithin {
                        inner: https.clone(),
                        limit: key.0,
                    };
                    SharedHttpConnector::new(InsecureConnector {
                        client: Client::builder(TokioExecutor::new())
                            .pool_timer(TokioTimer::new())
                            .build(connect),
                        read_timeout: key.1,
                    })
                })
                .clone()
        },
    ))
}

#[cfg(test)]
mod tests {
    use aws_credential_types::Credentials;
    use aws_sdk_ivschat::config::timeout::TimeoutConfig;
    use aws_sdk_ivschat::error::SdkError;

    use super::*;
    use crate::provider::tests::fake_network::tls_front;

    /// Accepts connections and never answers on them.
    async fn silent_server() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        addr
    }

    /// ListRooms through the insecure client; `Err` with the SDK error's description.
    async fn list_rooms(endpoint: String, timeouts: TimeoutConfig) -> Result<(), String> {
        let conf = aws_sdk_ivschat::Config::builder()
            .behavior_version(aws_sdk_ivschat::config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .retry_config(aws_sdk_ivschat::config::retry::RetryConfig::disabled())
            .timeout_config(timeouts)
            .endpoint_url(endpoint)
            .http_client(client().unwrap())
            .build();
        let call = aws_sdk_ivschat::Client::from_conf(conf).list_rooms().send();
        // The outer deadline only catches a hang; the timeouts under test are far shorter.
        match tokio::time::timeout(Duration::from_secs(10), call).await {
            Err(_) => panic!("the insecure client ignored its timeouts"),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(SdkError::DispatchFailure(e))) if e.is_timeout() => Err("timeout".into()),
            Ok(Err(e)) => Err(format!("{e:?}")),
        }
    }

    #[tokio::test]
    async fn the_connect_and_read_timeouts_are_kept() {
        let short = Duration::from_millis(300);
        // TCP connects, the TLS handshake never completes: the connect timeout covers it.
        let silent = silent_server().await;
        let connect_only = TimeoutConfig::builder().connect_timeout(short).build();
        assert_eq!(
            list_rooms(format!("https://localhost:{}", silent.port()), connect_only).await,
            Err("timeout".to_owned())
        );
        // TLS completes (self-signed, accepted), the answer never comes: the read timeout.
        let dir = tempfile::tempdir().unwrap();
        let port = tls_front(silent, &dir.path().join("ca.pem")).await;
        let read_only = TimeoutConfig::builder().read_timeout(short).build();
        assert_eq!(
            list_rooms(format!("https://localhost:{port}"), read_only).await,
            Err("timeout".to_owned())
        );
        // And a server that answers is reached through the same client.
        let emulator = ivschat_local::start(ivschat_local::Config::default())
            .await
            .unwrap();
        let port = tls_front(emulator.local_addr(), &dir.path().join("ca2.pem")).await;
        let both = TimeoutConfig::builder()
            .connect_timeout(short)
            .read_timeout(Duration::from_secs(5))
            .build();
        list_rooms(format!("https://localhost:{port}"), both)
            .await
            .unwrap();
        emulator.shutdown().await;
    }
}
