//! The `ivschat-local` binary: endpoint on the first stdout line, SIGTERM stops it
//! cleanly and the state file is written.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_endpoint_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .args(["--listen", "127.0.0.1:0", "--quotas", "off", "--state-file"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line.trim().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let r = reqwest::Client::new()
        .post(format!("{endpoint}/CreateRoom"))
        .body(r#"{"name":"from-cli"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["rooms"][0]["name"], "from-cli");
}

#[test]
fn help_documents_the_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--listen",
        "--region",
        "--account-id",
        "--state-file",
        "--quotas",
        "--fault-throttle-rate",
        "--fault-internal-error-rate",
        "--fault-latency-ms",
        "--fault-reset-after-commit-rate",
        "--seed",
        "--logging-settle-ms",
        "--access-key-id",
        "--secret-access-key",
        "--consistency",
        "--consistency-lag-ms",
        "--consistency-lag-draw",
    ] {
        assert!(help.contains(opt), "--help lacks {opt}");
    }
}

#[tokio::test]
async fn eventual_consistency_flags_lag_reads() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .args(["--listen", "127.0.0.1:0", "--quotas", "off"])
        .args(["--consistency", "eventual", "--consistency-lag-ms", "30000"])
        .args(["--consistency-lag-draw", "exact", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line.trim().to_owned();
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{endpoint}/CreateRoom"))
        .body(r#"{"name":"lagged"}"#)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&created).unwrap();
    let get = http
        .post(format!("{endpoint}/GetRoom"))
        .body(serde_json::json!({ "identifier": created["arn"] }).to_string())
        .send()
        .await
        .unwrap();
    let status = get.status();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        status, 404,
        "a room created 30 s before visibility was found"
    );
}
