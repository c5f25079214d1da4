//! `ivschat_room` end to end: real Terraform 1.0.3 and 1.15.5 drive the provider against
//! ivschat-local. Every step checks the state it leaves and that the following plan is empty.

use crate::support;

use support::Setup;

use support::assert_error;

use serde_json::Value as Json;
use support::terraform_test;

/// A working directory with the provider pointed at a fresh emulator.
impl Setup {
    fn provider_block(&self, extra: &str) -> String {
        self.emulator.provider_hcl(extra)
    }

    fn room(&self, address: &str) -> Json {
        self.wd.resource_values(address)
    }

    fn api(&self) -> Api {
        Api::new(&self.emulator.endpoint)
    }
}

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

    fn delete_room(&self, arn: &str) {
        self.rt
            .block_on(self.client.delete_room().identifier(arn).send())
            .unwrap();
        support::let_outside_changes_show();
    }

    fn rename_room(&self, arn: &str, name: &str) {
        self.rt
            .block_on(self.client.update_room().identifier(arn).name(name).send())
            .unwrap();
        support::let_outside_changes_show();
    }

    fn room_count(&self) -> usize {
        self.rt
            .block_on(self.client.list_rooms().send())
            .unwrap()
            .rooms()
            .len()
    }

    fn handler_uri(&self, arn: &str) -> Option<String> {
        let room = self
            .rt
            .block_on(self.client.get_room().identifier(arn).send())
            .unwrap();
        room.message_review_handler()
            .and_then(|h| h.uri())
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
    }
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

terraform_test!(empty_room_plans_known_defaults_and_then_nothing, |tf| {
    let s = Setup::new(tf);
    s.apply(r#"resource "ivschat_room" "test" {}"#);
    let room = s.room("ivschat_room.test");
    let arn = room["arn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:ivschat:us-east-1:123456789012:room/"),
        "{room:#}"
    );
    assert_eq!(room["id"], room["arn"]);
    assert_eq!(room["name"], "");
    assert_eq!(room["maximum_message_length"], 500);
    assert_eq!(room["maximum_message_rate_per_second"], 10);
    assert_eq!(room["region"], "us-east-1");
    assert_eq!(room["message_review_handler"], serde_json::json!([]));
    assert_eq!(room["tags_all"], serde_json::json!({}));
    s.wd.destroy();
    assert_eq!(s.api().room_count(), 0);
    s.assert_emulator_matches_state();
});

terraform_test!(tags_are_added_updated_and_removed_in_place, |tf| {
    let s = Setup::new(tf);
    s.apply(r#"resource "ivschat_room" "test" { tags = { a = "1" } }"#);
    let arn = s.room("ivschat_room.test")["arn"].clone();
    s.apply(r#"resource "ivschat_room" "test" { tags = { a = "2", b = "" } }"#);
    let room = s.room("ivschat_room.test");
    assert_eq!(room["tags"], serde_json::json!({"a": "2", "b": ""}));
    assert_eq!(room["tags_all"], serde_json::json!({"a": "2", "b": ""}));
    s.apply(r#"resource "ivschat_room" "test" {}"#);
    let room = s.room("ivschat_room.test");
    assert_eq!(room["tags"], Json::Null);
    assert_eq!(room["tags_all"], serde_json::json!({}));
    assert_eq!(room["arn"], arn, "tag changes never replace the room");
    s.assert_emulator_matches_state();
});

terraform_test!(default_tags_merge_without_perpetual_diffs, |tf| {
    let s = Setup::new(tf);
    let body = r#"resource "ivschat_room" "test" { tags = { env = "dev", team = "chat" } }"#;
    s.wd.write_config(&format!(
        "{}\n{body}",
        s.provider_block(
            "  default_tags {\n    tags = { team = \"chat\", owner = \"platform\" }\n  }\n"
        )
    ));
    s.wd.apply();
    s.wd.assert_no_changes();
    let room = s.room("ivschat_room.test");
    assert_eq!(
        room["tags"],
        serde_json::json!({"env": "dev", "team": "chat"})
    );
    assert_eq!(
        room["tags_all"],
        serde_json::json!({"env": "dev", "team": "chat", "owner": "platform"})
    );
    s.assert_emulator_matches_state();
});

terraform_test!(a_room_deleted_outside_terraform_is_planned_again, |tf| {
    let s = Setup::new(tf);
    s.apply(r#"resource "ivschat_room" "test" { name = "gone" }"#);
    let arn = s.room("ivschat_room.test")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    s.api().delete_room(&arn);
    assert_eq!(s.wd.plan_detailed_exitcode(), 2);
    s.wd.apply();
    s.wd.assert_no_changes();
    assert_ne!(s.room("ivschat_room.test")["arn"].as_str().unwrap(), arn);
    s.assert_emulator_matches_state();
});

terraform_test!(changes_made_outside_are_shown_and_reverted, |tf| {
    let s = Setup::new(tf);
    s.apply(r#"resource "ivschat_room" "test" { name = "mine" }"#);
    let arn = s.room("ivschat_room.test")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    s.api().rename_room(&arn, "theirs");
    let plan = s.wd.run(["plan", "-no-color", "-detailed-exitcode"]);
    assert_eq!(plan.code(), 2, "{}", plan.dump());
    assert!(
        plan.stdout.contains("\"theirs\" -> \"mine\""),
        "{}",
        plan.dump()
    );
    s.wd.apply();
    s.wd.assert_no_changes();
    s.assert_emulator_matches_state();
});

terraform_test!(a_full_update_happens_in_place, |tf| {
    let s = Setup::new(tf);
    s.apply(r#"resource "ivschat_room" "test" { name = "a" }"#);
    let arn = s.room("ivschat_room.test")["arn"].clone();
    s.apply(&format!(
        r#"resource "ivschat_room" "test" {{
  name                            = "b"
  maximum_message_length          = 1
  maximum_message_rate_per_second = 100
  message_review_handler {{
    uri             = "{LAMBDA}"
    fallback_result = "DENY"
  }}
}}"#
    ));
    let room = s.room("ivschat_room.test");
    assert_eq!(room["arn"], arn);
    assert_eq!(room["name"], "b");
    assert_eq!(room["maximum_message_length"], 1);
    assert_eq!(room["maximum_message_rate_per_second"], 100);
    assert_eq!(room["message_review_handler"][0]["fallback_result"], "DENY");
    // Removing the limits returns them to the defaults.
    s.apply(&format!(
        r#"resource "ivschat_room" "test" {{
  name = "b"
  message_review_handler {{
    uri = "{LAMBDA}"
  }}
}}"#
    ));
    let room = s.room("ivschat_room.test");
    assert_eq!(room["maximum_message_length"], 500);
    assert_eq!(room["maximum_message_rate_per_second"], 10);
    assert_eq!(
        room["message_review_handler"][0]["fallback_result"],
        "ALLOW"
    );
    s.assert_emulator_matches_state();
});

terraform_test!(
    review_handler_detaches_with_an_empty_uri_and_when_removed,
    |tf| {
        let s = Setup::new(tf);
        let with = |uri: &str| {
            format!(
                "resource \"ivschat_room\" \"test\" {{\n  message_review_handler {{\n    uri = \"{uri}\"\n  }}\n}}"
            )
        };
        s.apply(&with(LAMBDA));
        let arn = s.room("ivschat_room.test")["arn"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(s.api().handler_uri(&arn).as_deref(), Some(LAMBDA));
        s.apply(&with(""));
        assert_eq!(s.api().handler_uri(&arn), None);
        assert_eq!(
            s.room("ivschat_room.test")["message_review_handler"][0]["uri"],
            ""
        );
        s.apply(&with(LAMBDA));
        s.apply(r#"resource "ivschat_room" "test" {}"#);
        assert_eq!(
            s.api().handler_uri(&arn),
            None,
            "removing the block detaches the handler"
        );
        assert_eq!(
            s.room("ivschat_room.test")["message_review_handler"],
            serde_json::json!([])
        );
        s.assert_emulator_matches_state();
    }
);

terraform_test!(logging_configuration_lists_change_in_place, |tf| {
    let s = Setup::new(tf);
    let configs = r#"
resource "ivschat_logging_configuration" "a" {
  destination_configuration {
    s3 { bucket_name = "bucket-a" }
  }
}
resource "ivschat_logging_configuration" "b" {
  destination_configuration {
    cloudwatch_logs { log_group_name = "group-b" }
  }
}
resource "ivschat_logging_configuration" "c" {
  destination_configuration {
    firehose { delivery_stream_name = "stream-c" }
  }
}
"#;
    let room = |ids: &str| {
        format!(
            "{configs}\nresource \"ivschat_room\" \"test\" {{\n  logging_configuration_identifiers = [{ids}]\n}}"
        )
    };
    s.apply(&room("ivschat_logging_configuration.a.arn"));
    let arn = s.room("ivschat_room.test")["arn"].clone();
    s.apply(&room(
        "ivschat_logging_configuration.a.arn, ivschat_logging_configuration.b.arn",
    ));
    assert_eq!(
        s.room("ivschat_room.test")["logging_configuration_identifiers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    s.apply(&room("ivschat_logging_configuration.c.arn"));
    let c = s.room("ivschat_logging_configuration.c")["arn"].clone();
    assert_eq!(
        s.room("ivschat_room.test")["logging_configuration_identifiers"],
        serde_json::json!([c])
    );
    s.apply(&room(""));
    assert_eq!(
        s.room("ivschat_room.test")["logging_configuration_identifiers"],
        serde_json::json!([])
    );
    assert_eq!(s.room("ivschat_room.test")["arn"], arn);
    s.assert_emulator_matches_state();
});

terraform_test!(import_by_arn_then_plan_nothing, |tf| {
    let s = Setup::new(tf);
    let body = r#"resource "ivschat_room" "test" {
  name = "imported"
  tags = { k = "v" }
}"#;
    s.apply(body);
    let arn = s.room("ivschat_room.test")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    s.wd.run(["state", "rm", "ivschat_room.test"])
        .assert_success();
    s.wd.run(["import", "-no-color", "ivschat_room.test", &arn])
        .assert_success();
    s.wd.assert_no_changes();
    let room = s.room("ivschat_room.test");
    assert_eq!(room["name"], "imported");
    assert_eq!(room["tags"], serde_json::json!({"k": "v"}));
    s.wd.run(["state", "rm", "ivschat_room.test"])
        .assert_success();
    s.wd.run(["import", "-no-color", "ivschat_room.test", "room/abc"])
        .assert_failure_contains("Invalid Import ID");
    // Removed from state on purpose: the room itself stays.
    s.assert_emulator_matches_state_besides(&[&arn]);
});

terraform_test!(every_bound_is_checked_at_plan_time, |tf| {
    let s = Setup::new(tf);
    let cases = [
        (
            "maximum_message_length = 0",
            "maximum_message_length must be a whole number between 1 and 500",
        ),
        (
            "maximum_message_length = 501",
            "maximum_message_length must be a whole number between 1 and 500",
        ),
        ("maximum_message_rate_per_second = 0", "between 1 and 100"),
        ("maximum_message_rate_per_second = 101", "between 1 and 100"),
        (
            "name = \"has space\"",
            "contain only letters, digits, hyphens and underscores",
        ),
        (
            &format!("name = \"{}\"", "n".repeat(129)),
            "at most 128 characters",
        ),
        (
            "message_review_handler {\n uri = \"http://example.com\"\n}",
            "Lambda function ARN",
        ),
        (
            "message_review_handler {\n uri = \"\"\n fallback_result = \"MAYBE\"\n}",
            "be one of \"ALLOW\", \"DENY\"",
        ),
        ("tags = { \"aws:reserved\" = \"x\" }", "aws:"),
        (
            "logging_configuration_identifiers = [\"arn:aws:ivschat:us-east-1:123456789012:logging-configuration/a\", \"arn:aws:ivschat:us-east-1:123456789012:logging-configuration/b\", \"arn:aws:ivschat:us-east-1:123456789012:logging-configuration/c\", \"arn:aws:ivschat:us-east-1:123456789012:logging-configuration/d\"]",
            "at most 3 elements",
        ),
        (
            "logging_configuration_identifiers = [\"not-an-arn\"]",
            "logging configuration ARN",
        ),
    ];
    for (attr, message) in cases {
        s.wd.write_config(&format!(
            "{}\nresource \"ivschat_room\" \"test\" {{\n  {attr}\n}}",
            s.provider_block("")
        ));
        let out = s.wd.run(["plan", "-no-color"]);
        assert_error(&out, message);
        assert_error(&out, "main.tf line");
    }
    // The accepting side of each bound.
    s.apply(&format!(
        "resource \"ivschat_room\" \"test\" {{\n  name = \"{}\"\n  maximum_message_length = 500\n  maximum_message_rate_per_second = 1\n}}",
        "n".repeat(128)
    ));
    assert_eq!(s.api().room_count(), 1);
    s.assert_emulator_matches_state();
});

/// `import {}` blocks with `-generate-config-out` (Terraform ≥ 1.5): the generated HCL applies
/// with no changes, for both resource types.
#[test]
fn import_blocks_generate_configuration_that_plans_nothing() {
    let tf = support::Terraform::get("1.15.5");
    let s = Setup::new(&tf);
    let api = s.api();
    let room = api
        .rt
        .block_on(
            api.client
                .create_room()
                .name("made-elsewhere")
                .maximum_message_length(42)
                .message_review_handler(
                    aws_sdk_ivschat::types::MessageReviewHandler::builder()
                        .uri(LAMBDA)
                        .fallback_result(aws_sdk_ivschat::types::FallbackResult::Deny)
                        .build(),
                )
                .tags("team", "chat")
                .send(),
        )
        .unwrap();
    let arn = room.arn().unwrap();
    let logging = api
        .rt
        .block_on(
            api.client
                .create_logging_configuration()
                .name("elsewhere")
                .destination_configuration(aws_sdk_ivschat::types::DestinationConfiguration::S3(
                    aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                        .bucket_name("chat-logs")
                        .build()
                        .unwrap(),
                ))
                .send(),
        )
        .unwrap();
    let logging_arn = logging.arn().unwrap();
    // Made outside a while ago: under eventual consistency, let the reads show both first.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while [arn, logging_arn]
        .iter()
        .any(|a| s.emulator.handle().visible_at(a).is_some())
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    s.wd.write_config(&format!(
        "{}\nimport {{\n  to = ivschat_room.imported\n  id = \"{arn}\"\n}}\nimport {{\n  to = ivschat_logging_configuration.imported\n  id = \"{logging_arn}\"\n}}\n",
        s.provider_block("")
    ));
    s.wd.run(["plan", "-no-color", "-generate-config-out=generated.tf"])
        .assert_success();
    let generated = std::fs::read_to_string(s.wd.dir().join("generated.tf")).unwrap();
    assert!(generated.contains("made-elsewhere"), "{generated}");
    // Written by the provider (GenerateResourceConfig), as a person would: no null, no default.
    for absent in [
        "null",
        "maximum_message_rate_per_second",
        "timeouts",
        "region",
    ] {
        assert!(!generated.contains(absent), "{absent}: {generated}");
    }
    s.wd.apply();
    s.wd.assert_no_changes();
    let room = s.room("ivschat_room.imported");
    assert_eq!(room["arn"], arn);
    assert_eq!(room["maximum_message_length"], 42);
    assert_eq!(room["message_review_handler"][0]["fallback_result"], "DENY");
    assert_eq!(room["tags"], serde_json::json!({"team": "chat"}));
    assert_eq!(
        s.room("ivschat_logging_configuration.imported")["name"],
        "elsewhere"
    );
    assert_eq!(api.room_count(), 1, "imported, not created again");
    s.assert_emulator_matches_state();
}

terraform_test!(a_room_can_grow_to_the_full_fifty_tags, |tf| {
    let s = Setup::new(tf);
    s.apply(r#"resource "ivschat_room" "test" { tags = { k0 = "v" } }"#);
    let fifty: Vec<String> = (0..50).map(|i| format!("k{i} = \"v\"")).collect();
    s.apply(&format!(
        "resource \"ivschat_room\" \"test\" {{\n  tags = {{\n    {}\n  }}\n}}",
        fifty.join("\n    ")
    ));
    let room = s.room("ivschat_room.test");
    assert_eq!(room["tags_all"].as_object().unwrap().len(), 50);
    let arn = room["arn"].as_str().unwrap();
    let api = s.api();
    let tags = api
        .rt
        .block_on(api.client.get_room().identifier(arn).send())
        .unwrap()
        .tags()
        .unwrap()
        .len();
    assert_eq!(
        tags, 50,
        "the hidden create marker made room for the user's fiftieth tag"
    );
    s.assert_emulator_matches_state();
});
