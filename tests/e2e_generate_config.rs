//! GenerateResourceConfig end to end (Terraform 1.15.5): an account holding rooms of every
//! shape and logging configurations of each destination kind, all made through the API;
//! `terraform query -generate-config-out` writes the configuration a person would write (no
//! `null`, no argument at its default, blocks only when set, logging configurations as
//! literal ARNs); `terraform plan` on it shows only imports.

#[allow(unused_macros, unused_imports)]
mod support;

use aws_sdk_ivschat::types::{
    CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FirehoseDestinationConfiguration, MessageReviewHandler, RoomSummary,
    S3DestinationConfiguration,
};
use support::Setup;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

fn logging_configuration(s: &Setup, name: &str, destination: DestinationConfiguration) -> String {
    s.rt.block_on(
        s.api
            .create_logging_configuration()
            .name(name)
            .destination_configuration(destination)
            .send(),
    )
    .unwrap()
    .arn()
    .unwrap()
    .to_owned()
}

/// The text of the `resource` block of `generated` that holds `arn` (its import block names
/// the ARN in its identity, the resource block follows or precedes it).
fn block_for<'a>(generated: &'a str, resource_type: &str, arn: &str) -> &'a str {
    // Blocks are separated by blank lines; each import block names the resource it imports.
    let blocks: Vec<&str> = generated.split("\n\n").collect();
    let import = blocks
        .iter()
        .find(|b| b.trim_start().starts_with("import") && b.contains(arn))
        .unwrap_or_else(|| panic!("no import block for {arn}:\n{generated}"));
    let to = import
        .lines()
        .find_map(|l| l.trim().strip_prefix("to").map(|r| r.trim_start_matches([' ', '=']).trim()))
        .unwrap_or_else(|| panic!("import block without `to`: {import}"));
    let name = to
        .strip_prefix(&format!("{resource_type}."))
        .unwrap_or_else(|| panic!("{to} is not a {resource_type}"));
    let header = format!("resource \"{resource_type}\" \"{name}\" {{");
    blocks
        .iter()
        .find(|b| b.trim_start().starts_with(&header))
        .unwrap_or_else(|| panic!("no {header}:\n{generated}"))
}

#[test]
fn generated_configuration_is_what_a_person_would_write() {
    let s = Setup::latest();

    // Logging configurations, one per destination kind.
    let s3 = logging_configuration(
        &s,
        "to-s3",
        DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("chat-logs")
                .build()
                .unwrap(),
        ),
    );
    let cloudwatch = logging_configuration(
        &s,
        "to-cloudwatch",
        DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("chat/logs")
                .build()
                .unwrap(),
        ),
    );
    let firehose = logging_configuration(
        &s,
        "",
        DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("chat-stream")
                .build()
                .unwrap(),
        ),
    );

    // Rooms: all defaults; every attribute set; a review handler without a fallback; 50 tags.
    let room = |b: aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder| {
        s.rt.block_on(b.send()).unwrap().arn().unwrap().to_owned()
    };
    let defaults = room(s.api.create_room());
    let full = room(
        s.api
            .create_room()
            .name("everything")
            .maximum_message_length(120)
            .maximum_message_rate_per_second(55)
            .message_review_handler(
                MessageReviewHandler::builder()
                    .uri(LAMBDA)
                    .fallback_result("DENY".into())
                    .build(),
            )
            .logging_configuration_identifiers(&s3)
            .logging_configuration_identifiers(&cloudwatch)
            .logging_configuration_identifiers(&firehose)
            .tags("team", "chat")
            .tags("env", "prod"),
    );
    let reviewed = room(
        s.api
            .create_room()
            .name("reviewed")
            .message_review_handler(MessageReviewHandler::builder().uri(LAMBDA).build()),
    );
    let mut b = s.api.create_room().name("many-tags");
    for i in 0..50 {
        b = b.tags(format!("key-{i:02}"), format!("value-{i}"));
    }
    let tagged = room(b);
    std::thread::sleep(std::time::Duration::from_millis(400));
    let rooms: Vec<RoomSummary> = s
        .rt
        .block_on(s.api.list_rooms().send())
        .unwrap()
        .rooms()
        .to_vec();
    assert_eq!(rooms.len(), 4);

    s.wd.write_config(&s.emulator.provider_hcl(""));
    s.wd.write_file(
        "search.tfquery.hcl",
        r#"
list "ivschat_room" "rooms" {
  provider = ivschat
}

list "ivschat_logging_configuration" "logs" {
  provider = ivschat
}
"#,
    );
    let out = s
        .wd
        .run(["query", "-no-color", "-generate-config-out=generated.tf"]);
    out.assert_success();
    let generated = std::fs::read_to_string(s.wd.dir().join("generated.tf")).unwrap();

    // Nothing a person would leave out.
    for absent in [
        "null",
        "maximum_message_length = 500",
        "maximum_message_rate_per_second = 10",
        "\"ALLOW\"",
        "name = \"\"",
        "tags = {}",
        "logging_configuration_identifiers = []",
        "tags_all",
        "region",
        "timeouts",
        "arn =",
        "id =",
        "state =",
    ] {
        let lines: Vec<&str> = generated.lines().filter(|l| l.contains(absent)).collect();
        assert!(
            lines.iter().all(|l| l.trim_start().starts_with('#')
                || l.contains("identity")
                || l.trim_start().starts_with("to ")),
            "generated configuration has {absent:?}: {lines:?}\n{generated}"
        );
    }

    // Each object's block holds exactly what was set.
    let b = block_for(&generated, "ivschat_room", &defaults);
    let arguments: Vec<&str> = b
        .lines()
        .filter(|l| l.contains('=') || l.contains('{'))
        .collect();
    assert_eq!(arguments.len(), 1, "only the header: {b}");

    let b = block_for(&generated, "ivschat_room", &full);
    for present in [
        "name                            = \"everything\"",
        "maximum_message_length          = 120",
        "maximum_message_rate_per_second = 55",
        "message_review_handler {",
        "fallback_result = \"DENY\"",
        "team = \"chat\"",
        "env  = \"prod\"",
    ] {
        assert!(b.contains(present), "{present:?} missing:\n{b}");
    }
    for arn in [&s3, &cloudwatch, &firehose] {
        assert!(b.contains(&format!("\"{arn}\"")), "{arn} missing:\n{b}");
    }
    assert!(b.contains(LAMBDA), "{b}");

    let b = block_for(&generated, "ivschat_room", &reviewed);
    assert!(b.contains("message_review_handler {"), "{b}");
    assert!(b.contains(&format!("uri = \"{LAMBDA}\"")), "{b}");
    assert!(!b.contains("fallback_result"), "{b}");

    let b = block_for(&generated, "ivschat_room", &tagged);
    for i in 0..50 {
        assert!(b.contains(&format!("\"key-{i:02}\"")), "key-{i:02} missing:\n{b}");
    }

    for (arn, kind, field) in [
        (&s3, "s3 {", "bucket_name = \"chat-logs\""),
        (
            &cloudwatch,
            "cloudwatch_logs {",
            "log_group_name = \"chat/logs\"",
        ),
        (
            &firehose,
            "firehose {",
            "delivery_stream_name = \"chat-stream\"",
        ),
    ] {
        let b = block_for(&generated, "ivschat_logging_configuration", arn);
        assert!(b.contains("destination_configuration {"), "{b}");
        assert!(b.contains(kind) && b.contains(field), "{b}");
        assert_eq!(
            ["s3 {", "cloudwatch_logs {", "firehose {"]
                .iter()
                .filter(|k| b.contains(*k))
                .count(),
            1,
            "one destination block: {b}"
        );
    }

    // Planned: the seven imports, nothing else.
    let plan = s.wd.run(["plan", "-no-color", "-input=false"]);
    plan.assert_success();
    assert!(
        plan.stdout
            .contains("Plan: 7 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.dump()
    );
    assert!(!plan.stdout.contains("will be updated"), "{}", plan.dump());
    let out = s.wd.apply();
    assert!(
        out.stdout
            .contains("7 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.dump()
    );
    s.wd.assert_no_changes();
}
