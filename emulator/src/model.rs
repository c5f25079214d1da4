//! Wire shapes: request bodies (lenient: unknown members are ignored, constraints are
//! checked later) and the JSON written for responses.

use crate::ids::iso8601;
use crate::records::{Destination, LoggingConfiguration, Room};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub(crate) type Tags = BTreeMap<String, String>;

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HandlerIn {
    pub uri: Option<String>,
    pub fallback_result: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateRoomIn {
    pub name: Option<String>,
    pub maximum_message_rate_per_second: Option<i64>,
    pub maximum_message_length: Option<i64>,
    pub message_review_handler: Option<HandlerIn>,
    pub tags: Option<Tags>,
    pub logging_configuration_identifiers: Option<Vec<String>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentifierIn {
    pub identifier: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateRoomIn {
    pub identifier: Option<String>,
    pub name: Option<String>,
    pub maximum_message_rate_per_second: Option<i64>,
    pub maximum_message_length: Option<i64>,
    pub message_review_handler: Option<HandlerIn>,
    pub logging_configuration_identifiers: Option<Vec<String>>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListRoomsIn {
    pub name: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub message_review_handler_uri: Option<String>,
    pub logging_configuration_identifier: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct S3In {
    pub bucket_name: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CloudWatchLogsIn {
    pub log_group_name: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FirehoseIn {
    pub delivery_stream_name: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DestinationIn {
    pub s3: Option<S3In>,
    pub cloud_watch_logs: Option<CloudWatchLogsIn>,
    pub firehose: Option<FirehoseIn>,
    /// Any other member: an unknown union member.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateLoggingIn {
    pub name: Option<String>,
    pub destination_configuration: Option<DestinationIn>,
    pub tags: Option<Tags>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateLoggingIn {
    pub identifier: Option<String>,
    pub name: Option<String>,
    pub destination_configuration: Option<DestinationIn>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListLoggingIn {
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TagResourceIn {
    pub tags: Option<Tags>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateChatTokenIn {
    pub room_identifier: Option<String>,
    pub user_id: Option<String>,
    pub capabilities: Option<Vec<String>>,
    pub session_duration_in_minutes: Option<i64>,
    pub attributes: Option<Tags>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendEventIn {
    pub room_identifier: Option<String>,
    pub event_name: Option<String>,
    pub attributes: Option<Tags>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeleteMessageIn {
    pub room_identifier: Option<String>,
    pub id: Option<String>,
    pub reason: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DisconnectUserIn {
    pub room_identifier: Option<String>,
    pub user_id: Option<String>,
    pub reason: Option<String>,
}

/// Room as GetRoom / CreateRoom / UpdateRoom return it (`full`), or as a RoomSummary.
pub(crate) fn room_json(r: &Room, full: bool) -> Value {
    let mut m = Map::new();
    m.insert("arn".into(), json!(r.arn));
    m.insert("id".into(), json!(r.id));
    m.insert("name".into(), json!(r.name));
    m.insert("createTime".into(), json!(iso8601(r.create_time_ms)));
    m.insert("updateTime".into(), json!(iso8601(r.update_time_ms)));
    if full {
        m.insert(
            "maximumMessageRatePerSecond".into(),
            json!(r.maximum_message_rate_per_second),
        );
        m.insert(
            "maximumMessageLength".into(),
            json!(r.maximum_message_length),
        );
    }
    if let Some(h) = &r.message_review_handler {
        m.insert(
            "messageReviewHandler".into(),
            json!({"uri": h.uri, "fallbackResult": h.fallback_result}),
        );
    }
    m.insert("tags".into(), json!(r.tags));
    m.insert(
        "loggingConfigurationIdentifiers".into(),
        json!(r.logging_configuration_identifiers),
    );
    Value::Object(m)
}

pub(crate) fn destination_json(d: &Destination) -> Value {
    match d {
        Destination::S3 { bucket_name } => json!({"s3": {"bucketName": bucket_name}}),
        Destination::CloudWatchLogs { log_group_name } => {
            json!({"cloudWatchLogs": {"logGroupName": log_group_name}})
        }
        Destination::Firehose {
            delivery_stream_name,
        } => json!({"firehose": {"deliveryStreamName": delivery_stream_name}}),
    }
}

/// Logging configuration with the given `state` string.
pub(crate) fn logging_json(c: &LoggingConfiguration, state: &str) -> Value {
    json!({
        "arn": c.arn,
        "id": c.id,
        "name": c.name,
        "createTime": iso8601(c.create_time_ms),
        "updateTime": iso8601(c.update_time_ms),
        "destinationConfiguration": destination_json(&c.destination),
        "state": state,
        "tags": c.tags,
    })
}
