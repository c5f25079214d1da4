//! Every example under `examples/` is runnable: each is applied against ivschat-local with real
//! Terraform, must then plan no changes, and is destroyed. The docs show these same files.

use crate::support;

use std::path::{Path, PathBuf};

use support::terraform_test;

/// Example directories holding `.tf` files, except the provider example (applied by every other).
fn example_dirs() -> Vec<PathBuf> {
    let root = support::repo_root().join("examples");
    let mut dirs = Vec::new();
    for kind in ["resources", "data-sources"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            let has_tf = std::fs::read_dir(entry.path())
                .map(|files| {
                    files
                        .flatten()
                        .any(|f| f.path().extension().is_some_and(|e| e == "tf"))
                })
                .unwrap_or(false);
            if has_tf {
                dirs.push(entry.path());
            }
        }
    }
    dirs.sort();
    dirs
}

fn copy_tf_files(from: &Path, wd: &support::TfWorkdir) {
    for file in std::fs::read_dir(from).unwrap().flatten() {
        let path = file.path();
        if path.extension().is_some_and(|e| e == "tf") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            wd.write_file(&name, &std::fs::read_to_string(&path).unwrap());
        }
    }
}

terraform_test!(every_example_applies_and_then_plans_nothing, |tf| {
    let dirs = example_dirs();
    assert!(dirs.len() >= 2, "examples found: {dirs:?}");
    for dir in dirs {
        eprintln!("=== example {}", dir.display());
        let emulator = support::start_emulator();
        let mut wd = tf.workdir();
        // The provider example's own block, pointed at the emulator through the environment
        // exactly as a user trying the provider offline would.
        wd.write_file(
            "provider.tf",
            &std::fs::read_to_string(support::repo_root().join("examples/provider/provider.tf"))
                .unwrap(),
        );
        wd.env("AWS_ENDPOINT_URL_IVSCHAT", &emulator.endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test");
        copy_tf_files(&dir, &wd);
        wd.apply();
        wd.assert_no_changes();
        wd.destroy();
        assert!(
            emulator.handle().rooms().is_empty(),
            "{}: destroy left rooms behind",
            dir.display()
        );
    }
});
