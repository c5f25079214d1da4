use std::collections::BTreeMap;

/// Loopback stand-ins for the network (proxy, STS, TLS terminator), for these tests and the
/// HTTP settings' tests beside them.
pub(super) mod fake_network;

use super::*;
use crate::aws::{ApiError, Operation};
use crate::registration::IvschatProvider;
use crate::server::Provider;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn block(pairs: Vec<(&str, Value)>) -> Value {
    Value::List(vec![obj(pairs)])
}

fn validate(config: Value) -> Diagnostics {
    let provider = IvschatProvider;
    let schema = provider.schema();
    let mut diags = crate::server::validate::validate(&schema.block, &config);
    provider.validate(&config, &mut diags);
    diags
}

fn errors_at(diags: &Diagnostics) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .map(|d| d.path.as_ref().map(ToString::to_string).unwrap_or_default())
        .collect()
}

#[test]
fn invalid_configuration_is_pointed_at_the_attribute() {
    let d = validate(obj(vec![("region", Value::string("useast1"))]));
    assert_eq!(errors_at(&d), vec!["region"]);
    // skip_region_validation allows emulator region names.
    let d = validate(obj(vec![
        ("region", Value::string("local")),
        ("skip_region_validation", Value::Bool(true)),
    ]));
    assert!(!d.has_errors(), "{d}");
    let d = validate(obj(vec![("sts_region", Value::string("global"))]));
    assert_eq!(errors_at(&d), vec!["sts_region"]);
    let d = validate(obj(vec![("access_key", Value::string("AKID"))]));
    assert_eq!(errors_at(&d), vec!["secret_key"]);
    let d = validate(obj(vec![("secret_key", Value::string("s"))]));
    assert_eq!(errors_at(&d), vec!["access_key"]);
    let d = validate(obj(vec![("token", Value::string("t"))]));
    assert_eq!(errors_at(&d), vec!["token"]);
    let d = validate(obj(vec![(
        "endpoints",
        block(vec![("ivschat", Value::string("localhost:4566"))]),
    )]));
    assert_eq!(errors_at(&d), vec!["endpoints[0].ivschat"]);
    let d = validate(obj(vec![("retry_mode", Value::string("fast"))]));
    assert_eq!(errors_at(&d), vec!["retry_mode"]);
    let d = validate(obj(vec![("max_retries", Value::int(-1))]));
    assert_eq!(errors_at(&d), vec!["max_retries"]);
    let d = validate(obj(vec![("https_proxy", Value::string("proxy:3128"))]));
    assert_eq!(errors_at(&d), vec!["https_proxy"]);
    let d = validate(obj(vec![(
        "assume_role",
        Value::List(vec![
            obj(vec![
                ("role_arn", Value::string("arn:aws:iam::1:role/ok")),
                ("duration", Value::string("1h")),
            ]),
            obj(vec![
                ("role_arn", Value::string("role")),
                ("duration", Value::string("5m")),
            ]),
        ]),
    )]));
    assert_eq!(
        errors_at(&d),
        vec!["assume_role[1].duration", "assume_role[1].role_arn"]
    );
    let d = validate(obj(vec![(
        "assume_role_with_web_identity",
        block(vec![("role_arn", Value::string("arn:aws:iam::1:role/x"))]),
    )]));
    assert_eq!(errors_at(&d), vec!["assume_role_with_web_identity[0]"]);
    let d = validate(obj(vec![(
        "rate_limits",
        block(vec![("room", Value::int(0))]),
    )]));
    assert_eq!(errors_at(&d), vec!["rate_limits[0].room"]);
    let d = validate(obj(vec![(
        "default_tags",
        block(vec![(
            "tags",
            Value::Map(BTreeMap::from([("aws:x".to_owned(), Value::string("1"))])),
        )]),
    )]));
    assert_eq!(errors_at(&d), vec!["default_tags[0].tags"]);
}

#[test]
fn warnings_for_ignored_or_risky_settings() {
    let d = validate(obj(vec![
        ("profile", Value::string("dev")),
        ("access_key", Value::string("AKID")),
        ("secret_key", Value::string("s")),
        ("insecure", Value::Bool(true)),
        ("rate_limits", block(vec![("room", Value::int(50))])),
    ]));
    assert!(!d.has_errors(), "{d}");
    let warned: Vec<String> = d
        .iter()
        .filter_map(|d| d.path.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(warned, vec!["profile", "insecure", "rate_limits[0].room"]);
}

#[test]
fn unknown_values_are_not_validated_yet() {
    let d = validate(obj(vec![
        ("region", Value::unknown()),
        ("access_key", Value::unknown()),
        ("secret_key", Value::string("s")),
        ("endpoints", block(vec![("ivschat", Value::unknown())])),
    ]));
    assert!(!d.has_errors(), "{d}");
}

#[test]
fn hashicorp_aws_skip_flags_are_accepted() {
    let d = validate(obj(vec![
        ("region", Value::string("us-east-1")),
        ("skip_credentials_validation", Value::Bool(true)),
        ("skip_requesting_account_id", Value::Bool(true)),
        ("skip_metadata_api_check", Value::string("true")),
        ("skip_region_validation", Value::Bool(true)),
    ]));
    assert!(d.is_empty(), "{d}");
}

fn emulator_config(endpoint: &str) -> ProviderConfig {
    ProviderConfig::from_value(&obj(vec![
        ("region", Value::string("us-east-1")),
        ("access_key", Value::string("AKIDTEST")),
        ("secret_key", Value::string("secret")),
        (
            "endpoints",
            block(vec![("ivschat", Value::string(endpoint))]),
        ),
    ]))
}

#[tokio::test]
async fn configure_is_instant_and_offline_and_clients_are_cached_per_region() {
    // An endpoint nothing listens on: configuring and building clients never calls it.
    let started = std::time::Instant::now();
    let data =
        ProviderData::from_config(&emulator_config("http://127.0.0.1:9"), &Env::default()).unwrap();
    let a = data.client(None).unwrap();
    let b = data.client(Some("us-east-1")).unwrap();
    let c = data.client(Some("eu-west-1")).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_millis(500));
    assert_eq!(a.region(), "us-east-1");
    assert_eq!(c.region(), "eu-west-1");
    assert!(a.is_same_client(&b));
    assert!(!a.is_same_client(&c));
    assert_eq!(
        data.endpoint(),
        Some(("http://127.0.0.1:9", EndpointSource::ProviderBlock))
    );
    assert_eq!(data.region().unwrap(), "us-east-1");
}

#[tokio::test]
async fn unknown_provider_configuration_gives_a_clear_error_not_a_wrong_client() {
    let cfg = ProviderConfig::from_value(&obj(vec![
        ("region", Value::unknown()),
        ("endpoints", block(vec![("ivschat", Value::unknown())])),
    ]));
    let data = ProviderData::from_config(&cfg, &Env::default()).unwrap();
    assert_eq!(data.region_setting(), Setting::Unknown);
    assert!(data.configuration_pending());
    let err = data.client(Some("us-east-1")).unwrap_err();
    assert_eq!(err.summary, "Provider Configuration Not Known Yet");
    assert!(err.detail.contains("endpoints"), "{}", err.detail);
    let err = data.region().unwrap_err();
    assert!(err.detail.contains("region"));
    // Unknown credentials alone, too.
    let cfg = ProviderConfig::from_value(&obj(vec![
        ("region", Value::string("us-east-1")),
        ("access_key", Value::unknown()),
        ("secret_key", Value::string("s")),
    ]));
    let data = ProviderData::from_config(&cfg, &Env::default()).unwrap();
    assert!(
        data.client(None)
            .unwrap_err()
            .detail
            .contains("credentials")
    );
}

#[tokio::test]
async fn missing_region_is_reported_when_a_client_is_needed() {
    let data = ProviderData::from_config(
        &ProviderConfig::default(),
        &Env::from_pairs([("HOME", "/nonexistent")]),
    )
    .unwrap();
    assert_eq!(data.region_setting(), Setting::Unset);
    assert_eq!(data.client(None).unwrap_err().summary, "Missing AWS Region");
    // A resource's own region is enough.
    assert_eq!(
        data.client(Some("ap-northeast-1")).unwrap().region(),
        "ap-northeast-1"
    );
}

#[tokio::test]
async fn retry_and_rate_settings_come_from_config_then_env() {
    let cfg = ProviderConfig::from_value(&obj(vec![
        ("max_retries", Value::int(2)),
        ("retry_mode", Value::string("standard")),
        ("rate_limits", block(vec![("room", Value::int(4))])),
    ]));
    let data = ProviderData::from_config(&cfg, &Env::default()).unwrap();
    assert_eq!(data.retry_policy().max_retries, 2);
    assert!(!data.retry_policy().adaptive);
    assert_eq!(data.pacer().rates().rate(Operation::GetRoom.lane()), 4.0);
    let env = Env::from_pairs([("AWS_MAX_ATTEMPTS", "4"), ("AWS_RETRY_MODE", "adaptive")]);
    let data = ProviderData::from_config(&ProviderConfig::default(), &env).unwrap();
    assert_eq!(data.retry_policy().max_retries, 3);
    assert!(data.retry_policy().adaptive);
    let data = ProviderData::from_config(&ProviderConfig::default(), &Env::default()).unwrap();
    assert_eq!(data.retry_policy().max_retries, 25);
}

#[tokio::test]
async fn an_unreadable_ca_bundle_is_an_error_at_the_attribute() {
    let cfg = ProviderConfig::from_value(&obj(vec![(
        "custom_ca_bundle",
        Value::string("/nonexistent/ca.pem"),
    )]));
    let diags = ProviderData::from_config(&cfg, &Env::default()).unwrap_err();
    assert_eq!(errors_at(&diags), vec!["custom_ca_bundle"]);
}

#[tokio::test]
async fn default_tags_are_exposed_known_and_as_sent() {
    let cfg = ProviderConfig::from_value(&obj(vec![(
        "default_tags",
        block(vec![(
            "tags",
            Value::Map(BTreeMap::from([
                ("env".to_owned(), Value::string("prod")),
                ("x".to_owned(), Value::unknown()),
            ])),
        )]),
    )]));
    let data = ProviderData::from_config(&cfg, &Env::default()).unwrap();
    assert_eq!(
        data.default_tags().get("env").map(String::as_str),
        Some("prod")
    );
    assert!(data.default_tags_value().entries().unwrap()["x"].is_unknown());
}

#[test]
fn the_provider_serves_the_resources_and_data_sources() {
    let p = IvschatProvider;
    assert_eq!(p.type_prefix(), "ivschat");
    assert!(!p.resources().is_empty());
    assert!(!p.data_sources().is_empty());
}

#[tokio::test]
async fn a_profile_named_in_the_block_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile dev]\nregion = eu-west-1\n").unwrap();
    let files = Value::List(vec![Value::string(config.to_str().unwrap())]);
    let cfg = ProviderConfig::from_value(&obj(vec![
        ("profile", Value::string("prod")),
        ("shared_config_files", files.clone()),
    ]));
    let diags = ProviderData::from_config(&cfg, &Env::default()).unwrap_err();
    assert_eq!(errors_at(&diags), vec!["profile"]);
    let cfg = ProviderConfig::from_value(&obj(vec![
        ("profile", Value::string("dev")),
        ("shared_config_files", files),
    ]));
    let data = ProviderData::from_config(&cfg, &Env::default()).unwrap();
    assert_eq!(data.region().unwrap(), "eu-west-1");
    assert!(!data.configuration_pending());
}

/// Files the old provider wrote literal web identity tokens to, for this process.
fn token_files_of_this_process() -> Vec<std::path::PathBuf> {
    let prefix = format!("ivschat-provider-web-identity-{}-", std::process::id());
    std::fs::read_dir(std::env::temp_dir())
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sts_config(sts: &str, ivschat: &str, extra: Vec<(&str, Value)>) -> ProviderConfig {
    let mut pairs = vec![
        ("region", Value::string("us-east-1")),
        ("access_key", Value::string("AKIDBASE")),
        ("secret_key", Value::string("secret")),
        ("max_retries", Value::int(0)),
        (
            "assume_role",
            Value::List(vec![obj(vec![(
                "role_arn",
                Value::string("arn:aws:iam::123456789012:role/second"),
            )])]),
        ),
        (
            "endpoints",
            block(vec![
                ("ivschat", Value::string(ivschat)),
                ("sts", Value::string(sts)),
            ]),
        ),
    ];
    pairs.extend(extra);
    ProviderConfig::from_value(&obj(pairs))
}

async fn list_rooms(cfg: &ProviderConfig) -> Result<(), ApiError> {
    let data = ProviderData::from_config(cfg, &Env::default()).unwrap();
    data.client(None)
        .unwrap()
        .call(Operation::ListRooms, |c| c.list_rooms().send())
        .await
        .map(|_| ())
}

#[tokio::test]
async fn sts_calls_go_through_the_proxy_to_endpoints_sts_with_the_token_in_memory() {
    use fake_network::{FakeSts, RecordingProxy};
    let emulator = ivschat_local::start(ivschat_local::Config::default())
        .await
        .unwrap();
    let sts = FakeSts::start().await;
    let proxy = RecordingProxy::start().await;
    let cfg = sts_config(
        &sts.url(),
        &emulator.endpoint(),
        vec![
            ("http_proxy", Value::string(proxy.url())),
            (
                "assume_role_with_web_identity",
                block(vec![
                    (
                        "role_arn",
                        Value::string("arn:aws:iam::123456789012:role/web"),
                    ),
                    ("web_identity_token", Value::string("literal-oidc-token")),
                ]),
            ),
        ],
    );
    list_rooms(&cfg).await.unwrap();
    // Web identity first (its credentials replace the static keys), then the role chain, then
    // IVS Chat: all three through the proxy, STS at endpoints.sts.
    let lines = proxy.request_lines();
    let to_sts = format!("POST http://{}/", sts.addr);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with(&to_sts), "{lines:?}");
    assert!(lines[1].starts_with(&to_sts), "{lines:?}");
    assert!(lines[2].contains("/ListRooms"), "{lines:?}");
    let bodies = sts.bodies();
    assert!(
        bodies[0].contains("Action=AssumeRoleWithWebIdentity")
            && bodies[0].contains("WebIdentityToken=literal-oidc-token"),
        "{bodies:?}"
    );
    assert!(
        bodies[1].contains("Action=AssumeRole&") && bodies[1].contains("role%2Fsecond"),
        "{bodies:?}"
    );
    // The literal token never touched the disk.
    assert_eq!(
        token_files_of_this_process(),
        Vec::<std::path::PathBuf>::new()
    );
    // A token file is read (and trimmed) at call time.
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "token-from-file\n").unwrap();
    let cfg = sts_config(
        &sts.url(),
        &emulator.endpoint(),
        vec![(
            "assume_role_with_web_identity",
            block(vec![
                (
                    "role_arn",
                    Value::string("arn:aws:iam::123456789012:role/web"),
                ),
                (
                    "web_identity_token_file",
                    Value::string(token_file.to_str().unwrap()),
                ),
            ]),
        )],
    );
    list_rooms(&cfg).await.unwrap();
    assert!(
        sts.bodies()[2].ends_with("WebIdentityToken=token-from-file"),
        "{:?}",
        sts.bodies()
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn sts_over_tls_is_verified_with_the_ca_bundle_or_not_at_all_with_insecure() {
    use fake_network::{FakeSts, tls_front};
    let emulator = ivschat_local::start(ivschat_local::Config::default())
        .await
        .unwrap();
    let sts = FakeSts::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("ca.pem");
    let port = tls_front(sts.addr, &pem).await;
    let sts_url = format!("https://localhost:{port}");
    // The system roots do not trust the fake STS: the role cannot be assumed.
    let err = list_rooms(&sts_config(&sts_url, &emulator.endpoint(), vec![]))
        .await
        .unwrap_err();
    assert!(sts.bodies().is_empty(), "{err:?}");
    // The CA bundle that trusts it is used for STS as for IVS Chat...
    let with_ca = vec![("custom_ca_bundle", Value::string(pem.to_str().unwrap()))];
    list_rooms(&sts_config(&sts_url, &emulator.endpoint(), with_ca))
        .await
        .unwrap();
    assert_eq!(sts.bodies().len(), 1);
    // ...and so is insecure.
    let insecure = vec![("insecure", Value::Bool(true))];
    list_rooms(&sts_config(&sts_url, &emulator.endpoint(), insecure))
        .await
        .unwrap();
    assert_eq!(sts.bodies().len(), 2);
    emulator.shutdown().await;
}
