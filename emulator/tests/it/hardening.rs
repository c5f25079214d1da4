//! Hardening (issue 14, part 6): admin routes authenticated like the API, only served
//! regions, a state file written privately and read strictly.

use crate::common;

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use common::*;
use ivschat_local::{Config, Credentials, Error, IVSCHAT_REGIONS};
use std::time::SystemTime;

fn with_credentials() -> Config {
    Config {
        credentials: Some(Credentials {
            access_key_id: AKID.into(),
            secret_access_key: SECRET.into(),
        }),
        ..test_config()
    }
}

/// Sends `method url` with `body`, SigV4-signed for service `ivschat` with `secret`.
async fn signed(method: &str, url: &str, body: &str, secret: &str) -> reqwest::Response {
    let identity: Identity = AwsCredentials::new(AKID, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ivschat")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let content_type = ("content-type", "application/json");
    let request = SignableRequest::new(
        method,
        url,
        std::iter::once(content_type),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .header(content_type.0, content_type.1)
        .body(body.to_owned());
    for (name, value) in instructions.headers() {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

fn error_type(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-amzn-ErrorType")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn admin_routes_need_the_api_signature_when_credentials_are_configured() {
    let (emu, _) = start(with_credentials()).await;
    let base = emu.endpoint();
    let http = reqwest::Client::new();
    for (method, path, body) in [
        ("GET", "/_emulator/state", ""),
        ("GET", "/_emulator/health", ""),
        ("POST", "/_emulator/reset", ""),
        ("POST", "/_emulator/faults", r#"{"throttleRate":1.0}"#),
    ] {
        let url = format!("{base}{path}");
        let unsigned = http
            .request(method.parse().unwrap(), &url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status(), 403, "{method} {path}");
        assert_eq!(error_type(&unsigned), "MissingAuthenticationTokenException");
        let wrong = signed(method, &url, body, "not-the-secret").await;
        assert_eq!(wrong.status(), 403, "{method} {path}");
        assert_eq!(error_type(&wrong), "InvalidSignatureException");
    }
    // Nothing above took effect: the faults are still off.
    assert_eq!(emu.handle().faults().throttle_rate, 0.0);
    let ok = signed("GET", &format!("{base}/_emulator/state"), "", SECRET).await;
    assert_eq!(ok.status(), 200);
    let ok = signed(
        "POST",
        &format!("{base}/_emulator/faults"),
        r#"{"latencyMs":1}"#,
        SECRET,
    )
    .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(emu.handle().faults().latency.as_millis(), 1);
}

#[tokio::test]
async fn requests_for_regions_without_ivs_chat_are_refused() {
    let (emu, _) = start(test_config()).await;
    let cape_town = client_with(&emu.endpoint(), "af-south-1", AKID, SECRET).await;
    let err = cape_town.create_room().send().await.unwrap_err();
    assert_eq!(code_status(&err), ("InvalidSignatureException".into(), 403));
    let message = format!("{:?}", err.into_service_error());
    assert!(message.contains("af-south-1") && message.contains("eu-west-1"));
    assert!(emu.handle().rooms().is_empty());
    for region in IVSCHAT_REGIONS {
        let c = client_with(&emu.endpoint(), region, AKID, SECRET).await;
        c.create_room().send().await.unwrap();
    }
    assert_eq!(emu.handle().rooms().len(), IVSCHAT_REGIONS.len());

    // --regions widens (or narrows) the list; the default region must be in it.
    let (emu, _) = start(Config {
        regions: vec!["us-east-1".into(), "af-south-1".into()],
        ..test_config()
    })
    .await;
    let cape_town = client_with(&emu.endpoint(), "af-south-1", AKID, SECRET).await;
    cape_town.create_room().send().await.unwrap();
    let oregon = client_with(&emu.endpoint(), "us-west-2", AKID, SECRET).await;
    assert!(oregon.create_room().send().await.is_err());
    let bad = ivschat_local::start(Config {
        region: "us-west-2".into(),
        regions: vec!["us-east-1".into()],
        ..test_config()
    })
    .await;
    assert!(matches!(bad, Err(Error::Config(m)) if m.contains("us-west-2")));
}

#[cfg(unix)]
#[tokio::test]
async fn state_file_is_private_and_never_written_through_a_planted_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    // The temporary name the writer used to pick (predictable from the pid).
    let old_tmp = dir
        .path()
        .join(format!(".state.json.tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();

    let (emu, c) = start(Config {
        state_file: Some(state.clone()),
        ..test_config()
    })
    .await;
    c.create_room().name("kept").send().await.unwrap();
    emu.shutdown().await;

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["rooms"][0]["name"], "kept");
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "state file mode {mode:o}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") && !n.ends_with(&std::process::id().to_string()))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[tokio::test]
async fn state_file_with_another_format_or_a_malformed_token_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = "ab".repeat(32);
    let cases = [
        (2, key.clone(), "format 2"),
        (1, "not-hex".to_owned(), "tokenKey"),
        (1, "abcd".to_owned(), "tokenKey"),
    ];
    for (format, token_key, want) in cases {
        let path = dir.path().join("state.json");
        let body = serde_json::json!({
            "format": format, "seq": 0, "tokenKey": token_key,
            "rooms": [], "loggingConfigurations": [],
        });
        std::fs::write(&path, body.to_string()).unwrap();
        let started = ivschat_local::start(Config {
            state_file: Some(path),
            ..test_config()
        })
        .await;
        match started {
            Err(Error::StateFileInvalid { reason, .. }) => {
                assert!(reason.contains(want), "{reason}")
            }
            Err(other) => panic!("{format} {token_key}: {other}"),
            Ok(_) => panic!("{format} {token_key}: started"),
        }
    }
    // The well-formed file loads.
    let path = dir.path().join("good.json");
    let body = serde_json::json!({
        "format": 1, "seq": 0, "tokenKey": key, "rooms": [], "loggingConfigurations": [],
    });
    std::fs::write(&path, body.to_string()).unwrap();
    let running = ivschat_local::start(Config {
        state_file: Some(path),
        ..test_config()
    })
    .await
    .unwrap();
    running.shutdown().await;
}
