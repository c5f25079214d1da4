//! Table-driven checks of every constrained input member of the model, both sides of
//! every bound, through the real SDK client.

use crate::common;

use aws_sdk_ivschat::types::{
    ChatTokenCapability, CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FallbackResult, FirehoseDestinationConfiguration, MessageReviewHandler,
    S3DestinationConfiguration,
};
use common::*;
use ivschat_local::Config;

fn s(n: usize) -> String {
    "a".repeat(n)
}

fn s3(b: &str) -> DestinationConfiguration {
    DestinationConfiguration::S3(
        S3DestinationConfiguration::builder()
            .bucket_name(b)
            .build()
            .unwrap(),
    )
}
fn cw(g: &str) -> DestinationConfiguration {
    DestinationConfiguration::CloudWatchLogs(
        CloudWatchLogsDestinationConfiguration::builder()
            .log_group_name(g)
            .build()
            .unwrap(),
    )
}
fn fh(n: &str) -> DestinationConfiguration {
    DestinationConfiguration::Firehose(
        FirehoseDestinationConfiguration::builder()
            .delivery_stream_name(n)
            .build()
            .unwrap(),
    )
}
fn lambda(len: usize) -> String {
    let base = "arn:aws:lambda:us-east-1:123456789012:function:";
    format!("{base}{}", "f".repeat(len - base.len()))
}
fn tags(n: usize) -> std::collections::HashMap<String, String> {
    (0..n).map(|i| (format!("k{i}"), "v".to_owned())).collect()
}
fn handler(uri: &str) -> MessageReviewHandler {
    MessageReviewHandler::builder().uri(uri).build()
}

/// `None` = must succeed; `Some(field)` = ValidationException naming `field`.
type Expect = Option<&'static str>;
const OK: Expect = None;
/// Passes validation, then ResourceNotFoundException.
const OK_NOT_FOUND: Expect = Some("!notfound");
const ROOM_PREFIX: &str = "arn:aws:ivschat:us-east-1:123456789012:room/";

macro_rules! case {
    ($results:ident, $label:expr, $expect:expr, $req:expr) => {{
        let r = Box::pin($req.send()).await;
        let got = match &r {
            Ok(_) => None,
            Err(e) if e.as_service_error().is_none() => {
                Some(("client".to_owned(), 0, format!("{e:?}")))
            }
            Err(e) => {
                let (code, status) = code_status(e);
                let msg = aws_sdk_ivschat::error::ProvideErrorMetadata::message(
                    e.as_service_error().unwrap(),
                )
                .unwrap_or_default()
                .to_owned();
                Some((code, status, msg))
            }
        };
        $results.push(($label.to_string(), $expect, got));
    }};
}

#[tokio::test]
async fn every_constraint_both_sides() {
    let (_emu, c) = start(Config {
        max_logging_configurations: 100,
        logging_settle: std::time::Duration::ZERO,
        ..test_config()
    })
    .await;
    let room = c.create_room().send().await.unwrap();
    let room_arn = room.arn().unwrap().to_owned();
    let lc = c
        .create_logging_configuration()
        .destination_configuration(s3("abc"))
        .send()
        .await
        .unwrap();
    let lc_arn = lc.arn().unwrap().to_owned();
    let mut r = Vec::new();

    // CreateRoom
    case!(r, "room name 0", OK, c.create_room().name(""));
    case!(r, "room name 128", OK, c.create_room().name(s(128)));
    case!(
        r,
        "room name 129",
        Some("name"),
        c.create_room().name(s(129))
    );
    case!(
        r,
        "room name pattern",
        Some("name"),
        c.create_room().name("a b")
    );
    case!(r, "room name chars", OK, c.create_room().name("A-z_09"));
    case!(
        r,
        "rate 1",
        OK,
        c.create_room().maximum_message_rate_per_second(1)
    );
    case!(
        r,
        "rate 100",
        OK,
        c.create_room().maximum_message_rate_per_second(100)
    );
    case!(
        r,
        "rate 0",
        Some("maximumMessageRatePerSecond"),
        c.create_room().maximum_message_rate_per_second(0)
    );
    case!(
        r,
        "rate 101",
        Some("maximumMessageRatePerSecond"),
        c.create_room().maximum_message_rate_per_second(101)
    );
    case!(r, "length 1", OK, c.create_room().maximum_message_length(1));
    case!(
        r,
        "length 500",
        OK,
        c.create_room().maximum_message_length(500)
    );
    case!(
        r,
        "length 0",
        Some("maximumMessageLength"),
        c.create_room().maximum_message_length(0)
    );
    case!(
        r,
        "length 501",
        Some("maximumMessageLength"),
        c.create_room().maximum_message_length(501)
    );
    case!(
        r,
        "uri empty",
        OK,
        c.create_room().message_review_handler(handler(""))
    );
    case!(
        r,
        "uri 170",
        OK,
        c.create_room()
            .message_review_handler(handler(&lambda(170)))
    );
    case!(
        r,
        "uri 171",
        Some("messageReviewHandler.uri"),
        c.create_room()
            .message_review_handler(handler(&lambda(171)))
    );
    case!(
        r,
        "uri pattern",
        Some("messageReviewHandler.uri"),
        c.create_room()
            .message_review_handler(handler("arn:aws:lambda:us-east-1:12345:function:x"))
    );
    case!(
        r,
        "fallback DENY",
        OK,
        c.create_room().message_review_handler(
            MessageReviewHandler::builder()
                .fallback_result(FallbackResult::Deny)
                .build()
        )
    );
    case!(
        r,
        "fallback enum",
        Some("messageReviewHandler.fallbackResult"),
        c.create_room().message_review_handler(
            MessageReviewHandler::builder()
                .fallback_result(FallbackResult::from("MAYBE"))
                .build()
        )
    );
    case!(
        r,
        "logging ids 4",
        Some("loggingConfigurationIdentifiers"),
        c.create_room()
            .set_logging_configuration_identifiers(Some(vec![lc_arn.clone(); 4]))
    );
    case!(
        r,
        "logging id pattern",
        Some("loggingConfigurationIdentifiers.1"),
        c.create_room()
            .logging_configuration_identifiers("arn:aws:ivschat:us-east-1:123456789012:room/abc")
    );
    case!(
        r,
        "logging id 1",
        OK,
        c.create_room().logging_configuration_identifiers(&lc_arn)
    );
    case!(r, "tags 50", OK, c.create_room().set_tags(Some(tags(50))));
    case!(
        r,
        "tags 51",
        Some("tags"),
        c.create_room().set_tags(Some(tags(51)))
    );
    case!(r, "tag key 128", OK, c.create_room().tags(s(128), "v"));
    case!(
        r,
        "tag key 129",
        Some("tags.key"),
        c.create_room().tags(s(129), "v")
    );
    case!(
        r,
        "tag key 0",
        Some("tags.key"),
        c.create_room().tags("", "v")
    );
    case!(
        r,
        "tag key aws:",
        Some("tags.key"),
        c.create_room().tags("aws:owner", "v")
    );
    case!(r, "tag value 0", OK, c.create_room().tags("k", ""));
    case!(r, "tag value 256", OK, c.create_room().tags("k", s(256)));
    case!(
        r,
        "tag value 257",
        Some("tags.value"),
        c.create_room().tags("k", s(257))
    );

    // GetRoom / UpdateRoom / DeleteRoom identifiers
    case!(r, "get no identifier", Some("identifier"), c.get_room());
    case!(
        r,
        "get identifier pattern",
        Some("identifier"),
        c.get_room().identifier("room/abc")
    );
    case!(
        r,
        "get identifier 129",
        Some("identifier"),
        c.get_room()
            .identifier(format!("{ROOM_PREFIX}{}", s(129 - ROOM_PREFIX.len())))
    );
    case!(
        r,
        "get identifier 128",
        OK_NOT_FOUND,
        c.get_room()
            .identifier(format!("{ROOM_PREFIX}{}", s(128 - ROOM_PREFIX.len())))
    );
    case!(
        r,
        "update no identifier",
        Some("identifier"),
        c.update_room().name("x")
    );
    case!(
        r,
        "update name 129",
        Some("name"),
        c.update_room().identifier(&room_arn).name(s(129))
    );
    case!(
        r,
        "update rate 101",
        Some("maximumMessageRatePerSecond"),
        c.update_room()
            .identifier(&room_arn)
            .maximum_message_rate_per_second(101)
    );
    case!(
        r,
        "update length 0",
        Some("maximumMessageLength"),
        c.update_room()
            .identifier(&room_arn)
            .maximum_message_length(0)
    );
    case!(
        r,
        "update rate 100",
        OK,
        c.update_room()
            .identifier(&room_arn)
            .maximum_message_rate_per_second(100)
    );
    case!(
        r,
        "update logging ids 4",
        Some("loggingConfigurationIdentifiers"),
        c.update_room()
            .identifier(&room_arn)
            .set_logging_configuration_identifiers(Some(vec![lc_arn.clone(); 4]))
    );
    case!(
        r,
        "delete no identifier",
        Some("identifier"),
        c.delete_room()
    );

    // ListRooms
    case!(r, "list max 1", OK, c.list_rooms().max_results(1));
    case!(r, "list max 50", OK, c.list_rooms().max_results(50));
    case!(
        r,
        "list max 0",
        Some("maxResults"),
        c.list_rooms().max_results(0)
    );
    case!(
        r,
        "list max 51",
        Some("maxResults"),
        c.list_rooms().max_results(51)
    );
    case!(
        r,
        "list name 129",
        Some("name"),
        c.list_rooms().name(s(129))
    );
    case!(
        r,
        "list uri pattern",
        Some("messageReviewHandlerUri"),
        c.list_rooms().message_review_handler_uri("nope")
    );
    case!(
        r,
        "list logging pattern",
        Some("loggingConfigurationIdentifier"),
        c.list_rooms().logging_configuration_identifier("nope")
    );
    case!(
        r,
        "list token 1025",
        Some("nextToken"),
        c.list_rooms().next_token(s(1025))
    );

    // CreateLoggingConfiguration
    case!(
        r,
        "lc no destination",
        Some("destinationConfiguration"),
        c.create_logging_configuration()
    );
    case!(
        r,
        "bucket 2",
        Some("destinationConfiguration.s3.bucketName"),
        c.create_logging_configuration()
            .destination_configuration(s3("ab"))
    );
    case!(
        r,
        "bucket 3",
        OK,
        c.create_logging_configuration()
            .destination_configuration(s3("abc"))
    );
    case!(
        r,
        "bucket 63",
        OK,
        c.create_logging_configuration()
            .destination_configuration(s3(&s(63)))
    );
    case!(
        r,
        "bucket 64",
        Some("destinationConfiguration.s3.bucketName"),
        c.create_logging_configuration()
            .destination_configuration(s3(&s(64)))
    );
    case!(
        r,
        "bucket pattern",
        Some("destinationConfiguration.s3.bucketName"),
        c.create_logging_configuration()
            .destination_configuration(s3("UPPER"))
    );
    case!(
        r,
        "log group 0",
        Some("destinationConfiguration.cloudWatchLogs.logGroupName"),
        c.create_logging_configuration()
            .destination_configuration(cw(""))
    );
    case!(
        r,
        "log group 512",
        OK,
        c.create_logging_configuration()
            .destination_configuration(cw(&s(512)))
    );
    case!(
        r,
        "log group 513",
        Some("destinationConfiguration.cloudWatchLogs.logGroupName"),
        c.create_logging_configuration()
            .destination_configuration(cw(&s(513)))
    );
    case!(
        r,
        "log group pattern",
        Some("destinationConfiguration.cloudWatchLogs.logGroupName"),
        c.create_logging_configuration()
            .destination_configuration(cw("a b"))
    );
    case!(
        r,
        "stream 1",
        OK,
        c.create_logging_configuration()
            .destination_configuration(fh("a"))
    );
    case!(
        r,
        "stream 64",
        OK,
        c.create_logging_configuration()
            .destination_configuration(fh(&s(64)))
    );
    case!(
        r,
        "stream 65",
        Some("destinationConfiguration.firehose.deliveryStreamName"),
        c.create_logging_configuration()
            .destination_configuration(fh(&s(65)))
    );
    case!(
        r,
        "stream pattern",
        Some("destinationConfiguration.firehose.deliveryStreamName"),
        c.create_logging_configuration()
            .destination_configuration(fh("a/b"))
    );
    case!(
        r,
        "lc name 128",
        OK,
        c.create_logging_configuration()
            .name(s(128))
            .destination_configuration(s3("abc"))
    );
    case!(
        r,
        "lc name 129",
        Some("name"),
        c.create_logging_configuration()
            .name(s(129))
            .destination_configuration(s3("abc"))
    );
    case!(
        r,
        "lc tags 51",
        Some("tags"),
        c.create_logging_configuration()
            .destination_configuration(s3("abc"))
            .set_tags(Some(tags(51)))
    );
    case!(
        r,
        "lc update no identifier",
        Some("identifier"),
        c.update_logging_configuration().name("x")
    );
    case!(
        r,
        "lc update name 129",
        Some("name"),
        c.update_logging_configuration()
            .identifier(&lc_arn)
            .name(s(129))
    );
    case!(
        r,
        "lc update bucket 2",
        Some("destinationConfiguration.s3.bucketName"),
        c.update_logging_configuration()
            .identifier(&lc_arn)
            .destination_configuration(s3("ab"))
    );
    case!(
        r,
        "lc get pattern",
        Some("identifier"),
        c.get_logging_configuration().identifier(&room_arn)
    );
    case!(
        r,
        "lc delete no identifier",
        Some("identifier"),
        c.delete_logging_configuration()
    );
    case!(
        r,
        "lc list max 0",
        Some("maxResults"),
        c.list_logging_configurations().max_results(0)
    );
    case!(
        r,
        "lc list max 51",
        Some("maxResults"),
        c.list_logging_configurations().max_results(51)
    );
    case!(
        r,
        "lc list max 50",
        OK,
        c.list_logging_configurations().max_results(50)
    );

    // Tags
    case!(
        r,
        "tag resource 50",
        OK,
        c.tag_resource()
            .resource_arn(&room_arn)
            .set_tags(Some(tags(50)))
    );
    case!(
        r,
        "tag resource 51",
        Some("tags"),
        c.tag_resource()
            .resource_arn(&room_arn)
            .set_tags(Some(tags(51)))
    );
    case!(
        r,
        "tag resource aws:",
        Some("tags.key"),
        c.tag_resource().resource_arn(&room_arn).tags("aws:x", "v")
    );
    case!(
        r,
        "tag resource no tags",
        Some("tags"),
        c.tag_resource().resource_arn(&room_arn)
    );
    case!(
        r,
        "tag resource arn pattern",
        Some("resourceArn"),
        c.tag_resource()
            .resource_arn("arn:aws:ivschat:us-east-1:123456789012:room")
            .tags("k", "v")
    );
    case!(
        r,
        "untag key 129",
        Some("tagKeys"),
        c.untag_resource().resource_arn(&room_arn).tag_keys(s(129))
    );
    case!(
        r,
        "untag key 128",
        OK,
        c.untag_resource().resource_arn(&room_arn).tag_keys(s(128))
    );
    case!(
        r,
        "list tags arn pattern",
        Some("resourceArn"),
        c.list_tags_for_resource().resource_arn("not-an-arn")
    );

    // CreateChatToken
    case!(
        r,
        "token no room",
        Some("roomIdentifier"),
        c.create_chat_token().user_id("u")
    );
    case!(
        r,
        "token no user",
        Some("userId"),
        c.create_chat_token().room_identifier(&room_arn)
    );
    case!(
        r,
        "token user 0",
        Some("userId"),
        c.create_chat_token().room_identifier(&room_arn).user_id("")
    );
    case!(
        r,
        "token user 128",
        OK,
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id(s(128))
    );
    case!(
        r,
        "token user 129",
        Some("userId"),
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id(s(129))
    );
    case!(
        r,
        "token duration 1",
        OK,
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .session_duration_in_minutes(1)
    );
    case!(
        r,
        "token duration 180",
        OK,
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .session_duration_in_minutes(180)
    );
    case!(
        r,
        "token duration 0",
        Some("sessionDurationInMinutes"),
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .session_duration_in_minutes(0)
    );
    case!(
        r,
        "token duration 181",
        Some("sessionDurationInMinutes"),
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .session_duration_in_minutes(181)
    );
    case!(
        r,
        "token capability",
        Some("capabilities"),
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .capabilities(ChatTokenCapability::from("FLY"))
    );
    case!(
        r,
        "token attributes 1KB",
        OK,
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .attributes("k", s(1023))
    );
    case!(
        r,
        "token attributes >1KB",
        Some("attributes"),
        c.create_chat_token()
            .room_identifier(&room_arn)
            .user_id("u")
            .attributes("k", s(1024))
    );

    // SendEvent / DeleteMessage / DisconnectUser
    case!(
        r,
        "event name 0",
        Some("eventName"),
        c.send_event().room_identifier(&room_arn).event_name("")
    );
    case!(
        r,
        "event name 100",
        OK,
        c.send_event().room_identifier(&room_arn).event_name(s(100))
    );
    case!(
        r,
        "event name 101",
        Some("eventName"),
        c.send_event().room_identifier(&room_arn).event_name(s(101))
    );
    case!(
        r,
        "event attributes >1KB",
        Some("attributes"),
        c.send_event()
            .room_identifier(&room_arn)
            .event_name("e")
            .attributes("k", s(1024))
    );
    case!(
        r,
        "event no room",
        Some("roomIdentifier"),
        c.send_event().event_name("e")
    );
    case!(
        r,
        "delete message id 12",
        OK,
        c.delete_message()
            .room_identifier(&room_arn)
            .id("abcdefghijkl")
    );
    case!(
        r,
        "delete message id 11",
        Some("id"),
        c.delete_message().room_identifier(&room_arn).id(s(11))
    );
    case!(
        r,
        "delete message id 13",
        Some("id"),
        c.delete_message().room_identifier(&room_arn).id(s(13))
    );
    case!(
        r,
        "delete message id pattern",
        Some("id"),
        c.delete_message()
            .room_identifier(&room_arn)
            .id("abc-defghijk")
    );
    case!(
        r,
        "delete message reason 0",
        Some("reason"),
        c.delete_message()
            .room_identifier(&room_arn)
            .id("abcdefghijkl")
            .reason("")
    );
    case!(
        r,
        "delete message reason 256",
        OK,
        c.delete_message()
            .room_identifier(&room_arn)
            .id("abcdefghijkl")
            .reason(s(256))
    );
    case!(
        r,
        "delete message reason 257",
        Some("reason"),
        c.delete_message()
            .room_identifier(&room_arn)
            .id("abcdefghijkl")
            .reason(s(257))
    );
    case!(
        r,
        "disconnect user 128",
        OK,
        c.disconnect_user()
            .room_identifier(&room_arn)
            .user_id(s(128))
    );
    case!(
        r,
        "disconnect user 129",
        Some("userId"),
        c.disconnect_user()
            .room_identifier(&room_arn)
            .user_id(s(129))
    );
    case!(
        r,
        "disconnect no user",
        Some("userId"),
        c.disconnect_user().room_identifier(&room_arn)
    );
    case!(
        r,
        "disconnect reason 257",
        Some("reason"),
        c.disconnect_user()
            .room_identifier(&room_arn)
            .user_id("u")
            .reason(s(257))
    );

    let mut failures = Vec::new();
    for (label, expect, got) in &r {
        match (expect, got) {
            (None, None) => {}
            (Some("!notfound"), Some((code, 404, _))) if code == "ResourceNotFoundException" => {}
            (Some(field), Some((code, status, msg)))
                if code == "ValidationException"
                    && *status == 400
                    && msg.contains(&format!("'{field}'")) => {}
            _ => failures.push(format!("{label}: expected {expect:?}, got {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        r.len(),
        failures.join("\n")
    );
}
