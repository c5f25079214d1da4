//! GenerateResourceConfig for both resource types, through the server (the type's shaping and
//! the schema's): the configuration a person would write for objects of every shape.

use std::collections::BTreeMap;

use crate::provider::ProviderData;
use crate::provider::config::Setting;
use crate::server::{Resource, generate};
use crate::value::Value;

use super::logging_configuration::{LoggingConfiguration, LoggingConfigurationModel};
use super::room::{Room, RoomModel};
use crate::domain::models::{DestinationModel, FirehoseModel, HandlerModel};

const ROOM: &str = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234";
const LOGS: &str = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abcdEFGH1234";
const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

fn data() -> ProviderData {
    ProviderData::for_tests(Setting::Set("us-east-1".into()))
}

/// What the server answers: the type's hook, then the schema's cleanup.
fn generated<R: Resource<ProviderData>>(
    r: &R,
    provider: Option<&ProviderData>,
    state: R::Model,
) -> Value {
    let schema = r.schema();
    let config = r.generate_config(provider, state);
    let mut value = crate::value_serde::to_value(&config, &schema.implied_type()).unwrap();
    generate::config_from_state(&schema.block, &mut value);
    value
}

/// The non-null attributes of an object value, by name.
fn set(v: &Value) -> BTreeMap<String, Value> {
    match v {
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null() && !matches!(v, Value::List(l) if l.is_empty()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        other => panic!("not an object: {other:?}"),
    }
}

fn room_state() -> RoomModel {
    RoomModel {
        arn: Some(ROOM.into()),
        id: Some(ROOM.into()),
        name: Some(String::new()),
        maximum_message_length: Some(500),
        maximum_message_rate_per_second: Some(10),
        message_review_handler: Vec::new(),
        logging_configuration_identifiers: Some(Vec::new()),
        tags: Some(BTreeMap::new()),
        tags_all: Some(BTreeMap::new()),
        region: Some("us-east-1".into()),
        timeouts: None,
    }
}

#[test]
fn a_room_at_its_defaults_generates_nothing() {
    let v = generated(&Room, Some(&data()), room_state());
    assert!(set(&v).is_empty(), "{v:?}");
}

#[test]
fn a_room_keeps_what_differs_from_the_defaults() {
    let state = RoomModel {
        name: Some("lobby".into()),
        maximum_message_length: Some(120),
        maximum_message_rate_per_second: Some(55),
        message_review_handler: vec![HandlerModel {
            uri: Some(LAMBDA.into()),
            fallback_result: Some("DENY".into()),
        }],
        logging_configuration_identifiers: Some(vec![LOGS.into()]),
        tags: Some(BTreeMap::from([("team".into(), "chat".into())])),
        region: Some("eu-west-1".into()),
        ..room_state()
    };
    let v = generated(&Room, Some(&data()), state);
    let set = set(&v);
    assert_eq!(
        set.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "logging_configuration_identifiers",
            "maximum_message_length",
            "maximum_message_rate_per_second",
            "message_review_handler",
            "name",
            "region",
            "tags",
        ],
        "{v:?}"
    );
    assert_eq!(set["region"], Value::string("eu-west-1"));
    assert_eq!(
        set["logging_configuration_identifiers"],
        Value::List(vec![Value::string(LOGS)]),
        "references stay literal ARNs"
    );
}

#[test]
fn a_review_handler_without_a_fallback_and_a_detached_one() {
    let handler = |uri: &str| RoomModel {
        message_review_handler: vec![HandlerModel {
            uri: Some(uri.into()),
            fallback_result: Some("ALLOW".into()),
        }],
        ..room_state()
    };
    let v = generated(&Room, Some(&data()), handler(LAMBDA));
    let blocks = v.attr("message_review_handler").unwrap();
    let Value::List(items) = blocks else {
        panic!("{blocks:?}")
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].attr("uri"), Some(&Value::string(LAMBDA)));
    assert_eq!(
        items[0].attr("fallback_result"),
        Some(&Value::Null),
        "ALLOW is the default"
    );
    let v = generated(&Room, Some(&data()), handler(""));
    assert!(set(&v).is_empty(), "a detached handler is no block: {v:?}");
}

#[test]
fn the_region_stays_when_the_provider_is_not_configured() {
    let v = generated(&Room, None, room_state());
    assert_eq!(
        set(&v).keys().map(String::as_str).collect::<Vec<_>>(),
        ["region"],
        "{v:?}"
    );
}

#[test]
fn a_logging_configuration_keeps_its_destination_and_name() {
    let state = LoggingConfigurationModel {
        arn: Some(LOGS.into()),
        id: Some(LOGS.into()),
        name: Some(String::new()),
        destination_configuration: vec![DestinationModel {
            firehose: vec![FirehoseModel {
                delivery_stream_name: "chat-stream".into(),
            }],
            ..DestinationModel::default()
        }],
        state: Some("ACTIVE".into()),
        tags: Some(BTreeMap::new()),
        tags_all: Some(BTreeMap::new()),
        region: Some("us-east-1".into()),
        timeouts: None,
    };
    let v = generated(&LoggingConfiguration, Some(&data()), state.clone());
    assert_eq!(
        set(&v).keys().map(String::as_str).collect::<Vec<_>>(),
        ["destination_configuration"],
        "{v:?}"
    );
    let named = LoggingConfigurationModel {
        name: Some("to-firehose".into()),
        ..state
    };
    let v = generated(&LoggingConfiguration, Some(&data()), named);
    assert_eq!(v.attr("name"), Some(&Value::string("to-firehose")));
}

/// Through the registered provider, as the gRPC service calls it: each type's own shaping runs
/// whatever wraps the type in the registry (the room is wrapped for `moved` blocks).
#[test]
fn the_registered_types_shape_their_configuration() {
    let server = crate::server::Server::new(crate::registration::IvschatProvider);
    let registry = server.types();
    let room = registry.resource("ivschat_room").unwrap();
    let state = RoomModel {
        message_review_handler: vec![HandlerModel {
            uri: Some(String::new()),
            fallback_result: Some("ALLOW".into()),
        }],
        ..room_state()
    };
    let state = crate::value_serde::to_value(&state, &room.ty).unwrap();
    let config = server
        .resource("ivschat_room")
        .unwrap()
        .generate_config(&state)
        .unwrap();
    // Not configured: the region stays; the detached handler and empty collections go.
    assert_eq!(
        set(&config).keys().map(String::as_str).collect::<Vec<_>>(),
        ["region"],
        "{config:?}"
    );
    assert_eq!(config.attr("tags"), Some(&Value::Null));

    let logs = registry.resource("ivschat_logging_configuration").unwrap();
    let state = LoggingConfigurationModel {
        arn: Some(LOGS.into()),
        tags: Some(BTreeMap::new()),
        ..LoggingConfigurationModel::default()
    };
    let state = crate::value_serde::to_value(&state, &logs.ty).unwrap();
    let config = server
        .resource("ivschat_logging_configuration")
        .unwrap()
        .generate_config(&state)
        .unwrap();
    assert_eq!(config.attr("tags"), Some(&Value::Null), "{config:?}");
    assert!(
        server
            .resource("ivschat_nothing")
            .map_err(crate::diagnostics::Diagnostics::from)
            .and_then(|r| r.generate_config(&state))
            .is_err()
    );
}
