//! The data sources end to end: real Terraform 1.0.3 and 1.15.5 read rooms and logging
//! configurations from ivschat-local, made both by Terraform and directly through the API.
//!
//! The emulator runs in-process, one per test, without rate quotas so that the rooms made
//! through the API appear at once (the provider still paces its own calls).

use crate::support;

use support::Setup;

use std::time::Duration;

use serde_json::{Value as Json, json};
use support::terraform_test;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

/// A working directory, an emulator, and an SDK client pointed at it.
/// An emulator without quotas whose logging configurations settle at once: data source
/// tests seed many objects.
fn fast_setup(tf: &support::Terraform) -> Setup {
    Setup::with_emulator(
        tf,
        support::start_emulator_with(ivschat_local::Config {
            quotas: ivschat_local::QuotaMode::Off,
            logging_settle: Duration::ZERO,
            ..ivschat_local::Config::default()
        }),
    )
}

/// Writes the configuration. Under eventual consistency, first lets the lag of the changes this
/// test made through the API pass: they model changes made outside Terraform a while ago (the
/// provider's own writes need no such pause).
fn write_settled(s: &Setup, body: &str) {
    if matches!(
        support::test_consistency(),
        ivschat_local::Consistency::Eventual { .. }
    ) {
        std::thread::sleep(Duration::from_millis(support::consistency_lag_ms() + 50));
    }
    s.write(body);
}

impl Setup {
    /// Creates a room through the API (not Terraform); returns its ARN.
    fn api_room(
        &self,
        name: &str,
        tags: &[(&str, &str)],
        handler: bool,
        logging: &[&str],
    ) -> String {
        let tags: std::collections::HashMap<String, String> = tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut b = self
            .api
            .create_room()
            .name(name)
            .maximum_message_length(123)
            .maximum_message_rate_per_second(42)
            .set_tags((!tags.is_empty()).then_some(tags))
            .set_logging_configuration_identifiers(
                (!logging.is_empty()).then(|| logging.iter().map(|s| (*s).to_owned()).collect()),
            );
        if handler {
            b = b.message_review_handler(
                aws_sdk_ivschat::types::MessageReviewHandler::builder()
                    .uri(LAMBDA)
                    .fallback_result(aws_sdk_ivschat::types::FallbackResult::Deny)
                    .build(),
            );
        }
        let out = self.rt.block_on(b.send()).unwrap();
        out.arn().unwrap().to_owned()
    }

    fn api_logging(&self, name: &str, bucket: &str) -> String {
        let dest = aws_sdk_ivschat::types::DestinationConfiguration::S3(
            aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                .bucket_name(bucket)
                .build()
                .unwrap(),
        );
        let out = self
            .rt
            .block_on(
                self.api
                    .create_logging_configuration()
                    .name(name)
                    .destination_configuration(dest)
                    .tags("owner", "api")
                    .send(),
            )
            .unwrap();
        out.arn().unwrap().to_owned()
    }

    /// The ARNs of every room, in the API's own order.
    fn api_arns(&self) -> Vec<String> {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .rt
                .block_on(self.api.list_rooms().set_next_token(token).send())
                .unwrap();
            arns.extend(out.rooms().iter().map(|r| r.arn().unwrap().to_owned()));
            match out.next_token() {
                Some(t) => token = Some(t.to_owned()),
                None => return arns,
            }
        }
    }

    fn calls(&self, operation: &str) -> u64 {
        self.emulator
            .handle()
            .operation_counts()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }
}

/// Panics unless `out` failed and mentions `needle`, read with Terraform's line wrapping and
/// box drawing undone.
fn fails_with(out: &support::TfOutput, needle: &str) {
    assert!(!out.success(), "should have failed:\n{}", out.dump());
    let flat = |t: &str| {
        t.replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = flat(&format!("{}\n{}", out.stdout, out.stderr));
    assert!(
        text.contains(&flat(needle)),
        "output lacks {needle:?}:\n{}",
        out.dump()
    );
}

fn names(rooms: &Json) -> Vec<String> {
    rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

// Rooms by Terraform and by the API; every filter alone and combined; the single-object data
// sources; data read at plan time when its inputs are known, at apply time when they are not.
terraform_test!(filters_find_rooms_made_by_terraform_and_by_the_api, |tf| {
    let s = fast_setup(tf);
    let audit = s.api_logging("audit", "chat-audit-bucket");
    let red = s.api_room("red", &[("team", "red"), ("env", "dev")], false, &[]);
    let reviewed = s.api_room("reviewed", &[("team", "blue")], true, &[]);
    let logged = s.api_room(
        "logged",
        &[("team", "red"), ("env", "prod")],
        false,
        &[&audit],
    );
    let tf_room = r#"
resource "ivschat_room" "tf" {
  name = "from-terraform"
  tags = { team = "red", env = "prod" }
}
"#;
    write_settled(&s, tf_room);
    s.wd.apply();

    let body = format!(
        r#"{tf_room}
resource "ivschat_logging_configuration" "new" {{
  name = "new"
  destination_configuration {{
    cloudwatch_logs {{
      log_group_name = "chat/new"
    }}
  }}
}}

data "ivschat_rooms" "all" {{}}
data "ivschat_rooms" "by_name" {{ name = "red" }}
data "ivschat_rooms" "by_handler" {{ message_review_handler_uri = "{LAMBDA}" }}
data "ivschat_rooms" "by_logging" {{ logging_configuration_identifier = "{audit}" }}
data "ivschat_rooms" "by_tag" {{ tags = {{ team = "red" }} }}
data "ivschat_rooms" "by_tags" {{ tags = {{ team = "red", env = "prod" }} }}
data "ivschat_rooms" "name_and_tags" {{
  name = "logged"
  tags = {{ env = "prod" }}
}}
data "ivschat_rooms" "name_and_other_tags" {{
  name = "logged"
  tags = {{ env = "dev" }}
}}
data "ivschat_rooms" "logging_and_name" {{
  name                             = "logged"
  logging_configuration_identifier = "{audit}"
}}
data "ivschat_rooms" "none" {{ name = "no-such-room" }}
data "ivschat_rooms" "west" {{ region = "us-west-2" }}

# Inputs known at plan time: read during plan.
data "ivschat_room" "api" {{ arn = "{reviewed}" }}
data "ivschat_room" "tf" {{ arn = ivschat_room.tf.arn }}
data "ivschat_logging_configuration" "audit" {{ arn = "{audit}" }}

# Inputs that depend on an object being created: read during apply.
data "ivschat_logging_configuration" "new" {{ arn = ivschat_logging_configuration.new.arn }}
data "ivschat_rooms" "by_new_logging" {{
  logging_configuration_identifier = ivschat_logging_configuration.new.arn
}}
data "ivschat_logging_configurations" "all" {{
  depends_on = [ivschat_logging_configuration.new]
}}

output "all" {{ value = data.ivschat_rooms.all }}
output "by_name" {{ value = data.ivschat_rooms.by_name.rooms }}
output "by_handler" {{ value = data.ivschat_rooms.by_handler.rooms }}
output "by_logging" {{ value = data.ivschat_rooms.by_logging.arns }}
output "by_tag" {{ value = data.ivschat_rooms.by_tag.rooms }}
output "by_tags" {{ value = data.ivschat_rooms.by_tags.rooms }}
output "name_and_tags" {{ value = data.ivschat_rooms.name_and_tags.arns }}
output "name_and_other_tags" {{ value = data.ivschat_rooms.name_and_other_tags }}
output "logging_and_name" {{ value = data.ivschat_rooms.logging_and_name.arns }}
output "none" {{ value = data.ivschat_rooms.none }}
output "west" {{ value = data.ivschat_rooms.west.arns }}
output "api" {{ value = data.ivschat_room.api }}
output "tf" {{ value = data.ivschat_room.tf }}
output "tf_arn" {{ value = ivschat_room.tf.arn }}
output "logging" {{ value = data.ivschat_logging_configuration.audit }}
output "logging_new" {{ value = data.ivschat_logging_configuration.new }}
output "logging_new_arn" {{ value = ivschat_logging_configuration.new.arn }}
output "by_new_logging" {{ value = data.ivschat_rooms.by_new_logging }}
output "logging_all" {{ value = data.ivschat_logging_configurations.all }}
"#
    );
    write_settled(&s, &body);

    // Plan: the data sources with known inputs are read now, the ones that depend on the new
    // logging configuration are left for apply.
    let gets_before = s.calls("GetRoom");
    let plan = s.wd.run(["plan", "-no-color", "-input=false"]);
    plan.assert_success();
    for later in [
        "ivschat_logging_configuration.new",
        "ivschat_rooms.by_new_logging",
        "ivschat_logging_configurations.all",
    ] {
        assert!(
            plan.stdout
                .contains(&format!("data.{later} will be read during apply")),
            "{later} depends on a new object and must be read during apply:\n{}",
            plan.dump()
        );
    }
    for now in [
        "ivschat_rooms.all",
        "ivschat_room.api",
        "ivschat_room.tf",
        "ivschat_logging_configuration.audit",
    ] {
        assert!(
            !plan
                .stdout
                .contains(&format!("data.{now} will be read during apply")),
            "{now} has known inputs and must be read during plan:\n{}",
            plan.dump()
        );
    }
    // data.ivschat_room.api and data.ivschat_room.tf (GetRoom: a summary lacks the maximum
    // values), and the refresh of ivschat_room.tf unless the ListRooms pages that
    // data.ivschat_rooms.all shares with refreshes answered it first.
    let gets = s.calls("GetRoom") - gets_before;
    assert!((2..=3).contains(&gets), "GetRoom calls during plan: {gets}");

    s.wd.apply();
    s.wd.assert_no_changes();
    let o = s.outputs();
    let tf_arn = o["tf_arn"].as_str().unwrap().to_owned();

    // All rooms, newest update first, as the API orders them.
    let all = &o["all"];
    assert_eq!(
        names(&all["rooms"]),
        ["from-terraform", "logged", "reviewed", "red"],
        "{all:#}"
    );
    assert_eq!(strings(&all["arns"]), s.api_arns());
    assert_eq!(all["region"], "us-east-1");
    assert_eq!(all["name"], Json::Null);
    assert_eq!(all["tags"], Json::Null);
    let second = &all["rooms"][1];
    assert_eq!(second["arn"], logged.as_str());
    assert_eq!(second["id"], logged.rsplit('/').next().unwrap());
    assert_eq!(second["tags"], json!({"team": "red", "env": "prod"}));
    assert_eq!(second["logging_configuration_identifiers"], json!([audit]));
    assert_eq!(second["message_review_handler"], json!([]));
    for t in ["create_time", "update_time"] {
        let v = second[t].as_str().unwrap();
        assert!(
            v.len() >= 20 && v.contains('T') && v.ends_with('Z'),
            "{t} = {v:?}"
        );
    }
    // The provider's hidden create marker never shows among the tags.
    assert_eq!(all["rooms"][0]["arn"], tf_arn.as_str());
    assert_eq!(
        all["rooms"][0]["tags"],
        json!({"team": "red", "env": "prod"}),
        "{all:#}"
    );

    // Each filter alone.
    assert_eq!(names(&o["by_name"]), ["red"]);
    assert_eq!(o["by_name"][0]["arn"], red.as_str());
    assert_eq!(names(&o["by_handler"]), ["reviewed"]);
    assert_eq!(
        o["by_handler"][0]["message_review_handler"],
        json!([{"uri": LAMBDA, "fallback_result": "DENY"}])
    );
    assert_eq!(strings(&o["by_logging"]), [logged.as_str()]);
    assert_eq!(names(&o["by_tag"]), ["from-terraform", "logged", "red"]);
    assert_eq!(names(&o["by_tags"]), ["from-terraform", "logged"]);

    // Combined.
    assert_eq!(strings(&o["name_and_tags"]), [logged.as_str()]);
    assert_eq!(strings(&o["logging_and_name"]), [logged.as_str()]);
    assert_eq!(o["name_and_other_tags"]["rooms"], json!([]));
    assert_eq!(o["name_and_other_tags"]["arns"], json!([]));
    assert_eq!(o["name_and_other_tags"]["name"], "logged");
    assert_eq!(o["name_and_other_tags"]["tags"], json!({"env": "dev"}));

    // Nothing matches: empty lists, not an error. Another region is another set of rooms.
    assert_eq!(o["none"]["rooms"], json!([]));
    assert_eq!(o["none"]["arns"], json!([]));
    assert_eq!(o["west"], json!([]));
    assert_eq!(o["by_new_logging"]["arns"], json!([]));
    assert_eq!(
        o["by_new_logging"]["logging_configuration_identifier"],
        o["logging_new_arn"]
    );

    // One room by ARN, with the maximum fields ListRooms does not return.
    let api = &o["api"];
    assert_eq!(api["arn"], reviewed.as_str());
    assert_eq!(api["id"], reviewed.rsplit('/').next().unwrap());
    assert_eq!(api["name"], "reviewed");
    assert_eq!(api["maximum_message_length"], 123);
    assert_eq!(api["maximum_message_rate_per_second"], 42);
    assert_eq!(
        api["message_review_handler"],
        json!([{"uri": LAMBDA, "fallback_result": "DENY"}])
    );
    assert_eq!(api["logging_configuration_identifiers"], json!([]));
    assert_eq!(api["tags"], json!({"team": "blue"}));
    assert_eq!(api["region"], "us-east-1");
    let tf_room = &o["tf"];
    assert_eq!(tf_room["arn"], tf_arn.as_str());
    assert_eq!(tf_room["name"], "from-terraform");
    assert_eq!(tf_room["maximum_message_length"], 500);
    assert_eq!(tf_room["maximum_message_rate_per_second"], 10);
    assert_eq!(tf_room["tags"], json!({"team": "red", "env": "prod"}));
    assert_eq!(tf_room["create_time"], all["rooms"][0]["create_time"]);

    // Logging configurations, by the API and by Terraform.
    let logging = &o["logging"];
    assert_eq!(logging["arn"], audit.as_str());
    assert_eq!(logging["name"], "audit");
    assert_eq!(logging["state"], "ACTIVE");
    assert_eq!(
        logging["destination_configuration"],
        json!([{"s3": [{"bucket_name": "chat-audit-bucket"}], "cloudwatch_logs": [], "firehose": []}])
    );
    assert_eq!(logging["tags"], json!({"owner": "api"}));
    let new = &o["logging_new"];
    assert_eq!(new["arn"], o["logging_new_arn"]);
    assert_eq!(
        new["destination_configuration"],
        json!([{"s3": [], "cloudwatch_logs": [{"log_group_name": "chat/new"}], "firehose": []}])
    );
    let logging_all = &o["logging_all"];
    assert_eq!(logging_all["arns"], json!([o["logging_new_arn"], audit]));
    assert_eq!(logging_all["logging_configurations"][1]["state"], "ACTIVE");
    assert_eq!(
        logging_all["logging_configurations"][1]["destination_configuration"],
        logging["destination_configuration"]
    );
    assert_eq!(logging_all["region"], "us-east-1");
    s.assert_emulator_matches_state_besides(&[&audit, &red, &reviewed, &logged]);
});

// More than 50 rooms: every page is followed, in order, and the tag filter applies across pages
// without extra calls.
terraform_test!(every_page_is_followed, |tf| {
    let s = fast_setup(tf);
    let mut tagged = Vec::new();
    let mut made = Vec::new();
    for i in 0..123 {
        let tags: &[(&str, &str)] = if i % 7 == 0 {
            &[("batch", "seven")]
        } else {
            &[("batch", "other")]
        };
        let arn = s.api_room(&format!("room-{i:03}"), tags, false, &[]);
        made.push(arn.clone());
        if i % 7 == 0 {
            tagged.push(arn);
        }
    }
    tagged.reverse();
    write_settled(
        &s,
        r#"
data "ivschat_rooms" "all" {}
data "ivschat_rooms" "sevens" { tags = { batch = "seven" } }
data "ivschat_rooms" "one" { name = "room-076" }
output "all" { value = data.ivschat_rooms.all.arns }
output "names" { value = data.ivschat_rooms.all.rooms[*].name }
output "sevens" { value = data.ivschat_rooms.sevens.arns }
output "one" { value = data.ivschat_rooms.one.rooms[0].tags }
"#,
    );
    let lists_before = s.calls("ListRooms");
    s.wd.apply();
    // apply = plan + apply in one run: each data source is read once. The unfiltered and the
    // tag-filtered one share the process's 3 pages; the name filter takes them too when they
    // are complete by then, else lists its 1 page.
    let lists = s.calls("ListRooms") - lists_before;
    assert!((3..=4).contains(&lists), "ListRooms calls: {lists}");
    let o = s.outputs();
    let all = strings(&o["all"]);
    assert_eq!(all.len(), 123);
    assert_eq!(all, s.api_arns(), "the API's order, newest first");
    let names = strings(&o["names"]);
    let expected: Vec<String> = (0..123).rev().map(|i| format!("room-{i:03}")).collect();
    assert_eq!(names, expected);
    assert_eq!(strings(&o["sevens"]), tagged);
    assert_eq!(o["one"], json!({"batch": "other"}));
    s.wd.assert_no_changes();
    let made: Vec<&str> = made.iter().map(String::as_str).collect();
    s.assert_emulator_matches_state_besides(&made);
});

// ARNs that name nothing fail with the ARN in the message and the attribute path; malformed
// ARNs fail validation before any call.
terraform_test!(missing_and_malformed_arns_are_clear_errors, |tf| {
    let s = fast_setup(tf);
    let missing_room = "arn:aws:ivschat:us-east-1:123456789012:room/AbCdEfGhIjKl";
    write_settled(
        &s,
        &format!("data \"ivschat_room\" \"x\" {{ arn = \"{missing_room}\" }}\n"),
    );
    let out = s.wd.run(["plan", "-no-color", "-input=false"]);
    fails_with(&out, "Room Not Found");
    fails_with(&out, missing_room);
    fails_with(&out, "data.ivschat_room.x");

    let missing_logging =
        "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/AbCdEfGhIjKl";
    write_settled(
        &s,
        &format!(
            "data \"ivschat_logging_configuration\" \"x\" {{ arn = \"{missing_logging}\" }}\n"
        ),
    );
    let out = s.wd.run(["plan", "-no-color", "-input=false"]);
    fails_with(&out, "Logging Configuration Not Found");
    fails_with(&out, missing_logging);

    // A room that existed and is gone: the same error.
    let gone = s.api_room("gone", &[], false, &[]);
    s.rt.block_on(s.api.delete_room().identifier(&gone).send())
        .unwrap();
    write_settled(
        &s,
        &format!("data \"ivschat_room\" \"x\" {{ arn = \"{gone}\" }}\n"),
    );
    fails_with(&s.wd.run(["plan", "-no-color", "-input=false"]), &gone);

    // A logging configuration ARN where a room ARN belongs.
    let calls: u64 = s.emulator.handle().operation_counts().values().sum();
    write_settled(
        &s,
        &format!("data \"ivschat_room\" \"x\" {{ arn = \"{missing_logging}\" }}\n"),
    );
    fails_with(
        &s.wd.run(["plan", "-no-color", "-input=false"]),
        "must be a room ARN",
    );
    // A region other than the ARN's.
    write_settled(
        &s,
        &format!(
            "data \"ivschat_room\" \"x\" {{\n  arn    = \"{missing_room}\"\n  region = \"eu-west-1\"\n}}\n"
        ),
    );
    fails_with(
        &s.wd.run(["plan", "-no-color", "-input=false"]),
        "is in region us-east-1, but region is set to \"eu-west-1\"",
    );
    let after: u64 = s.emulator.handle().operation_counts().values().sum();
    assert_eq!(
        after, calls,
        "no API call for a malformed ARN or a mismatched region"
    );
    s.assert_emulator_matches_state();
});

// A room created in the same apply as the data source that finds it by tag.
terraform_test!(
    data_that_depends_on_new_rooms_is_read_after_they_exist,
    |tf| {
        let s = fast_setup(tf);
        let outsider = s.api_room("outsider", &[("app", "chat")], false, &[]);
        write_settled(
            &s,
            r#"
resource "ivschat_room" "r" {
  count = 2
  name  = "tf-${count.index}"
  tags  = { app = "chat", run = "one" }
}
data "ivschat_rooms" "mine" {
  tags       = { app = "chat", run = "one" }
  depends_on = [ivschat_room.r]
}
output "mine" { value = data.ivschat_rooms.mine.rooms[*].name }
"#,
        );
        s.wd.apply();
        let mut names = strings(&s.outputs()["mine"]);
        names.sort();
        assert_eq!(names, ["tf-0", "tf-1"]);
        s.wd.assert_no_changes();
        s.assert_emulator_matches_state_besides(&[&outsider]);
    }
);
