//! `.github/workflows/release.yml` (the darwin, linux arm64 and windows builds, which run
//! only on GitHub's runners) must pass actionlint, with shellcheck checking its `run:`
//! scripts. actionlint and shellcheck come from `scripts/fetch-tools.sh actionlint shellcheck`
//! (pinned, in `.cache/tools/`; a shellcheck on PATH serves when the pinned one is absent).
//! Cost: about 1 s.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workflow_text() -> String {
    std::fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap()
}

/// `actionlint` run in `dir` (a repository root) on its workflows, with shellcheck required.
fn actionlint(dir: &Path) -> Output {
    let actionlint = repo_root().join(".cache/tools/actionlint/bin/actionlint");
    assert!(
        actionlint.is_file(),
        "actionlint not found at {}: run scripts/fetch-tools.sh actionlint (from the repository root)",
        actionlint.display()
    );
    let pinned = repo_root().join(".cache/tools/shellcheck/bin/shellcheck");
    let shellcheck = if pinned.is_file() {
        pinned.into_os_string()
    } else {
        "shellcheck".into()
    };
    let version = Command::new(&shellcheck).arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "shellcheck not found: actionlint checks the workflow's scripts with it \
         (run scripts/fetch-tools.sh shellcheck from the repository root)"
    );
    Command::new(actionlint)
        .arg("-shellcheck")
        .arg(&shellcheck)
        .arg("-no-color")
        .current_dir(dir)
        .output()
        .expect("run actionlint")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn release_workflow_passes_actionlint() {
    let out = actionlint(&repo_root());
    assert!(
        out.status.success() && text(&out).trim().is_empty(),
        "actionlint found problems:\n{}",
        text(&out)
    );
}

#[test]
fn actionlint_catches_a_broken_release_workflow() {
    // The same workflow with a job dependency misspelt and a shell error in a step: both
    // must be reported, so the test above is a real check.
    let broken = workflow_text()
        .replacen("needs: build", "needs: bulid", 1)
        .replacen("ls -l dist/", "ls -l $PLATFORM_DIR/", 1);
    assert_ne!(broken, workflow_text());
    let scratch = tempfile::tempdir().unwrap();
    let workflows = scratch.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("release.yml"), broken).unwrap();
    // actionlint looks for the repository root by its .git.
    std::fs::create_dir(scratch.path().join(".git")).unwrap();
    let out = actionlint(scratch.path());
    let report = text(&out);
    assert!(!out.status.success(), "actionlint passed:\n{report}");
    assert!(report.contains("\"bulid\""), "{report}");
    assert!(report.contains("SC2086"), "{report}");
}

#[test]
fn release_workflow_builds_every_platform_with_the_release_script() {
    let workflow = workflow_text();
    for platform in [
        "linux_amd64",
        "linux_arm64",
        "darwin_amd64",
        "darwin_arm64",
        "windows_amd64",
    ] {
        assert!(
            workflow.contains(&format!("- platform: {platform}\n")),
            "no {platform} build in release.yml"
        );
    }
    assert!(workflow.contains("run: scripts/release.sh\n"));
    assert!(workflow.contains("run: scripts/release.sh --combine\n"));
    assert!(workflow.contains("GPG_PRIVATE_KEY"));
}

#[test]
fn every_platform_blocks_the_release() {
    // A platform allowed to fail would let a release ship without its zip: no job or step
    // may be marked continue-on-error, and the signing job needs every build.
    let workflow = workflow_text();
    let allowed: Vec<&str> = workflow
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            !l.starts_with('#') && l.contains("continue-on-error")
        })
        .collect();
    assert!(
        allowed.is_empty(),
        "release.yml lets failures pass: {allowed:?}"
    );
    assert!(workflow.contains("needs: build\n"));
    assert!(workflow.contains("runner: windows-2022\n"));
}
