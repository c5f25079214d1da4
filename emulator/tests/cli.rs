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
    ] {
        assert!(help.contains(opt), "--help lacks {opt}");
    }
}
