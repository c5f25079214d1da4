//! The README's quickstart command, `scripts/quickstart.sh`, run as a first-time user would:
//! a clean temporary `HOME`, no `TF_*` / `AWS_*` variables, on both pinned Terraform versions
//! (`IVSCHAT_TERRAFORM`). It must exit 0 and show every step: the provider installed from the
//! filesystem mirror by `terraform init`, plan, apply, the rooms read back by the data source,
//! an empty second plan, destroy, the emulator left empty and stopped.
//!
//! To stay fast the script builds nothing here (`QUICKSTART_BUILD=0`): it gets the provider
//! binary cargo built for this test run and the `ivschat-local` binary next to it (built by
//! `cargo test --workspace`; built here with cargo when absent).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use support::terraform_test;

/// The two versions run one after the other: they share `.cache/terraform/` (the script
/// re-verifies it) and the machine has 2 cores.
static SERIAL: Mutex<()> = Mutex::new(());

fn emulator_binary() -> PathBuf {
    let provider = support::provider_binary();
    let dir = provider.parent().expect("binary dir");
    let emulator = dir.join("ivschat-local");
    if !emulator.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "ivschat-local", "--bin", "ivschat-local"])
            .current_dir(support::repo_root());
        let out = support::run_with_timeout(&mut cmd, Duration::from_secs(900), "cargo");
        out.assert_success();
    }
    assert!(emulator.is_file(), "{} missing", emulator.display());
    emulator
}

/// Run the quickstart with `HOME` = `home`, run directory `run_dir`.
fn quickstart(tf: &str, home: &Path, run_dir: &Path) -> support::TfOutput {
    let tmp = home.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = Command::new(support::repo_root().join("scripts/quickstart.sh"));
    cmd.current_dir(support::repo_root()).env_clear();
    // Only what a fresh login shell has, plus the Rust toolchain location (the rustup
    // proxies need it once HOME moves).
    for key in [
        "PATH",
        "LANG",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
    ] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd.env("HOME", home)
        .env("TMPDIR", &tmp)
        .env("IVSCHAT_TERRAFORM", tf)
        .env("QUICKSTART_PROFILE", "debug")
        .env("QUICKSTART_BUILD", "0")
        .env("QUICKSTART_DIR", run_dir)
        .env("QUICKSTART_PROVIDER_BIN", support::provider_binary())
        .env("QUICKSTART_EMULATOR_BIN", emulator_binary());
    if matches!(
        support::test_consistency(),
        ivschat_local::Consistency::Eventual { .. }
    ) {
        cmd.env(
            "QUICKSTART_EMULATOR_ARGS",
            format!(
                "--consistency eventual --consistency-lag-ms {}",
                support::consistency_lag_ms()
            ),
        );
    }
    support::run_with_timeout(
        &mut cmd,
        Duration::from_secs(300),
        &format!("quickstart (Terraform {tf})"),
    )
}

fn check_run(tf: &str, out: &support::TfOutput, run_dir: &Path) {
    assert!(out.success(), "quickstart failed:\n{}", out.dump());
    let all = format!("{}{}", out.stdout, out.stderr);
    for needle in [
        format!("Terraform v{tf}"),
        "==> [".to_string(),
        "terraform init".to_string(),
        "Installed ivschat/ivschat v".to_string(),
        "Terraform has been successfully initialized!".to_string(),
        "Plan: 3 to add, 0 to change, 0 to destroy.".to_string(),
        "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.".to_string(),
        "rooms_read_back".to_string(),
        "ok: the data source read back 2 rooms: quickstart-lobby, quickstart-support".to_string(),
        "No changes.".to_string(),
        "ok: no changes".to_string(),
        "Destroy complete! Resources: 3 destroyed.".to_string(),
        "ok: no rooms, no logging configurations".to_string(),
        "quickstart passed in".to_string(),
    ] {
        assert!(
            all.contains(&needle),
            "quickstart output lacks {needle:?}:\n{}",
            out.dump()
        );
    }
    // Terraform's own output is plain when not on a terminal.
    assert!(!all.contains('\u{1b}'), "colour codes in captured output");

    // The emulator is gone: its port no longer accepts connections.
    let endpoint = std::fs::read_to_string(run_dir.join("logs/emulator.out")).unwrap();
    let addr = endpoint
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("no endpoint line in emulator.out: {endpoint:?}"))
        .to_string();
    assert!(
        std::net::TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(1))
            .is_err(),
        "ivschat-local still listens on {addr} after the quickstart"
    );
    for log in [
        "terraform-init.log",
        "terraform-apply.log",
        "terraform-replan.log",
        "emulator.log",
    ] {
        assert!(
            run_dir.join("logs").join(log).is_file(),
            "logs/{log} missing"
        );
    }
}

fn run(tf: &'static str, twice: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // A missing client fails here with the usual instructions (the script would fetch it).
    support::Terraform::get(tf);
    let temp = tempfile::Builder::new()
        .prefix(&format!("quickstart-{tf}-"))
        .tempdir()
        .unwrap();
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run_dir = temp.path().join("run");

    let first = quickstart(tf, &home, &run_dir);
    check_run(tf, &first, &run_dir);
    eprintln!("quickstart with Terraform {tf}: {:?}", first.elapsed);
    if twice {
        // Idempotent: the same run directory, again.
        let second = quickstart(tf, &home, &run_dir);
        check_run(tf, &second, &run_dir);
        eprintln!("second run: {:?}", second.elapsed);
    }

    // Nothing of the machine's or the user's Terraform set-up was written to HOME.
    for name in [".terraformrc", ".terraform.d"] {
        assert!(
            !home.join(name).exists(),
            "quickstart wrote {name} into HOME"
        );
    }
}

// The 1.15.5 run goes twice in the same run directory: the command is idempotent.
terraform_test!(quickstart, |tf| {
    run(tf.version, tf.version == "1.15.5");
});

/// A failure names the step and the logs.
#[test]
fn quickstart_failure_names_the_step_and_logs() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let temp = tempfile::tempdir().unwrap();
    let home = temp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run_dir = temp.path().join("run");
    let mut cmd = Command::new(support::repo_root().join("scripts/quickstart.sh"));
    cmd.current_dir(support::repo_root())
        .env("HOME", &home)
        .env("QUICKSTART_BUILD", "0")
        .env("QUICKSTART_DIR", &run_dir)
        .env("QUICKSTART_PROVIDER_BIN", support::provider_binary())
        // An "emulator" that exits at once.
        .env("QUICKSTART_EMULATOR_BIN", "/bin/false");
    let out = support::run_with_timeout(&mut cmd, Duration::from_secs(120), "quickstart");
    assert_eq!(out.code(), 1, "{}", out.dump());
    for needle in [
        "quickstart FAILED (exit 1) at step: start ivschat-local",
        "ivschat-local exited at start-up",
        &format!("all logs of this run: {}/logs/", run_dir.display()),
    ] {
        assert!(
            out.stderr.contains(needle),
            "lacks {needle:?}:\n{}",
            out.dump()
        );
    }
}
