//! Room reads through the shared listing (issue 15) against an in-process ivschat-local: many
//! reads are answered by a few ListRooms pages with every out-of-band change still seen, and a
//! few rooms in a large account are read with GetRoom while paging stops early. Call counts
//! only, never timings; about 2 s of real time in all.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use ivschat_local::{Config, QuotaMode};
use tokio_util::sync::CancellationToken;

use super::logging_configuration::{LoggingConfiguration, LoggingConfigurationModel};
use super::room::{Room, RoomModel};
use crate::aws::{Share, Version};
use crate::domain::models::{DestinationModel, S3Model};
use crate::provider::ProviderData;
use crate::provider::config::{Env, ProviderConfig};
use crate::server::{Context, Resource};
use crate::value::Value;

const MINUTE: Duration = Duration::from_secs(60);

fn provider(endpoint: &str) -> ProviderData {
    let obj = |pairs: Vec<(&str, Value)>| {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    let cfg = ProviderConfig::from_value(&obj(vec![
        ("region", Value::string("us-east-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        (
            "endpoints",
            Value::List(vec![obj(vec![("ivschat", Value::string(endpoint))])]),
        ),
    ]));
    ProviderData::from_config(&cfg, &Env::default()).unwrap()
}

async fn sdk(endpoint: &str) -> aws_sdk_ivschat::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    aws_sdk_ivschat::Client::new(&config)
}

/// A room made out of band, and its state as the provider recorded it after a create.
struct Managed {
    state: RoomModel,
    version: Version,
}

async fn make_rooms(api: &aws_sdk_ivschat::Client, prefix: &str, n: usize) -> Vec<Managed> {
    let mut rooms = Vec::new();
    for i in 0..n {
        let out = api
            .create_room()
            .name(format!("{prefix}{i}"))
            .tags("k", "v")
            .send()
            .await
            .unwrap();
        let arn = out.arn().unwrap().to_owned();
        let tags = std::collections::BTreeMap::from([("k".to_owned(), "v".to_owned())]);
        rooms.push(Managed {
            state: RoomModel {
                arn: Some(arn.clone()),
                id: Some(arn),
                name: Some(format!("{prefix}{i}")),
                maximum_message_length: Some(500),
                maximum_message_rate_per_second: Some(10),
                tags: Some(tags.clone()),
                tags_all: Some(tags),
                region: Some("us-east-1".to_owned()),
                ..RoomModel::default()
            },
            version: Version::at(out.update_time()).unwrap(),
        });
    }
    rooms
}

/// Reads every room at Terraform's default parallelism (10), each with its recorded version.
async fn read_all(data: &ProviderData, rooms: &[Managed]) -> Vec<Option<RoomModel>> {
    let cancel = CancellationToken::new();
    futures_util::stream::iter(rooms)
        .map(|m| {
            let cancel = &cancel;
            async move {
                let ctx = Context::new(data, cancel, MINUTE);
                ctx.set_private(&m.version);
                Room.read(&ctx, m.state.clone()).await.unwrap()
            }
        })
        .buffered(10)
        .collect()
        .await
}

fn delta(before: &HashMap<String, u64>, after: &HashMap<String, u64>, op: &str) -> u64 {
    after.get(op).copied().unwrap_or(0) - before.get(op).copied().unwrap_or(0)
}

async fn emulator() -> ivschat_local::Running {
    // The provider paces itself at the AWS quotas: the emulator need not enforce them.
    ivschat_local::start(Config {
        quotas: QuotaMode::Off,
        ..Config::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_reads_come_from_a_few_pages_and_still_see_every_change() {
    let emu = emulator().await;
    let api = sdk(&emu.endpoint()).await;
    let rooms = make_rooms(&api, "room-", 150).await;
    let arn = |i: usize| rooms[i].state.arn.clone().unwrap();
    // Out of band: tags (updateTime unchanged: the summary answers), name and maximum length
    // (UpdateRoom: GetRoom answers), a delete (GetRoom says not found).
    api.tag_resource()
        .resource_arn(arn(3))
        .tags("k", "changed")
        .send()
        .await
        .unwrap();
    api.update_room()
        .identifier(arn(7))
        .name("renamed")
        .send()
        .await
        .unwrap();
    api.update_room()
        .identifier(arn(9))
        .maximum_message_length(42)
        .send()
        .await
        .unwrap();
    api.delete_room().identifier(arn(11)).send().await.unwrap();

    let data = provider(&emu.endpoint());
    let before: HashMap<_, _> = emu.handle().operation_counts().into_iter().collect();
    let read = read_all(&data, &rooms).await;
    let after: HashMap<_, _> = emu.handle().operation_counts().into_iter().collect();

    let tags = |r: &Option<RoomModel>| r.as_ref().unwrap().tags.clone().unwrap()["k"].clone();
    assert_eq!(tags(&read[3]), "changed");
    assert_eq!(read[7].as_ref().unwrap().name.as_deref(), Some("renamed"));
    assert_eq!(read[9].as_ref().unwrap().maximum_message_length, Some(42));
    assert!(read[11].is_none(), "a deleted room is gone");
    for (i, r) in read.iter().enumerate() {
        if ![3, 7, 9, 11].contains(&i) {
            assert_eq!(r.as_ref().unwrap(), &rooms[i].state, "room {i}");
        }
    }
    // 150 rooms are 3 pages; GetRoom only for the changed and deleted rooms and the few reads
    // that found a free GetRoom slot before their page arrived.
    assert!(
        (1..=3).contains(&delta(&before, &after, "ListRooms")),
        "{after:?}"
    );
    assert!(delta(&before, &after, "GetRoom") < 20, "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_rooms_in_a_large_account_are_read_with_getroom_and_paging_stops() {
    let emu = emulator().await;
    let api = sdk(&emu.endpoint()).await;
    let managed = make_rooms(&api, "managed-", 5).await;
    // Listed newest first: the managed rooms are on page 9 of 9.
    for i in 0..400 {
        api.create_room()
            .name(format!("other-{i}"))
            .send()
            .await
            .unwrap();
    }
    let data = provider(&emu.endpoint());
    let before: HashMap<_, _> = emu.handle().operation_counts().into_iter().collect();
    let read = read_all(&data, &managed).await;
    // Paging ends once no read waits: give a page in flight time to land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after: HashMap<_, _> = emu.handle().operation_counts().into_iter().collect();
    for (r, m) in read.iter().zip(&managed) {
        assert_eq!(r.as_ref().unwrap(), &m.state);
    }
    assert_eq!(delta(&before, &after, "GetRoom"), 5, "{after:?}");
    assert!(
        delta(&before, &after, "ListRooms") < 9,
        "paged through the whole account: {after:?}"
    );
}

/// A logging configuration made out of band, and its state as the provider recorded it.
async fn make_logging_configurations(
    api: &aws_sdk_ivschat::Client,
    n: usize,
) -> Vec<(LoggingConfigurationModel, Version)> {
    use aws_sdk_ivschat::types::{DestinationConfiguration, S3DestinationConfiguration};
    let mut made = Vec::new();
    for i in 0..n {
        let out = api
            .create_logging_configuration()
            .name(format!("log-{i}"))
            .destination_configuration(DestinationConfiguration::S3(
                S3DestinationConfiguration::builder()
                    .bucket_name(format!("bucket-{i}"))
                    .build()
                    .unwrap(),
            ))
            .tags("k", "v")
            .send()
            .await
            .unwrap();
        let arn = out.arn().unwrap().to_owned();
        let tags = std::collections::BTreeMap::from([("k".to_owned(), "v".to_owned())]);
        made.push((
            LoggingConfigurationModel {
                arn: Some(arn.clone()),
                id: Some(arn),
                name: Some(format!("log-{i}")),
                destination_configuration: vec![DestinationModel {
                    s3: vec![S3Model {
                        bucket_name: format!("bucket-{i}"),
                    }],
                    ..DestinationModel::default()
                }],
                state: Some("ACTIVE".to_owned()),
                tags: Some(tags.clone()),
                tags_all: Some(tags),
                region: Some("us-east-1".to_owned()),
                ..LoggingConfigurationModel::default()
            },
            Version::at(out.update_time()).unwrap(),
        ));
    }
    made
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_configuration_reads_come_from_the_listing_and_still_see_every_change() {
    use aws_sdk_ivschat::types::{DestinationConfiguration, FirehoseDestinationConfiguration};
    let emu = ivschat_local::start(Config {
        quotas: QuotaMode::Off,
        logging_settle: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap();
    let api = sdk(&emu.endpoint()).await;
    let made = make_logging_configurations(&api, 6).await;
    let arn = |i: usize| made[i].0.arn.clone().unwrap();
    // Out of band: name and destination (UpdateLoggingConfiguration: updateTime moves, Get
    // answers), tags (updateTime unchanged: the summary answers), a delete (Get: not found).
    api.update_logging_configuration()
        .identifier(arn(0))
        .name("renamed")
        .send()
        .await
        .unwrap();
    api.update_logging_configuration()
        .identifier(arn(1))
        .destination_configuration(DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("stream")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    api.tag_resource()
        .resource_arn(arn(2))
        .tags("k", "changed")
        .send()
        .await
        .unwrap();
    api.delete_logging_configuration()
        .identifier(arn(3))
        .send()
        .await
        .unwrap();

    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    // The listing a data source of the same plan took: every read below is answered from it
    // or with one Get.
    let client = Context::new(&data, &cancel, MINUTE).client(None).unwrap();
    let before: HashMap<_, _> = emu.handle().operation_counts().into_iter().collect();
    let listed = client
        .list_shared::<crate::domain::logging_configuration::LoggingConfigurationApi>(Share::Join)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(listed.len(), 5);
    let mut read = Vec::new();
    for (i, (state, version)) in made.iter().enumerate() {
        let ctx = Context::new(&data, &cancel, MINUTE);
        // Configuration 5 has no recorded version (an import): Get.
        if i != 5 {
            ctx.set_private(version);
        }
        read.push(
            LoggingConfiguration
                .read(&ctx, state.clone())
                .await
                .unwrap(),
        );
        // A Get-answered read records the version later reads take from the listing.
        if i == 5 {
            assert_eq!(ctx.private::<Version>(), Some(*version));
        }
    }
    let after: HashMap<_, _> = emu.handle().operation_counts().into_iter().collect();

    let r = |i: usize| read[i].clone().unwrap();
    assert_eq!(r(0).name.as_deref(), Some("renamed"));
    assert_eq!(
        r(1).destination_configuration[0].firehose[0].delivery_stream_name,
        "stream"
    );
    assert!(r(1).destination_configuration[0].s3.is_empty());
    assert_eq!(r(2).tags.unwrap()["k"], "changed");
    assert!(read[3].is_none(), "a deleted configuration is gone");
    assert_eq!(r(4), made[4].0);
    assert_eq!(r(5), made[5].0);
    assert_eq!(
        delta(&before, &after, "ListLoggingConfigurations"),
        1,
        "{after:?}"
    );
    // Gets: the renamed, the redirected, the deleted, the one without a version. The tag
    // change and the unchanged one come from the listing.
    assert_eq!(
        delta(&before, &after, "GetLoggingConfiguration"),
        4,
        "{after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_data_sources_share_the_refresh_listing_unless_the_process_wrote_rooms() {
    use crate::data_sources::rooms::{
        RoomsDataSource as Rooms, RoomsDataSourceModel as RoomsModel,
    };
    use crate::server::DataSource;
    let emu = emulator().await;
    let api = sdk(&emu.endpoint()).await;
    let rooms = make_rooms(&api, "room-", 120).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let read_rooms = |config: RoomsModel| {
        let (data, cancel) = (&data, &cancel);
        async move {
            let ctx = Context::new(data, cancel, MINUTE);
            Rooms.read(&ctx, config).await.unwrap()
        }
    };
    let counts =
        || -> HashMap<String, u64> { emu.handle().operation_counts().into_iter().collect() };

    // A plan: refreshes page the whole listing (3 pages)...
    let before = counts();
    read_all(&data, &rooms).await;
    let refreshed = counts();
    assert_eq!(delta(&before, &refreshed, "ListRooms"), 3, "{refreshed:?}");
    // ...which the data sources of the same plan reuse: unfiltered, by tag, by name.
    let all = read_rooms(RoomsModel::default()).await;
    assert_eq!(all.arns.len(), 120);
    let tagged = read_rooms(RoomsModel {
        tags: Some(std::collections::BTreeMap::from([(
            "k".to_owned(),
            "v".to_owned(),
        )])),
        ..RoomsModel::default()
    })
    .await;
    assert_eq!(tagged.arns.len(), 120);
    let named = read_rooms(RoomsModel {
        name: Some("room-7".to_owned()),
        ..RoomsModel::default()
    })
    .await;
    assert_eq!(named.arns, vec![rooms[7].state.arn.clone().unwrap()]);
    let none = read_rooms(RoomsModel {
        message_review_handler_uri: Some(
            "arn:aws:lambda:us-east-1:123456789012:function:nobody".to_owned(),
        ),
        ..RoomsModel::default()
    })
    .await;
    assert!(none.arns.is_empty());
    let shared = counts();
    assert_eq!(delta(&refreshed, &shared, "ListRooms"), 0, "{shared:?}");

    // A process that wrote a room (apply) lists on its own after settling the write, and sees it.
    let client = Context::new(&data, &cancel, MINUTE).client(None).unwrap();
    let out = api
        .update_room()
        .identifier(rooms[0].state.arn.clone().unwrap())
        .name("written")
        .send()
        .await
        .unwrap();
    client.record_write(out.arn().unwrap(), out.update_time());
    let named = read_rooms(RoomsModel {
        name: Some("written".to_owned()),
        ..RoomsModel::default()
    })
    .await;
    assert_eq!(named.arns, vec![rooms[0].state.arn.clone().unwrap()]);
    let own = counts();
    assert_eq!(delta(&shared, &own, "ListRooms"), 1, "{own:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_older_than_this_process_s_write_is_not_used_for_the_written_object() {
    use crate::data_sources::logging_configuration::{
        LoggingConfigurationDataSource as OneConfiguration,
        LoggingConfigurationDataSourceModel as OneModel,
    };
    use crate::server::DataSource;
    let emu = ivschat_local::start(Config {
        quotas: QuotaMode::Off,
        logging_settle: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap();
    let api = sdk(&emu.endpoint()).await;
    let made = make_logging_configurations(&api, 2).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let client = Context::new(&data, &cancel, MINUTE).client(None).unwrap();
    let counts =
        || -> HashMap<String, u64> { emu.handle().operation_counts().into_iter().collect() };
    client
        .list_shared::<crate::domain::logging_configuration::LoggingConfigurationApi>(Share::Join)
        .await
        .unwrap()
        .unwrap();

    // A plan's data source: answered by the complete listing, no Get.
    let before = counts();
    let one = OneConfiguration
        .read(
            &Context::new(&data, &cancel, MINUTE),
            OneModel {
                arn: made[1].0.arn.clone(),
                ..OneModel::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(one.name.as_deref(), Some("log-1"));
    assert_eq!(one.state.as_deref(), Some("ACTIVE"));
    assert_eq!(delta(&before, &counts(), "GetLoggingConfiguration"), 0);

    // This process changes the tags of configuration 0 (its updateTime stays): the summary,
    // requested before, still matches the recorded version but is not used.
    let (state, version) = &made[0];
    let arn = state.arn.clone().unwrap();
    let new_tags = std::collections::BTreeMap::from([("k".to_owned(), "mine".to_owned())]);
    super::tagging::update_tags(
        &data,
        &client,
        &arn,
        &state.tags_all.clone().unwrap().into_iter().collect(),
        &new_tags,
    )
    .await
    .unwrap();
    let before = counts();
    let ctx = Context::new(&data, &cancel, MINUTE);
    ctx.set_private(version);
    let read = LoggingConfiguration
        .read(&ctx, state.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.tags.unwrap()["k"], "mine");
    assert_eq!(delta(&before, &counts(), "GetLoggingConfiguration"), 1);
    // The untouched one still comes from the listing.
    let ctx = Context::new(&data, &cancel, MINUTE);
    ctx.set_private(&made[1].1);
    assert_eq!(
        LoggingConfiguration
            .read(&ctx, made[1].0.clone())
            .await
            .unwrap()
            .unwrap(),
        made[1].0
    );
    assert_eq!(delta(&before, &counts(), "GetLoggingConfiguration"), 1);
    // And a data source in a process that wrote a configuration lists on its own.
    let before = counts();
    let one = OneConfiguration
        .read(
            &Context::new(&data, &cancel, MINUTE),
            OneModel {
                arn: Some(arn.clone()),
                ..OneModel::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(one.tags.unwrap()["k"], "mine");
    assert_eq!(delta(&before, &counts(), "GetLoggingConfiguration"), 1);
}
