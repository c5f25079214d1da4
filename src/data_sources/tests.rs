//! Data sources against an in-process ivschat-local, below Terraform: pagination, filters,
//! `ignore_tags`, not-found and region errors. The end-to-end tests cover the same through real
//! Terraform; these pin the details fast.

use std::collections::{BTreeMap, HashMap};

use tokio_util::sync::CancellationToken;

use super::*;
use crate::provider::ProviderData;
use crate::provider::config::{Env, ProviderConfig};
use crate::schema::{AttributeType, Mode};
use crate::server::{Context, DataSource};
use crate::value::{Path, Type, Value};

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn provider(endpoint: &str, ignore: Option<&str>) -> ProviderData {
    let mut pairs = vec![
        ("region", Value::string("us-east-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        (
            "endpoints",
            Value::List(vec![obj(vec![("ivschat", Value::string(endpoint))])]),
        ),
    ];
    if let Some(key) = ignore {
        pairs.push((
            "ignore_tags",
            Value::List(vec![obj(vec![(
                "keys",
                Value::Set(vec![Value::string(key)]),
            )])]),
        ));
    }
    let cfg = ProviderConfig::from_value(&obj(pairs));
    ProviderData::from_config(&cfg, &Env::default()).unwrap()
}

async fn emulator() -> ivschat_local::Running {
    ivschat_local::start(ivschat_local::Config {
        quotas: ivschat_local::QuotaMode::Off,
        logging_settle: std::time::Duration::ZERO,
        ..ivschat_local::Config::default()
    })
    .await
    .unwrap()
}

async fn create_room(data: &ProviderData, name: &str, tags: &[(&str, &str)]) -> String {
    let tags: HashMap<String, String> = tags
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let cancel = CancellationToken::new();
    let client = ctx(data, &cancel).client(None).unwrap();
    let out = client
        .sdk()
        .create_room()
        .name(name)
        .set_tags((!tags.is_empty()).then_some(tags))
        .send()
        .await
        .unwrap();
    out.arn().unwrap().to_owned()
}

fn ctx<'a>(data: &'a ProviderData, cancel: &'a CancellationToken) -> Context<'a, ProviderData> {
    Context::new(data, cancel, std::time::Duration::from_secs(60))
}

#[test]
fn schemas_describe_everything_and_use_no_nested_attributes() {
    use crate::server::Provider;
    let all = crate::registration::IvschatProvider.data_sources();
    assert_eq!(all.len(), 4, "every data source is registered");
    for d in all {
        let schema = d.schema();
        assert!(!schema.block.description.is_empty(), "{}", d.name());
        for a in &schema.block.attributes {
            assert!(
                !a.description.is_empty(),
                "{}.{} undocumented",
                d.name(),
                a.name
            );
            // Terraform 1.0 crashes on lists of nested attributes: results are plain types.
            assert!(
                matches!(a.ty, AttributeType::Plain(_)),
                "{}.{} is a nested attribute",
                d.name(),
                a.name
            );
            assert!(!a.ty().has_dynamic(), "{}.{}", d.name(), a.name);
        }
        let region = schema.block.attribute_named("region").unwrap();
        assert_eq!(region.mode, Mode::OptionalComputed, "{}", d.name());
        assert!(region.plan_modifiers.is_empty(), "{}", d.name());
    }
}

#[test]
fn tag_filter_needs_every_tag_with_its_value() {
    let tags: HashMap<String, String> = [("a", "1"), ("b", "")]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let want = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert!(crate::provider::tags::has_all_tags(Some(&tags), &want(&[])));
    assert!(crate::provider::tags::has_all_tags(None, &want(&[])));
    assert!(crate::provider::tags::has_all_tags(
        Some(&tags),
        &want(&[("a", "1")])
    ));
    assert!(crate::provider::tags::has_all_tags(
        Some(&tags),
        &want(&[("a", "1"), ("b", "")])
    ));
    assert!(!crate::provider::tags::has_all_tags(
        Some(&tags),
        &want(&[("a", "2")])
    ));
    assert!(!crate::provider::tags::has_all_tags(
        Some(&tags),
        &want(&[("c", "")])
    ));
    assert!(!crate::provider::tags::has_all_tags(
        None,
        &want(&[("a", "1")])
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_follow_every_page_in_order_and_filter_tags_on_the_summaries() {
    let emu = emulator().await;
    let data = provider(&emu.endpoint(), None);
    let mut arns = Vec::new();
    for i in 0..120 {
        let shard = if i % 4 == 0 { "zero" } else { "other" };
        arns.push(create_room(&data, &format!("r{i}"), &[("shard", shard)]).await);
    }
    arns.reverse();
    let cancel = CancellationToken::new();
    let client = ctx(&data, &cancel).client(None).unwrap();
    let before = emu.handle().operation_counts();
    let all = rooms::list_rooms(&data, &client, &rooms::Filters::default())
        .await
        .unwrap();
    let got: Vec<String> = all.iter().map(|r| r.arn.clone().unwrap()).collect();
    assert_eq!(got, arns, "every room, newest first");
    let filters = rooms::Filters {
        tags: [("shard".to_owned(), "zero".to_owned())].into(),
        ..rooms::Filters::default()
    };
    let zero = rooms::list_rooms(&data, &client, &filters).await.unwrap();
    assert_eq!(zero.len(), 30);
    assert!(zero.iter().all(|r| r.tags["shard"] == "zero"));
    let after = emu.handle().operation_counts();
    let calls =
        |op: &str| after.get(op).copied().unwrap_or(0) - before.get(op).copied().unwrap_or(0);
    // The tag filter is checked on the summaries: the second list takes the first one's
    // pages from the process's shared listing.
    assert_eq!(calls("ListRooms"), 3, "50 rooms a page, no other call");
    assert_eq!(calls("GetRoom") + calls("ListTagsForResource"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_read_sets_every_computed_attribute() {
    let emu = emulator().await;
    let data = provider(&emu.endpoint(), Some("hidden"));
    let arn = create_room(&data, "x", &[("hidden", "1"), ("team", "red")]).await;
    let cancel = CancellationToken::new();
    let config = rooms::RoomsDataSourceModel {
        tags: Some([("hidden".to_owned(), "1".to_owned())].into()),
        ..rooms::RoomsDataSourceModel::default()
    };
    let out = DataSource::read(&rooms::RoomsDataSource, &ctx(&data, &cancel), config)
        .await
        .unwrap();
    assert_eq!(out.arns, [arn.as_str()], "the filter sees ignored keys");
    assert_eq!(out.region.as_deref(), Some("us-east-1"));
    let room = &out.rooms[0];
    assert_eq!(room.id.as_deref(), arn.rsplit('/').next());
    assert_eq!(room.name.as_deref(), Some("x"));
    assert!(room.create_time.as_deref().unwrap().ends_with('Z'));
    assert_eq!(
        room.tags,
        BTreeMap::from([("team".to_owned(), "red".to_owned())]),
        "ignore_tags applies to the result"
    );
    assert!(room.message_review_handler.is_empty());
    // The whole result fits the schema's type.
    let ty = DataSource::schema(&rooms::RoomsDataSource).implied_type();
    let value = crate::value_serde::to_value(&out, &ty).unwrap();
    let Type::Object(attrs) = &ty else { panic!() };
    for name in attrs.keys() {
        if ![
            "name",
            "message_review_handler_uri",
            "logging_configuration_identifier",
        ]
        .contains(&name.as_str())
        {
            assert!(!value.attr(name).unwrap().is_null(), "{name} left null");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_arn_is_an_error_at_arn_naming_it() {
    let emu = emulator().await;
    let data = provider(&emu.endpoint(), None);
    let cancel = CancellationToken::new();
    let arn = "arn:aws:ivschat:us-east-1:123456789012:room/AbCdEfGhIjKl";
    let err = DataSource::read(
        &room::RoomDataSource,
        &ctx(&data, &cancel),
        room::RoomDataSourceModel {
            arn: Some(arn.to_owned()),
            ..room::RoomDataSourceModel::default()
        },
    )
    .await
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.summary, "Room Not Found");
    assert!(d.detail.contains(arn), "{}", d.detail);
    assert_eq!(d.path, Some(Path::attr("arn")));

    let arn = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/AbCdEfGhIjKl";
    let err = DataSource::read(
        &logging_configuration::LoggingConfigurationDataSource,
        &ctx(&data, &cancel),
        logging_configuration::LoggingConfigurationDataSourceModel {
            arn: Some(arn.to_owned()),
            ..logging_configuration::LoggingConfigurationDataSourceModel::default()
        },
    )
    .await
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.summary, "Logging Configuration Not Found");
    assert!(d.detail.contains(arn), "{}", d.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_is_read_in_its_arns_region() {
    let emu = emulator().await;
    let data = provider(&emu.endpoint(), None);
    let arn = create_room(&data, "here", &[]).await;
    let cancel = CancellationToken::new();
    let context = ctx(&data, &cancel);
    let read = |region: Option<&str>| {
        DataSource::read(
            &room::RoomDataSource,
            &context,
            room::RoomDataSourceModel {
                arn: Some(arn.clone()),
                region: region.map(str::to_owned),
                ..room::RoomDataSourceModel::default()
            },
        )
    };
    let out = read(None).await.unwrap();
    assert_eq!(out.region.as_deref(), Some("us-east-1"));
    assert_eq!(out.maximum_message_length, Some(500));
    assert_eq!(out.maximum_message_rate_per_second, Some(10));
    let calls: u64 = emu.handle().operation_counts().values().sum();
    let err = read(Some("eu-west-1")).await.unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.summary, "Region Does Not Match the ARN");
    assert_eq!(d.path, Some(Path::attr("region")));
    assert_eq!(
        emu.handle().operation_counts().values().sum::<u64>(),
        calls,
        "no call made"
    );
}
