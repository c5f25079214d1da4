//! Logging configuration reads answered from the shared ListLoggingConfigurations listing:
//! drift on each attribute (name, destination, tags) is still detected, an out-of-band delete
//! still plans a re-create, a plan right after an update finds exactly what was written, an
//! import stays exact, and the listing really answers reads (fewer Gets than configurations).

use crate::support;

use aws_sdk_ivschat::types::{
    CloudWatchLogsDestinationConfiguration, DestinationConfiguration, S3DestinationConfiguration,
};
use serde_json::Value as Json;
use support::{Setup, calls_between, terraform_test};

const CONFIG: &str = r#"
resource "ivschat_logging_configuration" "name" {
  name = "first"
  destination_configuration {
    s3 { bucket_name = "bucket-name" }
  }
}
resource "ivschat_logging_configuration" "destination" {
  destination_configuration {
    s3 { bucket_name = "bucket-destination" }
  }
}
resource "ivschat_logging_configuration" "tags" {
  tags = { team = "chat" }
  destination_configuration {
    s3 { bucket_name = "bucket-tags" }
  }
}
resource "ivschat_logging_configuration" "gone" {
  destination_configuration {
    s3 { bucket_name = "bucket-gone" }
  }
}
"#;

/// Logging configurations in `CONFIG`.
const CONFIGS: u64 = 4;

terraform_test!(
    logging_configuration_drift_deletes_imports_and_updates_through_the_listing,
    |tf| {
        let s = Setup::new(tf);
        let wd = &s.wd;
        s.write(CONFIG);
        wd.apply();
        let config = |name: &str| -> Json {
            wd.resource_values(&format!("ivschat_logging_configuration.{name}"))
        };
        let arn = |name: &str| config(name)["arn"].as_str().unwrap().to_owned();

        // The plan after the apply reads configurations whose version the apply recorded: the
        // listing answers most of them.
        let before = s.emulator.calls();
        wd.assert_no_changes();
        let after = s.emulator.calls();
        assert!(
            calls_between(&before, &after, "ListLoggingConfigurations") >= 1,
            "{after:?}"
        );
        assert!(
            calls_between(&before, &after, "GetLoggingConfiguration") < CONFIGS,
            "every configuration read with Get: {before:?} -> {after:?}"
        );

        // Out of band: one change per attribute, and a delete.
        let c = &s.api;
        s.rt.block_on(async {
            c.update_logging_configuration()
                .identifier(arn("name"))
                .name("renamed")
                .send()
                .await
                .unwrap();
            c.update_logging_configuration()
                .identifier(arn("destination"))
                .destination_configuration(DestinationConfiguration::CloudWatchLogs(
                    CloudWatchLogsDestinationConfiguration::builder()
                        .log_group_name("group")
                        .build()
                        .unwrap(),
                ))
                .send()
                .await
                .unwrap();
            c.tag_resource()
                .resource_arn(arn("tags"))
                .tags("team", "video")
                .send()
                .await
                .unwrap();
            c.delete_logging_configuration()
                .identifier(arn("gone"))
                .send()
                .await
                .unwrap();
        });
        support::let_outside_changes_show();
        // Updates settle (UPDATING, DELETING) before Terraform looks.
        std::thread::sleep(std::time::Duration::from_millis(400));

        wd.run(["apply", "-refresh-only", "-auto-approve", "-no-color"])
            .assert_success();
        assert_eq!(config("name")["name"], "renamed");
        let destination = &config("destination")["destination_configuration"][0];
        assert_eq!(destination["cloudwatch_logs"][0]["log_group_name"], "group");
        assert_eq!(destination["s3"], serde_json::json!([]));
        assert_eq!(config("tags")["tags"]["team"], "video");
        assert!(
            !wd.state_json()["values"]["root_module"]["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["address"] == "ivschat_logging_configuration.gone"),
            "a deleted configuration stays in state"
        );
        // Nothing else drifted.
        assert_eq!(config("tags")["name"], "");
        assert_eq!(
            config("name")["destination_configuration"][0]["s3"][0]["bucket_name"],
            "bucket-name"
        );

        // The next plan reads from the versions the refresh recorded: the listing answers,
        // and the drift is planned again (the tag change shows only in the summary's tags).
        let before = s.emulator.calls();
        let out = wd.run(["plan", "-no-color"]);
        out.assert_success();
        let after = s.emulator.calls();
        for needle in [
            "ivschat_logging_configuration.gone will be created",
            "ivschat_logging_configuration.name will be updated in-place",
            "ivschat_logging_configuration.destination will be updated in-place",
            "ivschat_logging_configuration.tags will be updated in-place",
        ] {
            assert!(out.stdout.contains(needle), "{needle}:\n{}", out.stdout);
        }
        assert!(
            calls_between(&before, &after, "GetLoggingConfiguration") < CONFIGS - 1,
            "the listing answered no read: {before:?} -> {after:?}"
        );

        // Updates back to the configuration; the plan right after reads each updated
        // configuration (from a summary showing the written version, or with Get) and finds
        // exactly what was written.
        wd.apply();
        wd.assert_no_changes();
        assert_eq!(config("name")["name"], "first");
        assert_eq!(
            config("destination")["destination_configuration"][0]["s3"][0]["bucket_name"],
            "bucket-destination"
        );
        assert_eq!(config("tags")["tags"]["team"], "chat");

        // Import: no recorded version, so Get; the plan after finds nothing to do.
        let imported = s.rt.block_on(async {
            c.create_logging_configuration()
                .name("imported")
                .destination_configuration(DestinationConfiguration::S3(
                    S3DestinationConfiguration::builder()
                        .bucket_name("bucket-imported")
                        .build()
                        .unwrap(),
                ))
                .send()
                .await
                .unwrap()
                .arn()
                .unwrap()
                .to_owned()
        });
        support::let_outside_changes_show();
        std::thread::sleep(std::time::Duration::from_millis(400));
        s.write(&format!(
            "{CONFIG}\nresource \"ivschat_logging_configuration\" \"imported\" {{\n  name = \"imported\"\n  destination_configuration {{\n    s3 {{ bucket_name = \"bucket-imported\" }}\n  }}\n}}\n"
        ));
        wd.run([
            "import",
            "-no-color",
            "ivschat_logging_configuration.imported",
            &imported,
        ])
        .assert_success();
        assert_eq!(config("imported")["name"], "imported");
        wd.assert_no_changes();
        s.assert_emulator_matches_state();
    }
);
