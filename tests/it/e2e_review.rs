//! Plan review (`examples/review/`): real Terraform plans the compliant and the non-compliant
//! configuration against ivschat-local, `terraform show -json` turns each plan into JSON, and
//! checkov runs the custom policies of `examples/review/policies/` on them. The findings must
//! be exactly the expected ones, so a policy that stops catching its case (or starts flagging
//! a compliant room) fails this test. The committed `examples/review/plan.json` must be what
//! the configuration plans today.
//!
//! checkov comes from `scripts/fetch-tools.sh checkov` (pinned, in `.cache/tools/checkov/`).
//! Cost: four plans (two per Terraform version) and one checkov run, about 15 s.

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// One policy result: (check id, plan file, resource address).
type Finding = (String, String, String);

fn review_dir() -> PathBuf {
    support::repo_root().join("examples/review")
}

fn checkov() -> PathBuf {
    let path = support::repo_root().join(".cache/tools/checkov/bin/checkov");
    assert!(
        path.is_file(),
        "checkov not found at {}: run scripts/fetch-tools.sh checkov (from the repository root)",
        path.display()
    );
    path
}

/// The `id:` of every policy file, e.g. `CKV_IVSCHAT_1`.
fn policy_ids() -> Vec<String> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(review_dir().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("id:"))
                .unwrap_or_else(|| panic!("{} has no id", path.display()));
            ids.push(id.trim().trim_matches('"').to_string());
        }
    }
    ids.sort();
    ids
}

/// `terraform plan` of the `.tf` files in `config` against a fresh emulator, as
/// `terraform show -json` prints it.
fn plan_json(tf: &support::Terraform, config: &Path) -> String {
    let emulator = support::start_emulator();
    let mut wd = tf.workdir();
    wd.env("AWS_ENDPOINT_URL_IVSCHAT", &emulator.endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test");
    for entry in std::fs::read_dir(config).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tf") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            wd.write_file(&name, &std::fs::read_to_string(&path).unwrap());
        }
    }
    wd.run(["plan", "-input=false", "-no-color", "-out=tfplan"])
        .assert_success();
    let shown = wd.run(["show", "-json", "tfplan"]);
    shown.assert_success();
    assert!(
        emulator.handle().rooms().is_empty(),
        "a plan must not create rooms"
    );
    shown.stdout
}

/// Runs checkov with the example's policies on `plans` (file names in `dir`) and returns its
/// (passed, failed) results.
fn run_checkov(dir: &Path, plans: &[&str]) -> (BTreeSet<Finding>, BTreeSet<Finding>) {
    let ids = policy_ids();
    assert!(ids.len() >= 4, "policies found: {ids:?}");
    let mut cmd = Command::new(checkov());
    cmd.current_dir(dir)
        .env("HOME", dir)
        .env("LOG_LEVEL", "WARNING")
        .args(["--skip-download", "--framework", "terraform_plan"])
        .arg("--external-checks-dir")
        .arg(review_dir().join("policies"))
        .args(["--check", &ids.join(","), "--output", "json"]);
    for plan in plans {
        cmd.args(["-f", plan]);
    }
    let out = support::run_with_timeout(&mut cmd, Duration::from_secs(300), "checkov");
    // checkov exits 1 when a check failed, 0 when none did; anything else is an error.
    assert!(
        matches!(out.code(), 0 | 1),
        "checkov failed:\n{}",
        out.dump()
    );
    let report: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("checkov printed no JSON report ({e}):\n{}", out.dump()));
    assert_eq!(report["check_type"], "terraform_plan", "{report:#}");
    let collect = |key: &str| -> BTreeSet<Finding> {
        report["results"][key]
            .as_array()
            .unwrap_or_else(|| panic!("no results.{key} in the report: {report:#}"))
            .iter()
            .map(|c| {
                let file = c["file_path"].as_str().unwrap().trim_start_matches('/');
                (
                    c["check_id"].as_str().unwrap().to_string(),
                    file.to_string(),
                    c["resource"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    (collect("passed_checks"), collect("failed_checks"))
}

fn findings(file: &str, rows: &[(&str, &str)]) -> BTreeSet<Finding> {
    rows.iter()
        .map(|(id, res)| (id.to_string(), file.to_string(), res.to_string()))
        .collect()
}

/// Every policy passes on every resource it applies to in a plan of `examples/review/main.tf`.
fn compliant_results(file: &str) -> BTreeSet<Finding> {
    let mut rows = vec![("CKV_IVSCHAT_3", "ivschat_logging_configuration.audit")];
    for room in ["ivschat_room.town_square", "ivschat_room.staff"] {
        for id in [
            "CKV_IVSCHAT_1",
            "CKV_IVSCHAT_2",
            "CKV_IVSCHAT_3",
            "CKV_IVSCHAT_4",
        ] {
            rows.push((id, room));
        }
    }
    findings(file, &rows)
}

/// (passed, failed) in a plan of `examples/review/noncompliant/main.tf`: each policy fails on
/// exactly the room that breaks it.
fn noncompliant_results(file: &str) -> (BTreeSet<Finding>, BTreeSet<Finding>) {
    let passed = findings(
        file,
        &[
            ("CKV_IVSCHAT_1", "ivschat_room.town_square"),
            ("CKV_IVSCHAT_1", "ivschat_room.firehose"),
            ("CKV_IVSCHAT_2", "ivschat_room.staff"),
            ("CKV_IVSCHAT_2", "ivschat_room.firehose"),
            ("CKV_IVSCHAT_3", "ivschat_logging_configuration.audit"),
            ("CKV_IVSCHAT_3", "ivschat_room.town_square"),
            ("CKV_IVSCHAT_3", "ivschat_room.firehose"),
            ("CKV_IVSCHAT_4", "ivschat_room.town_square"),
            ("CKV_IVSCHAT_4", "ivschat_room.staff"),
        ],
    );
    let failed = findings(
        file,
        &[
            ("CKV_IVSCHAT_1", "ivschat_room.staff"),
            ("CKV_IVSCHAT_2", "ivschat_room.town_square"),
            ("CKV_IVSCHAT_3", "ivschat_room.staff"),
            ("CKV_IVSCHAT_4", "ivschat_room.firehose"),
        ],
    );
    (passed, failed)
}

#[test]
fn policies_pass_the_compliant_plan_and_flag_each_violation() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let mut files = Vec::new();
    let mut expected_passed = BTreeSet::new();
    let mut expected_failed = BTreeSet::new();
    for tf in support::Terraform::all() {
        let ok = format!("ok-{}.json", tf.version);
        let bad = format!("bad-{}.json", tf.version);
        let ok_plan = plan_json(&tf, &review_dir());
        std::fs::write(dir.join(&ok), &ok_plan).unwrap();
        std::fs::write(
            dir.join(&bad),
            plan_json(&tf, &review_dir().join("noncompliant")),
        )
        .unwrap();
        if tf.version == "1.15.5" {
            assert_committed_plan_is_current(&ok_plan);
        }
        let (passed, failed) = noncompliant_results(&bad);
        expected_passed.extend(compliant_results(&ok));
        expected_passed.extend(passed);
        expected_failed.extend(failed);
        files.push(ok);
        files.push(bad);
    }
    // The committed plan passes every policy, as the configuration's fresh plans do.
    std::fs::copy(review_dir().join("plan.json"), dir.join("plan.json")).unwrap();
    files.push("plan.json".to_string());
    expected_passed.extend(compliant_results("plan.json"));

    let plans: Vec<&str> = files.iter().map(String::as_str).collect();
    let (passed, failed) = run_checkov(dir, &plans);
    assert_eq!(
        failed, expected_failed,
        "checkov's findings (failed checks) differ"
    );
    assert_eq!(passed, expected_passed, "checkov's passed checks differ");
}

/// `examples/review/plan.json` is `terraform show -json` of `examples/review/main.tf` with
/// Terraform 1.15.5: its planned values and changes must match a fresh plan's.
fn assert_committed_plan_is_current(fresh: &str) {
    let path = review_dir().join("plan.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fresh: serde_json::Value = serde_json::from_str(fresh).unwrap();
    for key in ["planned_values", "resource_changes", "configuration"] {
        assert_eq!(
            committed[key],
            fresh[key],
            "{}: `{key}` is stale; regenerate it as README.md \"Reviewing plans\" shows",
            path.display()
        );
    }
}
