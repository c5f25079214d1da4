//! Room reads answered from the shared ListRooms listing: drift on each attribute is still
//! detected, an out-of-band delete still drops the room from state, imports and reads right
//! after an update stay exact, and the listing really answers reads (fewer GetRoom calls than
//! rooms). About 10 Terraform commands per version.

use crate::support;

use serde_json::Value as Json;
use support::{TfWorkdir, calls_between, terraform_test};

/// The IVS Chat API reached directly, for changes made outside Terraform.
struct Api {
    rt: tokio::runtime::Runtime,
    client: aws_sdk_ivschat::Client,
}

impl Api {
    fn new(endpoint: &str) -> Api {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let config = rt.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url(endpoint)
                .credentials_provider(aws_credential_types::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .load(),
        );
        Api {
            rt,
            client: aws_sdk_ivschat::Client::new(&config),
        }
    }
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

const CONFIG: &str = r#"
resource "ivschat_logging_configuration" "a" {
  destination_configuration {
    s3 { bucket_name = "bucket-a" }
  }
}
resource "ivschat_logging_configuration" "b" {
  destination_configuration {
    s3 { bucket_name = "bucket-b" }
  }
}
resource "ivschat_room" "name" {
  name = "first"
}
resource "ivschat_room" "tags" {
  tags = { team = "chat" }
}
resource "ivschat_room" "handler" {}
resource "ivschat_room" "logging" {
  logging_configuration_identifiers = [ivschat_logging_configuration.a.arn]
}
resource "ivschat_room" "length" {}
resource "ivschat_room" "rate" {}
resource "ivschat_room" "gone" {}
"#;

/// Rooms in `CONFIG`.
const ROOMS: u64 = 7;

fn arn(wd: &TfWorkdir, address: &str) -> String {
    wd.resource_values(address)["arn"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn in_state(wd: &TfWorkdir, address: &str) -> bool {
    wd.state_json()["values"]["root_module"]["resources"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r["address"] == address))
}

terraform_test!(
    drift_deletes_imports_and_updates_through_the_listing,
    |tf| {
        // Whole-second timestamps, the coarsest AWS might answer with: a version is then
        // trusted only from a read sent 1 s + max_read_lag after its updateTime.
        let emulator = support::start_emulator_with(ivschat_local::Config {
            timestamp_precision: ivschat_local::TimestampPrecision::Seconds,
            logging_settle: std::time::Duration::from_millis(200),
            ..ivschat_local::Config::default()
        });
        let wd = tf.workdir();
        let provider = emulator.provider_hcl("");
        wd.write_config(&format!("{provider}\n{CONFIG}"));
        wd.apply();
        // The versions the apply's own answers showed cannot be trusted yet at whole seconds:
        // a refresh once they can records them.
        std::thread::sleep(std::time::Duration::from_millis(
            2000 + emulator.max_lag_ms + 1000,
        ));
        wd.run(["apply", "-refresh-only", "-auto-approve", "-no-color"])
            .assert_success();

        // The plan after the refresh reads rooms whose version the refresh recorded: the listing
        // answers most of them.
        let before = emulator.calls();
        wd.assert_no_changes();
        let after = emulator.calls();
        assert!(
            calls_between(&before, &after, "ListRooms") >= 1,
            "{after:?}"
        );
        assert!(
            calls_between(&before, &after, "GetRoom") < ROOMS,
            "every room read with GetRoom: {before:?} -> {after:?}"
        );

        // Out of band: one change per attribute, and a delete.
        let api = Api::new(&emulator.endpoint);
        let logging_b = arn(&wd, "ivschat_logging_configuration.b");
        let c = &api.client;
        api.rt.block_on(async {
            c.update_room()
                .identifier(arn(&wd, "ivschat_room.name"))
                .name("renamed")
                .send()
                .await
                .unwrap();
            c.tag_resource()
                .resource_arn(arn(&wd, "ivschat_room.tags"))
                .tags("team", "video")
                .send()
                .await
                .unwrap();
            c.update_room()
                .identifier(arn(&wd, "ivschat_room.handler"))
                .message_review_handler(
                    aws_sdk_ivschat::types::MessageReviewHandler::builder()
                        .uri(LAMBDA)
                        .fallback_result(aws_sdk_ivschat::types::FallbackResult::Deny)
                        .build(),
                )
                .send()
                .await
                .unwrap();
            c.update_room()
                .identifier(arn(&wd, "ivschat_room.logging"))
                .logging_configuration_identifiers(logging_b.clone())
                .send()
                .await
                .unwrap();
            c.update_room()
                .identifier(arn(&wd, "ivschat_room.length"))
                .maximum_message_length(100)
                .send()
                .await
                .unwrap();
            c.update_room()
                .identifier(arn(&wd, "ivschat_room.rate"))
                .maximum_message_rate_per_second(50)
                .send()
                .await
                .unwrap();
            c.delete_room()
                .identifier(arn(&wd, "ivschat_room.gone"))
                .send()
                .await
                .unwrap();
        });
        support::let_outside_changes_show();

        wd.run(["apply", "-refresh-only", "-auto-approve", "-no-color"])
            .assert_success();
        let room = |name: &str| -> Json { wd.resource_values(&format!("ivschat_room.{name}")) };
        assert_eq!(room("name")["name"], "renamed");
        assert_eq!(room("tags")["tags"]["team"], "video");
        assert_eq!(room("handler")["message_review_handler"][0]["uri"], LAMBDA);
        assert_eq!(
            room("handler")["message_review_handler"][0]["fallback_result"],
            "DENY"
        );
        assert_eq!(
            room("logging")["logging_configuration_identifiers"],
            serde_json::json!([logging_b])
        );
        assert_eq!(room("length")["maximum_message_length"], 100);
        assert_eq!(room("rate")["maximum_message_rate_per_second"], 50);
        assert!(
            !in_state(&wd, "ivschat_room.gone"),
            "a deleted room stays in state"
        );
        // Nothing else drifted: the unchanged attributes kept their values.
        assert_eq!(room("length")["maximum_message_rate_per_second"], 10);
        assert_eq!(room("rate")["maximum_message_length"], 500);

        // The next plan, from the versions the refresh recorded, sees the same drift again (and the
        // listing answers the tag-only change).
        let out = wd.run(["plan", "-no-color"]);
        out.assert_success();
        for needle in [
            "ivschat_room.gone will be created",
            "ivschat_room.name will be updated in-place",
            "ivschat_room.tags will be updated in-place",
            "ivschat_room.handler will be updated in-place",
            "ivschat_room.logging will be updated in-place",
            "ivschat_room.length will be updated in-place",
            "ivschat_room.rate will be updated in-place",
        ] {
            assert!(out.stdout.contains(needle), "{needle}:\n{}", out.stdout);
        }

        // Updates back to the configuration; the plan right after reads every updated room from
        // a listing or GetRoom and finds exactly what was written.
        wd.apply();
        wd.assert_no_changes();
        assert_eq!(room("name")["name"], "first");
        assert_eq!(room("length")["maximum_message_length"], 500);

        // Import: no recorded version, so GetRoom; the plan after finds nothing to do.
        let imported = api.rt.block_on(async {
            c.create_room()
                .name("imported")
                .maximum_message_length(42)
                .send()
                .await
                .unwrap()
                .arn()
                .unwrap()
                .to_owned()
        });
        support::let_outside_changes_show();
        wd.write_config(&format!(
        "{provider}\n{CONFIG}\nresource \"ivschat_room\" \"imported\" {{\n  name = \"imported\"\n  maximum_message_length = 42\n}}\n"
    ));
        wd.run(["import", "-no-color", "ivschat_room.imported", &imported])
            .assert_success();
        assert_eq!(room("imported")["maximum_message_length"], 42);
        wd.assert_no_changes();
    }
);
