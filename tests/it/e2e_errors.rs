//! The errors a first-time user meets (issue 18), through real Terraform: each class of failure
//! gives a sentence that says what failed, why, and which setting to change and where its value
//! came from; no diagnostic shows a Rust `Debug` rendering of an SDK, hyper or rustls error.
//!
//! Classes: emulator faults (throttling past the retry budget), a refused port, a port that
//! accepts but never answers, a TLS endpoint with an untrusted certificate, a host name that does
//! not resolve, a region without IVS Chat (plan-time warning, then the apply error), wrong keys
//! (ivschat-local checking SigV4), no credentials at all (empty HOME, IMDS disabled), a refusing
//! proxy, and an expired session token. ivschat-local cannot model expired session tokens, so
//! that answer comes from a one-response HTTP server in this file.
//!
//! Cost: every case but the silent port runs on both pinned Terraform versions, about 1-3 s each
//! (one `terraform apply -json` against loopback; the refused port adds ~2 s of quick connect
//! retries). The silent port waits for the provider's 10 s connect timeout, so it runs on
//! Terraform 1.15.5 only: the diagnostic takes the same path on 1.0.3 as every other case here.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use support::{Emulator, Terraform, TfOutput, TfWorkdir, required_providers_hcl, terraform_test};

/// Rust `Debug` fragments of SDK, hyper and rustls errors that must never reach a user.
const DEBUG_FRAGMENTS: &[&str] = &["DispatchFailure", "ConnectorError", "{ source:", "_private"];

const ROOM: &str = "resource \"ivschat_room\" \"r\" {\n  name = \"lobby\"\n}\n";

/// One diagnostic of `terraform ... -json`.
#[derive(Debug)]
struct Diag {
    severity: String,
    summary: String,
    detail: String,
}

fn diagnostics(out: &TfOutput) -> Vec<Diag> {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "diagnostic")
        .map(|v| Diag {
            severity: v["diagnostic"]["severity"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            summary: v["diagnostic"]["summary"].as_str().unwrap_or("").to_owned(),
            detail: v["diagnostic"]["detail"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}

fn apply(wd: &TfWorkdir) -> TfOutput {
    wd.run([
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-json",
    ])
}

/// The one error of a failed apply, after checking that no output carries Debug fragments.
fn the_error(out: &TfOutput) -> Diag {
    assert!(!out.success(), "apply should have failed:\n{}", out.dump());
    for fragment in DEBUG_FRAGMENTS {
        assert!(
            !out.stdout.contains(fragment) && !out.stderr.contains(fragment),
            "{fragment:?} in the output:\n{}",
            out.dump()
        );
    }
    let mut errors: Vec<Diag> = diagnostics(out)
        .into_iter()
        .filter(|d| d.severity == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}\n{}", out.dump());
    errors.remove(0)
}

fn assert_says(d: &Diag, summary: &str, phrases: &[&str]) {
    assert_eq!(d.summary, summary, "{d:#?}");
    for p in phrases {
        assert!(d.detail.contains(p), "no {p:?} in {d:#?}");
    }
}

/// A provider block with static keys, `region` and `extra` (no endpoint unless `extra` has one).
fn provider(region: &str, extra: &str) -> String {
    format!(
        "{}\nprovider \"ivschat\" {{\n  region     = \"{region}\"\n  access_key = \"test\"\n  secret_key = \"test\"\n{extra}}}\n{ROOM}",
        required_providers_hcl()
    )
}

fn endpoint_block(url: &str) -> String {
    format!("  endpoints {{\n    ivschat = \"{url}\"\n  }}\n")
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

terraform_test!(throttling_past_the_retry_budget_names_max_retries, |tf| {
    let emulator = support::start_emulator_with(ivschat_local::Config {
        faults: ivschat_local::Faults {
            throttle_rate: 1.0,
            ..Default::default()
        },
        ..Default::default()
    });
    let wd = tf.workdir();
    wd.write_config(&format!(
        "{}{ROOM}",
        emulator.provider_hcl("  max_retries = 1\n")
    ));
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "Cannot create room \"lobby\"",
        &[
            "CreateRoom failed after 2 attempts with ThrottlingException",
            "past the retry budget (max_retries = 1 in the provider block)",
        ],
    );
});

terraform_test!(a_refused_port_names_the_endpoint_and_its_variable, |tf| {
    let port = closed_port();
    let mut wd = tf.workdir();
    wd.env(
        "AWS_ENDPOINT_URL_IVSCHAT",
        format!("http://127.0.0.1:{port}"),
    );
    wd.write_config(&provider("us-east-1", ""));
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "Cannot Connect To IVS Chat",
        &[
            "Cannot create room \"lobby\": IVS Chat CreateRoom could not be sent",
            &format!(
                "endpoint http://127.0.0.1:{port} (from AWS_ENDPOINT_URL_IVSCHAT) refused the connection"
            ),
            "it is set by AWS_ENDPOINT_URL_IVSCHAT",
        ],
    );
});

/// A listener that accepts connections and never says a word, for as long as it lives.
fn silent_port() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

#[test]
fn a_silent_port_times_out_naming_the_endpoint_on_terraform_1_15_5() {
    // The kernel completes the TCP handshake from the listen backlog; the TLS handshake never
    // starts, so the provider's connect timeout (10 s) ends the one attempt.
    let (_listener, port) = silent_port();
    let wd = Terraform::get("1.15.5").workdir();
    let url = format!("https://127.0.0.1:{port}");
    wd.write_config(&format!(
        "{}\nprovider \"ivschat\" {{\n  region      = \"us-east-1\"\n  access_key  = \"test\"\n  secret_key  = \"test\"\n  max_retries = 0\n{}}}\n\
         data \"ivschat_room\" \"r\" {{\n  arn = \"arn:aws:ivschat:us-east-1:123456789012:room/abcdABCD1234\"\n}}\n",
        required_providers_hcl(),
        endpoint_block(&url)
    ));
    let started = std::time::Instant::now();
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "IVS Chat Did Not Answer In Time",
        &[
            "GetRoom got no answer from",
            &format!("endpoint {url} (from endpoints.ivschat in the provider block)"),
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// A TLS server with a fresh self-signed certificate for `localhost` that nothing trusts; it
/// completes no handshake a verifying client would accept.
fn untrusted_tls_server(rt: &tokio::runtime::Runtime) -> u16 {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(tcp).await;
            });
        }
    });
    port
}

terraform_test!(
    an_untrusted_certificate_says_which_setting_trusts_it,
    |tf| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let port = untrusted_tls_server(&rt);
        let wd = tf.workdir();
        let url = format!("https://localhost:{port}");
        wd.write_config(&provider("us-east-1", &endpoint_block(&url)));
        let d = the_error(&apply(&wd));
        assert_says(
            &d,
            "Untrusted TLS Certificate",
            &[
                &format!(
                    "endpoint {url} (from endpoints.ivschat in the provider block) presented a TLS certificate"
                ),
                "custom_ca_bundle (or AWS_CA_BUNDLE)",
            ],
        );
    }
);

terraform_test!(a_host_that_does_not_resolve_is_a_dns_error, |tf| {
    let wd = tf.workdir();
    wd.write_config(&provider(
        "us-east-1",
        &endpoint_block("http://ivschat-local.invalid:4510"),
    ));
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "Cannot Find The IVS Chat Endpoint",
        &[
            "endpoint http://ivschat-local.invalid:4510 (from endpoints.ivschat in the provider block)",
            "does not resolve (DNS)",
        ],
    );
});

terraform_test!(
    a_region_without_ivs_chat_warns_at_plan_and_explains_at_apply,
    |tf| {
        let wd = tf.workdir();
        wd.write_config(&provider("af-south-1", ""));
        let plan = wd.run(["plan", "-input=false", "-no-color", "-json"]);
        assert!(plan.success(), "{}", plan.dump());
        let warnings: Vec<Diag> = diagnostics(&plan)
            .into_iter()
            .filter(|d| d.severity == "warning")
            .collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.summary == "IVS Chat Not Available In This Region"
                    && w.detail.contains("region in the provider block")
                    && w.detail.contains("us-east-1, us-west-2")),
            "{warnings:#?}"
        );
        // The apply goes to the region's default endpoint, which does not exist.
        let d = the_error(&apply(&wd));
        assert_says(
            &d,
            "IVS Chat Not Available In This Region",
            &[
                "IVS Chat does not exist in region af-south-1 (from region in the provider block)",
                "IVS Chat runs in ap-northeast-1",
            ],
        );
        // A region of the resource's own is warned about at its `region` attribute; an unknown
        // region format stays an error.
        let wd = tf.workdir();
        wd.write_config(&format!(
        "{}\nprovider \"ivschat\" {{\n  region = \"us-east-1\"\n}}\nresource \"ivschat_room\" \"r\" {{\n  region = \"me-south-1\"\n}}\n",
        required_providers_hcl()
    ));
        let plan = wd.run(["plan", "-input=false", "-no-color", "-json"]);
        assert!(plan.success(), "{}", plan.dump());
        assert!(
            diagnostics(&plan).iter().any(|w| w.severity == "warning"
                && w.detail
                    .contains("\"me-south-1\" (the region argument of this resource)")),
            "{}",
            plan.dump()
        );
        wd.write_config(&format!(
            "{}\nprovider \"ivschat\" {{\n  region = \"Mars\"\n}}\n{ROOM}",
            required_providers_hcl()
        ));
        let plan = wd.run(["plan", "-input=false", "-no-color", "-json"]);
        assert!(!plan.success(), "{}", plan.dump());
        assert!(
            diagnostics(&plan)
                .iter()
                .any(|d| d.severity == "error" && d.summary == "Invalid AWS Region"),
            "{}",
            plan.dump()
        );
    }
);

fn emulator_checking_keys() -> Emulator {
    support::start_emulator_with(ivschat_local::Config {
        credentials: Some(ivschat_local::Credentials {
            access_key_id: "AKIDRIGHT".to_owned(),
            secret_access_key: "right-secret".to_owned(),
        }),
        ..Default::default()
    })
}

terraform_test!(wrong_keys_name_where_the_keys_came_from, |tf| {
    let emulator = emulator_checking_keys();
    let mut wd = tf.workdir();
    wd.env("AWS_ACCESS_KEY_ID", "AKIDWRONG")
        .env("AWS_SECRET_ACCESS_KEY", "wrong-secret")
        .env("AWS_ENDPOINT_URL_IVSCHAT", &emulator.endpoint);
    wd.write_config(&format!(
        "{}\nprovider \"ivschat\" {{\n  region = \"us-east-1\"\n}}\n{ROOM}",
        required_providers_hcl()
    ));
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "AWS Rejected The Credentials",
        &[
            "UnrecognizedClientException, HTTP 403",
            &format!(
                "endpoint {} (from AWS_ENDPOINT_URL_IVSCHAT)",
                emulator.endpoint
            ),
            "The credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ],
    );
    // The right key id with the wrong secret: a signature mismatch, same sentence.
    wd.env("AWS_ACCESS_KEY_ID", "AKIDRIGHT");
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "AWS Rejected The Credentials",
        &["InvalidSignatureException"],
    );
});

terraform_test!(no_credentials_anywhere_lists_the_sources_tried, |tf| {
    let emulator = support::start_emulator();
    let mut wd = tf.workdir();
    // HOME is the workdir's empty home: no ~/.aws files; no AWS_* variable but these.
    wd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_IVSCHAT", &emulator.endpoint);
    wd.write_config(&format!(
        "{}\nprovider \"ivschat\" {{\n  region = \"us-east-1\"\n}}\n{ROOM}",
        required_providers_hcl()
    ));
    let home = wd.root().join("home");
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "No Valid Credential Sources Found",
        &[
            "Cannot create room \"lobby\": IVS Chat CreateRoom was not sent because no AWS credentials were found",
            "1. access_key and secret_key in the provider block: not set",
            "2. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set",
            &format!(
                "3. profile \"default\" (the default profile): static keys, credential_process or a role in {}/.aws/credentials (not found), {}/.aws/config (not found)",
                home.display(),
                home.display()
            ),
            "4. SSO",
            "5. web identity",
            "6. container credentials",
            "7. EC2 instance metadata (IMDS): disabled by AWS_EC2_METADATA_DISABLED",
            "docs/index.md#authentication",
        ],
    );
    let counts = emulator.handle().operation_counts();
    assert!(
        counts.values().all(|&n| n == 0),
        "nothing was sent: {counts:?}"
    );
});

terraform_test!(a_refusing_proxy_is_named_with_its_setting, |tf| {
    let emulator = support::start_emulator();
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let wd = tf.workdir();
    wd.write_config(&provider(
        "us-east-1",
        &format!(
            "{}  http_proxy = \"{proxy}\"\n",
            endpoint_block(&emulator.endpoint)
        ),
    ));
    let d = the_error(&apply(&wd));
    assert_says(
        &d,
        "Cannot Connect To IVS Chat",
        &[
            &format!("through the proxy {proxy} (from http_proxy in the provider block)"),
            "the connection was refused",
        ],
    );
});

/// A server that answers every request with IVS Chat's answer to an expired session token
/// (ivschat-local has no session tokens to expire).
fn expired_token_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the body (Content-Length) before answering.
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen).to_string();
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if seen.len() >= head_end + 4 + length {
                        break;
                    }
                }
            }
            let body = r#"{"message":"The security token included in the request is expired"}"#;
            let _ = write!(
                conn,
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nx-amzn-ErrorType: ExpiredTokenException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

terraform_test!(
    an_expired_session_token_says_to_refresh_the_credentials,
    |tf| {
        let port = expired_token_server();
        let mut wd = tf.workdir();
        wd.env("AWS_ACCESS_KEY_ID", "ASIATEMPORARY")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_SESSION_TOKEN", "expired-token");
        wd.write_config(&format!(
            "{}\nprovider \"ivschat\" {{\n  region = \"us-east-1\"\n{}}}\n{ROOM}",
            required_providers_hcl(),
            endpoint_block(&format!("http://127.0.0.1:{port}"))
        ));
        let d = the_error(&apply(&wd));
        assert_says(
            &d,
            "AWS Session Expired",
            &[
                "the session token of the temporary credentials has expired (ExpiredTokenException, HTTP 403",
                "The credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
            ],
        );
    }
);
