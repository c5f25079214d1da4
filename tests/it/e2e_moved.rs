//! `moved` blocks from hashicorp/aws and hashicorp/awscc (Terraform ≥ 1.8, here 1.15.5): state
//! written by `aws_ivschat_room`, `aws_ivschat_logging_configuration` and `awscc_ivschat_room`
//! is adopted by MoveResourceState with no replacement and an empty plan afterwards.
//!
//! The states are written by hand, as those providers store them (state format v4), pointing at
//! objects created in ivschat-local. Terraform loads the schema of every provider a state names,
//! so the source providers must be installed, as they are for anyone migrating from them; these
//! tests cannot download them, so `dev_overrides` stand our own binary in for hashicorp/aws and
//! hashicorp/awscc. Terraform only reads their schemas: the move itself is ours.

#[allow(unused_macros, unused_imports)]
use crate::support;

use support::Setup;

use serde_json::{Value as Json, json};

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

impl Setup {
    /// The newest Terraform, with stand-ins for the source providers (see the module docs).
    fn with_standins() -> Setup {
        let s = Setup::latest();
        let standins = s.wd.root().join("standins");
        std::fs::create_dir_all(&standins).unwrap();
        for name in ["aws", "awscc"] {
            std::os::unix::fs::symlink(
                support::provider_binary(),
                standins.join(format!("terraform-provider-{name}")),
            )
            .unwrap();
        }
        let ours = support::provider_binary().parent().unwrap().to_path_buf();
        std::fs::write(
            s.wd.cli_config(),
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{}\" = {}\n    \"registry.terraform.io/hashicorp/aws\" = {}\n    \"registry.terraform.io/hashicorp/awscc\" = {}\n  }}\n  direct {{}}\n}}\ndisable_checkpoint = true\n",
                support::PROVIDER_SOURCE,
                support::hcl_string(&ours.to_string_lossy()),
                support::hcl_string(&standins.to_string_lossy()),
                support::hcl_string(&standins.to_string_lossy()),
            ),
        )
        .unwrap();
        s
    }

    /// A terraform.tfstate (format v4) holding `resources`, as Terraform 1.9 wrote it.
    fn write_state(&self, resources: Vec<Json>) {
        let state = json!({
            "version": 4,
            "terraform_version": "1.9.8",
            "serial": 7,
            "lineage": "0f4e2a53-6a4b-4c1e-9a38-2b7d5c1f9e10",
            "outputs": {},
            "resources": resources,
            "check_results": null
        });
        self.wd.write_file(
            "terraform.tfstate",
            &serde_json::to_string_pretty(&state).unwrap(),
        );
    }
}

fn managed(provider: &str, ty: &str, name: &str, schema_version: i64, attributes: Json) -> Json {
    json!({
        "mode": "managed",
        "type": ty,
        "name": name,
        "provider": format!("provider[\"registry.terraform.io/hashicorp/{provider}\"]"),
        "instances": [{
            "schema_version": schema_version,
            "attributes": attributes,
            "sensitive_attributes": [],
            "private": "bnVsbA=="
        }]
    })
}

#[test]
fn moved_blocks_adopt_aws_and_awscc_objects_without_replacement() {
    let s = Setup::with_standins();
    let logs =
        s.rt.block_on(
            s.api
                .create_logging_configuration()
                .name("chat-logs")
                .destination_configuration(aws_sdk_ivschat::types::DestinationConfiguration::S3(
                    aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                        .bucket_name("chat-logs-bucket")
                        .build()
                        .unwrap(),
                ))
                .tags("team", "chat")
                .send(),
        )
        .unwrap();
    let logs_arn = logs.arn().unwrap().to_owned();
    // Let the configuration settle (ACTIVE) before rooms use it.
    std::thread::sleep(std::time::Duration::from_millis(400));
    let aws_room =
        s.rt.block_on(
            s.api
                .create_room()
                .name("lobby")
                .maximum_message_length(200)
                .message_review_handler(
                    aws_sdk_ivschat::types::MessageReviewHandler::builder()
                        .uri(LAMBDA)
                        .fallback_result(aws_sdk_ivschat::types::FallbackResult::Deny)
                        .build(),
                )
                .logging_configuration_identifiers(&logs_arn)
                .tags("team", "chat")
                .send(),
        )
        .unwrap();
    let aws_arn = aws_room.arn().unwrap().to_owned();
    let cc_room =
        s.rt.block_on(
            s.api
                .create_room()
                .name("cc-room")
                .maximum_message_rate_per_second(20)
                .tags("owner", "cc")
                .send(),
        )
        .unwrap();
    let cc_arn = cc_room.arn().unwrap().to_owned();

    s.write_state(vec![
        managed(
            "aws",
            "aws_ivschat_logging_configuration",
            "logs",
            0,
            json!({
                "arn": logs_arn, "id": logs_arn, "name": "chat-logs", "state": "ACTIVE",
                "destination_configuration": [{
                    "cloudwatch_logs": [], "firehose": [],
                    "s3": [{"bucket_name": "chat-logs-bucket"}]
                }],
                "region": "us-east-1",
                "tags": {"team": "chat"}, "tags_all": {"team": "chat"},
                "timeouts": null
            }),
        ),
        managed(
            "aws",
            "aws_ivschat_room",
            "lobby",
            0,
            json!({
                "arn": aws_arn, "id": aws_arn, "name": "lobby",
                "maximum_message_length": 200, "maximum_message_rate_per_second": 10,
                "message_review_handler": [{"fallback_result": "DENY", "uri": LAMBDA}],
                "logging_configuration_identifiers": [logs_arn],
                "region": "us-east-1",
                "tags": {"team": "chat"}, "tags_all": {"team": "chat"},
                "timeouts": null
            }),
        ),
        managed(
            "awscc",
            "awscc_ivschat_room",
            "cc",
            1,
            json!({
                "arn": cc_arn, "id": cc_arn, "name": "cc-room",
                "maximum_message_length": 500, "maximum_message_rate_per_second": 20,
                "message_review_handler": {"fallback_result": null, "uri": null},
                "logging_configuration_identifiers": null,
                "tags": [{"key": "owner", "value": "cc"}]
            }),
        ),
    ]);
    s.config(
        r#"
moved {
  from = aws_ivschat_logging_configuration.logs
  to   = ivschat_logging_configuration.logs
}

moved {
  from = aws_ivschat_room.lobby
  to   = ivschat_room.lobby
}

moved {
  from = awscc_ivschat_room.cc
  to   = ivschat_room.cc
}

resource "ivschat_logging_configuration" "logs" {
  name = "chat-logs"
  destination_configuration {
    s3 {
      bucket_name = "chat-logs-bucket"
    }
  }
  tags = { team = "chat" }
}

resource "ivschat_room" "lobby" {
  name                              = "lobby"
  maximum_message_length            = 200
  logging_configuration_identifiers = [ivschat_logging_configuration.logs.arn]
  message_review_handler {
    uri             = "arn:aws:lambda:us-east-1:123456789012:function:review"
    fallback_result = "DENY"
  }
  tags = { team = "chat" }
}

resource "ivschat_room" "cc" {
  name                            = "cc-room"
  maximum_message_rate_per_second = 20
  tags                            = { owner = "cc" }
}
"#,
    );
    let plan = s.wd.run(["plan", "-no-color", "-input=false"]);
    plan.assert_success();
    assert!(
        plan.stdout
            .contains("aws_ivschat_room.lobby has moved to ivschat_room.lobby")
            && plan
                .stdout
                .contains("awscc_ivschat_room.cc has moved to ivschat_room.cc")
            && plan.stdout.contains(
                "aws_ivschat_logging_configuration.logs has moved to ivschat_logging_configuration.logs"
            ),
        "{}",
        plan.dump()
    );
    assert!(
        plan.stdout.contains("0 to add, 0 to change, 0 to destroy"),
        "a move must not change or replace anything:\n{}",
        plan.dump()
    );
    let out = s.wd.apply();
    assert!(
        out.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        out.dump()
    );
    s.wd.assert_no_changes();
    assert_eq!(s.room_count(), 2, "nothing created or deleted");

    let state = s.state_file();
    let resources = state["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 3, "{state:#}");
    for r in resources {
        assert_eq!(
            r["provider"], "provider[\"registry.terraform.io/ivschat/ivschat\"]",
            "{r:#}"
        );
        let instance = &r["instances"][0];
        assert_eq!(instance["identity"]["arn"], instance["attributes"]["arn"]);
    }
    let lobby = s.wd.resource_values("ivschat_room.lobby");
    assert_eq!(lobby["arn"], aws_arn);
    assert_eq!(
        lobby["message_review_handler"][0]["fallback_result"],
        "DENY"
    );
    assert_eq!(lobby["tags_all"], json!({"team": "chat"}));
    let cc = s.wd.resource_values("ivschat_room.cc");
    assert_eq!(cc["arn"], cc_arn);
    assert_eq!(cc["tags"], json!({"owner": "cc"}));
    assert_eq!(cc["region"], "us-east-1");
    s.wd.destroy();
    assert_eq!(s.room_count(), 0);
}

#[test]
fn moves_from_other_types_are_refused_with_what_to_do() {
    let s = Setup::with_standins();
    let arn = "arn:aws:ivs:us-east-1:123456789012:channel/abcdEFGH1234";
    s.write_state(vec![managed(
        "aws",
        "aws_ivs_channel",
        "c",
        0,
        json!({"arn": arn, "id": arn, "name": "c"}),
    )]);
    s.config(
        "moved {\n  from = aws_ivs_channel.c\n  to   = ivschat_room.c\n}\n\nresource \"ivschat_room\" \"c\" {}\n",
    );
    let out = s.wd.run(["plan", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.dump());
    let text = (out.stdout.clone() + &out.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("Unsupported Resource Move")
            && text.contains("aws_ivschat_room or awscc_ivschat_room"),
        "{}",
        out.dump()
    );
    assert_eq!(s.room_count(), 0);
}
