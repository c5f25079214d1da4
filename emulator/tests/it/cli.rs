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
        "--regions",
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

/// Runs the binary with `args`, expecting it to exit at once; returns the exit code and
/// stderr (stdout must stay empty: no endpoint was printed).
fn run_failing(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("ivschat-local {args:?} kept running");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One line, prefixed, naming `needles`, with no Rust Debug rendering.
fn assert_one_line(args: &[&str], stderr: &str, needles: &[&str]) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one line:\n{stderr}");
    let line = lines[0];
    assert!(line.starts_with("ivschat-local: "), "{args:?}: {line}");
    for n in needles {
        assert!(line.contains(n), "{args:?}: {line:?} lacks {n:?}");
    }
    for debug in ["Os {", "kind:", "Error(", "Caused by", "{ ", "Custom {"] {
        assert!(!line.contains(debug), "{args:?}: Debug output in {line:?}");
    }
}

#[test]
fn port_in_use_is_one_line_naming_the_port_and_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let args = ["--listen", addr.as_str()];
    let (code, err) = run_failing(&args);
    assert_eq!(code, 1);
    assert_one_line(
        &args,
        &err,
        &[&addr, "already in use", "--listen", "port 0"],
    );
}

#[test]
fn unreadable_or_malformed_state_files_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let malformed = dir.path().join("bad.json");
    std::fs::write(&malformed, "{not json").unwrap();
    let wrong_shape = dir.path().join("shape.json");
    std::fs::write(&wrong_shape, r#"{"rooms": 3}"#).unwrap();
    let missing_dir = dir.path().join("no/such/dir/state.json");
    let future = dir.path().join("future.json");
    std::fs::write(
        &future,
        r#"{"format":2,"seq":0,"tokenKey":"","rooms":[],"loggingConfigurations":[]}"#,
    )
    .unwrap();
    let cases = [
        (future, "format 2"),
        (dir.path().to_path_buf(), "cannot read the state file"),
        (malformed, "is not an ivschat-local state file"),
        (wrong_shape, "is not an ivschat-local state file"),
        (missing_dir, "does not exist"),
    ];
    for (path, what) in cases {
        let path = path.to_str().unwrap();
        let args = ["--listen", "127.0.0.1:0", "--state-file", path];
        let (code, err) = run_failing(&args);
        assert_eq!(code, 1, "{args:?}");
        assert_one_line(&args, &err, &[path, what, "--state-file"]);
    }
}

#[test]
fn bad_flags_are_one_line_naming_the_flag() {
    let cases: [(&[&str], &str); 7] = [
        (&["--listen", "nonsense"], "--listen"),
        (&["--fault-throttle-rate", "2"], "from 0 to 1"),
        (
            &["--fault-reset-after-commit-rate", "-0.5"],
            "--fault-reset-after-commit-rate",
        ),
        (&["--access-key-id", "AKID"], "--secret-access-key"),
        (&["--no-such-flag"], "--no-such-flag"),
        (&["--consistency", "sometimes"], "strong, eventual"),
        (&["--account-id", "12"], "12 digits"),
    ];
    for (args, needle) in cases {
        let (code, err) = run_failing(args);
        assert_eq!(code, 2, "{args:?}");
        assert_one_line(args, &err, &[needle, "--help"]);
    }
}

#[test]
fn a_default_region_outside_the_served_regions_is_one_line() {
    let args = ["--listen", "127.0.0.1:0", "--region", "af-south-1"];
    let (code, err) = run_failing(&args);
    assert_eq!(code, 1);
    assert_one_line(&args, &err, &["af-south-1", "us-east-1", "--regions"]);
    // Served once listed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .args(["--listen", "127.0.0.1:0", "--region", "af-south-1"])
        .args(["--regions", "af-south-1,us-east-1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
}
