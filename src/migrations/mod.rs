//! Adopting `aws_ivschat_*` (hashicorp/aws) and `awscc_ivschat_*` (hashicorp/awscc) state with a
//! `moved` block: each source state, as its provider stores it, mapped to our models. The next
//! refresh reads the object from IVS Chat, so only what identifies the object and what the
//! practitioner configured (names, limits, tags) has to carry over exactly.
//!
//! The shapes differ: hashicorp/aws uses the same attribute names and blocks as we do (a block is
//! a list of objects); hashicorp/awscc nests single objects (`message_review_handler = {...}`,
//! `destination_configuration = { s3 = {...} }`) and stores tags as a set of `{key, value}`.
//! Both shapes are read here whichever provider wrote them. Each resource type is registered
//! with its function here ([`crate::registration`]), so resources never call into migrations.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{Arn, ArnKind};
use crate::domain::models::{
    CloudWatchLogsModel, DestinationModel, FirehoseModel, HandlerModel, S3Model,
};
use crate::resources::logging_configuration::LoggingConfigurationModel;
use crate::resources::room::RoomModel;
use crate::resources::timeouts;
use crate::server::move_state::MoveSource;

/// The source types `ivschat_room` adopts.
pub const ROOM_SOURCES: &[&str] = &["aws_ivschat_room", "awscc_ivschat_room"];
/// The source types `ivschat_logging_configuration` adopts.
pub const LOGGING_CONFIGURATION_SOURCES: &[&str] = &[
    "aws_ivschat_logging_configuration",
    "awscc_ivschat_logging_configuration",
];

fn unsupported(target: &str, source: &MoveSource<'_>, supported: &[&str]) -> Diagnostics {
    Diagnostic::error(
        "Unsupported Resource Move",
        format!(
            "{target} can adopt only {} (moved blocks from hashicorp/aws or hashicorp/awscc), not \
             {} from the {:?} provider. Remove the moved block, and import the object with an \
             import block instead.",
            supported.join(" or "),
            source.type_name,
            source.provider_address
        ),
    )
    .into()
}

/// Which provider wrote the source, judged by its type name and checked against the address.
fn check_source(
    target: &str,
    source: &MoveSource<'_>,
    supported: &[&str],
) -> Result<(), Diagnostics> {
    let provider = source
        .type_name
        .split_once('_')
        .map_or("", |(prefix, _)| prefix);
    if !supported.contains(&source.type_name) || !source.provider_is(provider) {
        return Err(unsupported(target, source, supported));
    }
    if !source.state.is_object() {
        return Err(Diagnostic::error(
            "Unreadable Source State",
            format!(
                "The state of the {} being moved to {target} is not a JSON object.",
                source.type_name
            ),
        )
        .into());
    }
    Ok(())
}

fn string(state: &Json, name: &str) -> Option<String> {
    state.get(name).and_then(Json::as_str).map(str::to_owned)
}

fn int(state: &Json, name: &str) -> Option<i64> {
    let v = state.get(name)?;
    v.as_i64()
        .or_else(|| v.as_f64().map(|f| f as i64))
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// A nested block's single object, stored as a list of objects (hashicorp/aws) or as an object
/// (hashicorp/awscc).
fn single<'a>(state: &'a Json, name: &str) -> Option<&'a Json> {
    match state.get(name)? {
        Json::Array(items) => items.first().filter(|v| v.is_object()),
        v @ Json::Object(_) => Some(v),
        _ => None,
    }
}

fn string_list(state: &Json, name: &str) -> Option<Vec<String>> {
    state.get(name).and_then(Json::as_array).map(|items| {
        items
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect()
    })
}

/// Tags as a map (hashicorp/aws) or a set of `{key, value}` (hashicorp/awscc); empty is none.
fn tags(state: &Json) -> Option<BTreeMap<String, String>> {
    let map: BTreeMap<String, String> = match state.get("tags")? {
        Json::Object(m) => m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
        Json::Array(items) => items
            .iter()
            .filter_map(|t| Some((string(t, "key")?, string(t, "value").unwrap_or_default())))
            .collect(),
        _ => return None,
    };
    (!map.is_empty()).then_some(map)
}

fn timeouts(state: &Json) -> Option<timeouts::Model> {
    let t = state.get("timeouts").filter(|t| t.is_object())?;
    let m = timeouts::Model {
        create: string(t, "create"),
        read: None,
        update: string(t, "update"),
        delete: string(t, "delete"),
    };
    (m != timeouts::Model::default()).then_some(m)
}

/// The ARN (`arn`, else `id`: both providers use the ARN as the id) and the region it names.
fn arn_and_region(
    target: &str,
    source: &MoveSource<'_>,
    kind: ArnKind,
) -> Result<(String, String), Diagnostics> {
    let state = &source.state;
    let arn = string(state, "arn")
        .filter(|a| !a.is_empty())
        .or_else(|| string(state, "id"))
        .unwrap_or_default();
    let parsed = Arn::parse_kind(&arn, kind).map_err(|problem| {
        Diagnostic::error(
            "Source State Has No ARN",
            format!(
                "The {} being moved to {target} has no usable ARN in its state: {problem}. \
                 Refresh it with its own provider first (terraform apply -refresh-only), or \
                 import the object instead.",
                source.type_name
            ),
        )
    })?;
    // hashicorp/aws v6 stores `region`; older versions and hashicorp/awscc do not.
    let region = string(state, "region")
        .filter(|r| !r.is_empty())
        .unwrap_or(parsed.region);
    Ok((arn, region))
}

/// An `aws_ivschat_room` or `awscc_ivschat_room` as an `ivschat_room`.
pub fn room(source: &MoveSource<'_>) -> Result<RoomModel, Diagnostics> {
    let target = "ivschat_room";
    check_source(target, source, ROOM_SOURCES)?;
    let (arn, region) = arn_and_region(target, source, ArnKind::Room)?;
    let s = &source.state;
    let handler = single(s, "message_review_handler")
        .map(|h| HandlerModel {
            uri: string(h, "uri"),
            fallback_result: string(h, "fallback_result").or_else(|| Some("ALLOW".to_owned())),
        })
        // hashicorp/awscc stores an absent handler as an object of nulls.
        .filter(|h| {
            !(source.type_name.starts_with("awscc_") && h.uri.as_deref().unwrap_or("").is_empty())
        });
    Ok(RoomModel {
        arn: Some(arn.clone()),
        id: Some(arn),
        name: Some(string(s, "name").unwrap_or_default()),
        maximum_message_length: int(s, "maximum_message_length"),
        maximum_message_rate_per_second: int(s, "maximum_message_rate_per_second"),
        message_review_handler: handler.into_iter().collect(),
        logging_configuration_identifiers: string_list(s, "logging_configuration_identifiers")
            .filter(|l| !l.is_empty()),
        tags: tags(s),
        tags_all: None,
        region: Some(region),
        timeouts: timeouts(s),
    })
}

fn destination(d: &Json) -> DestinationModel {
    DestinationModel {
        s3: single(d, "s3")
            .and_then(|s| string(s, "bucket_name"))
            .map(|bucket_name| S3Model { bucket_name })
            .into_iter()
            .collect(),
        cloudwatch_logs: single(d, "cloudwatch_logs")
            .and_then(|c| string(c, "log_group_name"))
            .map(|log_group_name| CloudWatchLogsModel { log_group_name })
            .into_iter()
            .collect(),
        firehose: single(d, "firehose")
            .and_then(|f| string(f, "delivery_stream_name"))
            .map(|delivery_stream_name| FirehoseModel {
                delivery_stream_name,
            })
            .into_iter()
            .collect(),
    }
}

/// An `aws_ivschat_logging_configuration` or `awscc_ivschat_logging_configuration` as an
/// `ivschat_logging_configuration`.
pub fn logging_configuration(
    source: &MoveSource<'_>,
) -> Result<LoggingConfigurationModel, Diagnostics> {
    let target = "ivschat_logging_configuration";
    check_source(target, source, LOGGING_CONFIGURATION_SOURCES)?;
    let (arn, region) = arn_and_region(target, source, ArnKind::LoggingConfiguration)?;
    let s = &source.state;
    Ok(LoggingConfigurationModel {
        arn: Some(arn.clone()),
        id: Some(arn),
        name: Some(string(s, "name").unwrap_or_default()),
        destination_configuration: single(s, "destination_configuration")
            .map(destination)
            .into_iter()
            .collect(),
        state: string(s, "state"),
        tags: tags(s),
        tags_all: None,
        region: Some(region),
        timeouts: timeouts(s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROOM_ARN: &str = "arn:aws:ivschat:eu-west-1:123456789012:room/abcdEFGH1234";
    const LOG_ARN: &str =
        "arn:aws:ivschat:eu-west-1:123456789012:logging-configuration/ABCDefgh5678";

    fn source<'a>(provider: &'a str, type_name: &'a str, state: Json) -> MoveSource<'a> {
        MoveSource {
            provider_address: provider,
            type_name,
            schema_version: 0,
            state,
        }
    }

    #[test]
    fn aws_room_maps_attribute_for_attribute() {
        let s = source(
            "aws",
            "aws_ivschat_room",
            json!({
                "arn": ROOM_ARN, "id": ROOM_ARN, "name": "lobby",
                "maximum_message_length": 200, "maximum_message_rate_per_second": 5,
                "message_review_handler": [{"uri": "arn:aws:lambda:eu-west-1:123456789012:function:f", "fallback_result": "DENY"}],
                "logging_configuration_identifiers": [LOG_ARN],
                "tags": {"team": "chat"}, "tags_all": {"team": "chat", "env": "prod"},
                "region": "eu-west-1", "timeouts": {"create": "10m", "update": null, "delete": null}
            }),
        );
        let m = room(&s).unwrap();
        assert_eq!(m.arn.as_deref(), Some(ROOM_ARN));
        assert_eq!(m.name.as_deref(), Some("lobby"));
        assert_eq!(m.maximum_message_length, Some(200));
        assert_eq!(m.maximum_message_rate_per_second, Some(5));
        assert_eq!(
            m.message_review_handler[0].fallback_result.as_deref(),
            Some("DENY")
        );
        assert_eq!(
            m.logging_configuration_identifiers,
            Some(vec![LOG_ARN.to_owned()])
        );
        assert_eq!(m.tags.unwrap()["team"], "chat");
        assert_eq!(m.tags_all, None, "the refresh computes tags_all");
        assert_eq!(m.region.as_deref(), Some("eu-west-1"));
        assert_eq!(m.timeouts.unwrap().create.as_deref(), Some("10m"));
    }

    #[test]
    fn awscc_room_tags_and_handler_shapes_are_converted() {
        let s = source(
            "registry.terraform.io/hashicorp/awscc",
            "awscc_ivschat_room",
            json!({
                "arn": ROOM_ARN, "id": ROOM_ARN, "name": null,
                "maximum_message_length": 500, "maximum_message_rate_per_second": 10,
                "message_review_handler": {"uri": null, "fallback_result": null},
                "logging_configuration_identifiers": [],
                "tags": [{"key": "team", "value": "chat"}]
            }),
        );
        let m = room(&s).unwrap();
        assert_eq!(m.name.as_deref(), Some(""));
        assert!(m.message_review_handler.is_empty());
        assert_eq!(m.logging_configuration_identifiers, None);
        assert_eq!(m.tags.unwrap()["team"], "chat");
        assert_eq!(
            m.region.as_deref(),
            Some("eu-west-1"),
            "region from the ARN"
        );
    }

    #[test]
    fn logging_configuration_destinations_in_both_shapes() {
        let aws = source(
            "aws",
            "aws_ivschat_logging_configuration",
            json!({"arn": LOG_ARN, "id": LOG_ARN, "name": "logs", "state": "ACTIVE",
                   "destination_configuration": [{"s3": [{"bucket_name": "b"}], "cloudwatch_logs": [], "firehose": []}],
                   "tags": null}),
        );
        let m = logging_configuration(&aws).unwrap();
        assert_eq!(m.destination_configuration[0].s3[0].bucket_name, "b");
        assert_eq!(m.tags, None);
        let awscc = source(
            "awscc",
            "awscc_ivschat_logging_configuration",
            json!({"arn": LOG_ARN, "id": LOG_ARN, "state": "ACTIVE",
                   "destination_configuration": {"s3": null, "cloudwatch_logs": {"log_group_name": "g"}, "firehose": null}}),
        );
        let m = logging_configuration(&awscc).unwrap();
        assert_eq!(
            m.destination_configuration[0].cloudwatch_logs[0].log_group_name,
            "g"
        );
        assert!(m.destination_configuration[0].s3.is_empty());
    }

    #[test]
    fn other_sources_and_missing_arns_are_refused_with_what_to_do() {
        let wrong = source("aws", "aws_ivs_channel", json!({"arn": ROOM_ARN}));
        let d = room(&wrong).unwrap_err();
        assert!(
            d.iter()
                .any(|d| d.detail.contains("aws_ivschat_room or awscc_ivschat_room"))
        );
        let kind = source("aws", "aws_ivschat_room", json!({"arn": LOG_ARN}));
        let d = room(&kind).unwrap_err();
        assert!(d.iter().any(|d| d.summary == "Source State Has No ARN"));
        let provider = source("awscc", "aws_ivschat_room", json!({"arn": ROOM_ARN}));
        assert!(room(&provider).is_err());
    }
}
