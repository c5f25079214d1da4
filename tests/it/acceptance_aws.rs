//! Acceptance test against real Amazon IVS Chat, Terraform-style: it runs only with
//! `TF_ACC=1` and otherwise passes at once (printing why), as Go providers' `resource.Test`
//! does. It creates real rooms (free while no messages are sent) in your account and deletes
//! them at the end, also when a step fails.
//!
//! ```sh
//! TF_ACC=1 AWS_PROFILE=dev AWS_REGION=eu-west-1 cargo test --test it acceptance_aws:: -- --nocapture
//! ```
//!
//! - Credentials and region come from the usual AWS environment (`AWS_PROFILE`,
//!   `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, `AWS_REGION`, ...) and
//!   your `~/.aws/config` and `~/.aws/credentials`; region `us-east-1` when none is set.
//! - `IVSCHAT_ACC_S3_BUCKET=<existing bucket>` also creates a logging configuration delivering
//!   to that bucket and attaches it to the room (IVS Chat needs write access to the bucket).
//! - `AWS_ENDPOINT_URL_IVSCHAT` is honoured like every `AWS_*` variable, so the same test runs
//!   against ivschat-local: `TF_ACC=1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
//!   AWS_ENDPOINT_URL_IVSCHAT=http://127.0.0.1:4510 cargo test --test it acceptance_aws::`.
//!
//! Steps, on both pinned Terraform versions: apply, empty plan, in-place update, empty plan,
//! data sources read the room back, destroy. Names start with `tf-acc-` and a random suffix.

use crate::support;

use std::ffi::OsString;

use support::terraform_test;

fn acceptance_enabled() -> bool {
    match std::env::var("TF_ACC") {
        Ok(v) => !v.is_empty() && v != "0",
        Err(_) => false,
    }
}

fn config(prefix: &str, max_length: u32, bucket: Option<&str>) -> String {
    let mut hcl = support::required_providers_hcl();
    hcl.push_str(
        r#"
# Region and credentials from the environment, as a user would configure it.
provider "ivschat" {}
"#,
    );
    let logging = match bucket {
        Some(bucket) => {
            hcl.push_str(&format!(
                r#"
resource "ivschat_logging_configuration" "acc" {{
  name = "{prefix}-logs"
  destination_configuration {{
    s3 {{
      bucket_name = "{bucket}"
    }}
  }}
  tags = {{ "terraform-provider-ivschat-acc" = "{prefix}" }}
}}
"#
            ));
            "[ivschat_logging_configuration.acc.arn]"
        }
        None => "[]",
    };
    hcl.push_str(&format!(
        r#"
resource "ivschat_room" "acc" {{
  name                              = "{prefix}-room"
  maximum_message_length            = {max_length}
  logging_configuration_identifiers = {logging}
  tags                              = {{ "terraform-provider-ivschat-acc" = "{prefix}" }}
}}

data "ivschat_room" "acc" {{
  arn = ivschat_room.acc.arn
}}

data "ivschat_rooms" "acc" {{
  name       = ivschat_room.acc.name
  tags       = {{ "terraform-provider-ivschat-acc" = "{prefix}" }}
  depends_on = [ivschat_room.acc]
}}

output "room_arn" {{
  value = ivschat_room.acc.arn
}}

output "read_back_length" {{
  value = data.ivschat_room.acc.maximum_message_length
}}

output "listed_arns" {{
  value = data.ivschat_rooms.acc.arns
}}
"#
    ));
    hcl
}

/// Destroys whatever the test created, also when a step panics.
struct DestroyOnDrop<'a>(&'a support::TfWorkdir);

impl Drop for DestroyOnDrop<'_> {
    fn drop(&mut self) {
        let out = self
            .0
            .run(["destroy", "-auto-approve", "-input=false", "-no-color"]);
        if !out.success() {
            eprintln!(
                "ACCEPTANCE CLEAN-UP FAILED: delete the resources tagged \
                 terraform-provider-ivschat-acc by hand"
            );
        }
    }
}

terraform_test!(
    room_lifecycle_against_aws,
    ignore = "needs AWS credentials and TF_ACC=1 (creates real IVS Chat objects)",
    |tf| {
        assert!(
            acceptance_enabled(),
            "acceptance tests against AWS create real objects: set TF_ACC=1 (and AWS credentials) to run them"
        );
        let mut wd = tf.workdir();
        // The harness scrubs AWS_* for the emulator tests; acceptance tests use the caller's.
        for (k, v) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                wd.env(&k, &v);
            }
        }
        // HOME is a scratch directory: point the SDK at the caller's shared files.
        if let Some(home) = std::env::var_os("HOME") {
            let home = std::path::PathBuf::from(home);
            for (var, file) in [
                ("AWS_CONFIG_FILE", ".aws/config"),
                ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
            ] {
                if std::env::var_os(var).is_none() && home.join(file).is_file() {
                    wd.env(var, home.join(file));
                }
            }
        }
        if std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            wd.env("AWS_REGION", OsString::from("us-east-1"));
        }
        let bucket = std::env::var("IVSCHAT_ACC_S3_BUCKET")
            .ok()
            .filter(|b| !b.is_empty());
        let prefix = format!(
            "tf-acc-{}-{}",
            tf.version.replace('.', ""),
            fastrand::u32(..)
        );
        eprintln!("acceptance: Terraform {}, names {prefix}-*", tf.version);

        wd.write_config(&config(&prefix, 200, bucket.as_deref()));
        let _cleanup = DestroyOnDrop(&wd);
        wd.apply();
        wd.assert_no_changes();
        let outputs = wd.run(["output", "-json"]);
        outputs.assert_success();
        let outputs: serde_json::Value = serde_json::from_str(&outputs.stdout).unwrap();
        let arn = outputs["room_arn"]["value"].as_str().unwrap().to_string();
        assert!(arn.starts_with("arn:aws:ivschat:"), "room arn {arn}");
        assert_eq!(outputs["read_back_length"]["value"], 200);
        assert_eq!(outputs["listed_arns"]["value"], serde_json::json!([arn]));

        // In place: same ARN, new limit.
        wd.write_config(&config(&prefix, 300, bucket.as_deref()));
        wd.apply();
        wd.assert_no_changes();
        let room = wd.resource_values("ivschat_room.acc");
        assert_eq!(
            room["arn"],
            serde_json::json!(arn),
            "the update replaced the room"
        );
        assert_eq!(room["maximum_message_length"], 300);
    }
);
