//! GenerateResourceConfig end to end (Terraform 1.15.5): an account holding rooms of every
//! shape and logging configurations of each destination kind, all made through the API;
//! `terraform query -generate-config-out` writes the configuration a person would write (no
//! `null`, no argument at its default, blocks only when set, logging configurations as
//! literal ARNs); `terraform plan` on it shows only imports.

#[allow(unused_macros, unused_imports)]
use crate::support;

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

/// `text` with every run of white space made one space (hclwrite aligns `=` signs).
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of the `resource` block of `generated` that holds `arn` (its import block names
/// the ARN in its identity, the resource block follows or precedes it).
fn block_for(generated: &str, resource_type: &str, arn: &str) -> String {
    let blocks = blocks(generated);
    let import = blocks
        .iter()
        .find(|b| b.starts_with("import") && b.contains(arn))
        .unwrap_or_else(|| panic!("no import block for {arn}:\n{generated}"));
    let to = import
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("to")
                .map(|r| r.trim_start_matches([' ', '=']).trim())
        })
        .unwrap_or_else(|| panic!("import block without `to`: {import}"));
    let name = to
        .strip_prefix(&format!("{resource_type}."))
        .unwrap_or_else(|| panic!("{to} is not a {resource_type}"));
    let header = format!("resource \"{resource_type}\" \"{name}\" {{");
    blocks
        .iter()
        .find(|b| b.starts_with(&header))
        .unwrap_or_else(|| panic!("no {header}:\n{generated}"))
        .clone()
}

/// The top-level blocks of `generated` (separated by blank lines), without Terraform's
/// `# __generated__` comment lines.
fn blocks(generated: &str) -> Vec<String> {
    generated
        .split("\n\n")
        .map(|b| {
            b.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_owned()
        })
        .filter(|b| !b.is_empty())
        .collect()
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
    let rooms: Vec<RoomSummary> =
        s.rt.block_on(s.api.list_rooms().send())
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
    let out =
        s.wd.run(["query", "-no-color", "-generate-config-out=generated.tf"]);
    out.assert_success();
    let generated = std::fs::read_to_string(s.wd.dir().join("generated.tf")).unwrap();

    // No null anywhere; in the resource blocks, nothing a person would leave out.
    assert!(!generated.contains("null"), "{generated}");
    let resources: Vec<String> = blocks(&generated)
        .into_iter()
        .filter(|b| b.starts_with("resource "))
        .map(|b| normalized(&b))
        .collect();
    assert_eq!(resources.len(), 7, "{generated}");
    for absent in [
        "maximum_message_length = 500",
        "maximum_message_rate_per_second = 10",
        "\"ALLOW\"",
        "name = \"\"",
        "tags = {}",
        "logging_configuration_identifiers = []",
        "tags_all",
        "region",
        "timeouts",
        " arn =",
        " id =",
        " state =",
    ] {
        for r in &resources {
            assert!(!r.contains(absent), "generated {absent:?}: {r}");
        }
    }

    // Each object's block holds exactly what was set.
    let b = block_for(&generated, "ivschat_room", &defaults);
    let arguments: Vec<&str> = b
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("resource ") && !l.starts_with("provider ") && *l != "}")
        .collect();
    assert!(arguments.is_empty(), "nothing set, nothing written: {b}");

    let b = normalized(&block_for(&generated, "ivschat_room", &full));
    for present in [
        "name = \"everything\"",
        "maximum_message_length = 120",
        "maximum_message_rate_per_second = 55",
        "message_review_handler {",
        &format!("uri = \"{LAMBDA}\""),
        "fallback_result = \"DENY\"",
        "team = \"chat\"",
        "env = \"prod\"",
    ] {
        assert!(b.contains(present), "{present:?} missing: {b}");
    }
    for arn in [&s3, &cloudwatch, &firehose] {
        assert!(b.contains(&format!("\"{arn}\"")), "{arn} missing: {b}");
    }

    let b = normalized(&block_for(&generated, "ivschat_room", &reviewed));
    assert!(b.contains("message_review_handler {"), "{b}");
    assert!(b.contains(&format!("uri = \"{LAMBDA}\"")), "{b}");
    assert!(!b.contains("fallback_result"), "{b}");

    let b = normalized(&block_for(&generated, "ivschat_room", &tagged));
    for i in 0..50 {
        assert!(
            b.contains(&format!("key-{i:02} = \"value-{i}\"")),
            "key-{i:02} missing: {b}"
        );
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
        let b = normalized(&block_for(&generated, "ivschat_logging_configuration", arn));
        assert!(b.contains("destination_configuration {"), "{b}");
        let named = [(&s3, "to-s3"), (&cloudwatch, "to-cloudwatch")]
            .iter()
            .find(|(a, _)| *a == arn)
            .map(|(_, n)| *n);
        match named {
            Some(n) => assert!(b.contains(&format!("name = \"{n}\"")), "{b}"),
            None => assert!(!b.contains(" name ="), "{b}"),
        }
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
