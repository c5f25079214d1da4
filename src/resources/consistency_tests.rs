//! Rooms and logging configurations against an in-process ivschat-local that lags like AWS
//! (`Consistency::Eventual`, every lag exactly `LAG`) or answers slowly: one regression test per
//! finding of issue 13. Each runs in a few seconds of real time (the lag is real).

use std::time::Duration;

use ivschat_local::{Config, Consistency, Faults, LagDraw, LoggingFailure, LoggingOperation};
use tokio_util::sync::CancellationToken;

use super::logging_configuration::{LoggingConfiguration, LoggingConfigurationModel};
use super::room::{Room, RoomModel};
use crate::aws::Written;
use crate::domain::models::{DestinationModel, S3Model};
use crate::provider::ProviderData;
use crate::provider::config::{Env, ProviderConfig};
use crate::server::{Context, PrivateState, Resource};
use crate::value::Value;

const LAG: Duration = Duration::from_millis(800);

async fn emulator(consistency: Consistency) -> ivschat_local::Running {
    ivschat_local::start(Config {
        quotas: ivschat_local::QuotaMode::Off,
        logging_settle: Duration::from_millis(200),
        consistency,
        ..Config::default()
    })
    .await
    .unwrap()
}

fn eventual() -> Consistency {
    Consistency::Eventual {
        max_lag: LAG,
        draw: LagDraw::Exact,
    }
}

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

fn ctx<'a>(
    data: &'a ProviderData,
    cancel: &'a CancellationToken,
    timeout: Duration,
) -> Context<'a, ProviderData> {
    Context::new(data, cancel, timeout)
}

fn room_plan(name: &str) -> RoomModel {
    RoomModel {
        name: Some(name.to_owned()),
        maximum_message_length: Some(500),
        maximum_message_rate_per_second: Some(10),
        region: Some("us-east-1".to_owned()),
        ..RoomModel::default()
    }
}

fn s3(bucket: &str) -> Vec<DestinationModel> {
    vec![DestinationModel {
        s3: vec![S3Model {
            bucket_name: bucket.to_owned(),
        }],
        ..DestinationModel::default()
    }]
}

fn config_plan(name: &str, bucket: &str) -> LoggingConfigurationModel {
    LoggingConfigurationModel {
        name: Some(name.to_owned()),
        destination_configuration: s3(bucket),
        region: Some("us-east-1".to_owned()),
        ..LoggingConfigurationModel::default()
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// The slow-endpoint tests answer every call in 3 s. A create cut off at its limit may have
/// been carried out, so it makes one more (bounded) call, the lookup by its marker, before it
/// reports: creates end within the limit plus that one call (src/aws/create.rs).
const LOOKUP: Duration = Duration::from_secs(3);

/// Finding 1: a room's `timeouts` are enforced. With every call taking 3 s and a 1 s limit,
/// create, update and delete end within the limit plus a margin (they took 3 s or more).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_operations_end_at_their_time_limit() {
    let emu = emulator(Consistency::Strong).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let created = Room
        .create(&ctx(&data, &cancel, MINUTE), room_plan("slow"))
        .await
        .unwrap();
    emu.handle().set_faults(Faults {
        latency: Duration::from_secs(3),
        ..Faults::default()
    });
    let limit = Duration::from_secs(1);
    let margin = Duration::from_millis(700);

    let started = std::time::Instant::now();
    let failed = Room
        .create(&ctx(&data, &cancel, limit), room_plan("slower"))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + LOOKUP + margin,
        "create took {:?}",
        started.elapsed()
    );
    assert!(
        format!("{:?}", failed.diags).contains("time limit"),
        "{:?}",
        failed.diags
    );

    let started = std::time::Instant::now();
    let renamed = RoomModel {
        name: Some("renamed".to_owned()),
        ..created.clone()
    };
    let failed = Room
        .update(&ctx(&data, &cancel, limit), created.clone(), renamed)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + margin,
        "update took {:?}",
        started.elapsed()
    );
    // Not applied as far as the provider knows: the prior values.
    assert_eq!(failed.partial.unwrap().name.as_deref(), Some("slow"));

    let started = std::time::Instant::now();
    Room.delete(&ctx(&data, &cancel, limit), created)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + margin,
        "delete took {:?}",
        started.elapsed()
    );
}

/// Finding 1 (cancellation): StopProvider ends a logging configuration's wait at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_a_logging_configuration_wait_at_once() {
    let emu = ivschat_local::start(Config {
        quotas: ivschat_local::QuotaMode::Off,
        logging_settle: Duration::from_secs(30),
        ..Config::default()
    })
    .await
    .unwrap();
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        stopper.cancel();
    });
    let started = std::time::Instant::now();
    let failed = LoggingConfiguration
        .create(
            &ctx(&data, &cancel, MINUTE),
            config_plan("stopped", "bucket-a"),
        )
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );
    // Created: kept (tainted) so that it does not leak.
    let partial = failed.partial.expect("the created configuration is kept");
    assert_eq!(
        partial.arn.as_deref(),
        emu.handle().logging_configurations()[0].arn.as_str().into()
    );
}

/// Finding 2: deleting a logging configuration whose reads still say ACTIVE (the version
/// before the delete) waits until they say not found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_logging_configuration_read_as_active_is_waited_for() {
    let emu = emulator(eventual()).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let created = LoggingConfiguration
        .create(&ctx(&data, &cancel, MINUTE), config_plan("lc", "bucket-a"))
        .await
        .unwrap();
    LoggingConfiguration
        .delete(&ctx(&data, &cancel, MINUTE), created)
        .await
        .unwrap();
    assert!(emu.handle().logging_configurations().is_empty());
}

/// Finding 3: a create whose first reads say not found keeps its object, for both types; and
/// the first refresh after the create (another process: only private state) finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_object_read_as_not_found_is_not_lost() {
    let emu = emulator(eventual()).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let created = LoggingConfiguration
        .create(&ctx(&data, &cancel, MINUTE), config_plan("lc", "bucket-a"))
        .await
        .unwrap();
    assert_eq!(created.state.as_deref(), Some("ACTIVE"));

    let create_ctx = ctx(&data, &cancel, MINUTE);
    let room = Room.create(&create_ctx, room_plan("r")).await.unwrap();
    let private = create_ctx.private_state().encode();
    assert!(
        emu.handle()
            .visible_at(room.arn.as_deref().unwrap())
            .is_some()
    );
    // A fresh provider process, as in the next `terraform plan`: it knows the write only from
    // the private state.
    let other = provider(&emu.endpoint());
    let read_ctx = ctx(&other, &cancel, MINUTE).with_private(PrivateState::decode(Some(&private)));
    let read = Room.read(&read_ctx, room.clone()).await.unwrap();
    assert_eq!(read.map(|r| r.arn), Some(room.arn.clone()));
    // Seen: the next read need not wait any more.
    assert!(read_ctx.private::<Written>().is_none());
}

/// A read that serves a version older than the provider's own update (lag) is retried, not
/// reported as drift; in the same process (a data source) too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_older_than_the_last_update_is_retried() {
    let emu = emulator(eventual()).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let room = Room
        .create(&ctx(&data, &cancel, MINUTE), room_plan("before"))
        .await
        .unwrap();
    let update_ctx = ctx(&data, &cancel, MINUTE);
    let plan = RoomModel {
        name: Some("after".to_owned()),
        ..room.clone()
    };
    Room.update(&update_ctx, room.clone(), plan).await.unwrap();
    let private = update_ctx.private_state().encode();
    let other = provider(&emu.endpoint());
    let read_ctx = ctx(&other, &cancel, MINUTE).with_private(PrivateState::decode(Some(&private)));
    let read = Room.read(&read_ctx, room).await.unwrap().unwrap();
    assert_eq!(read.name.as_deref(), Some("after"));
}

/// Finding 4: an UPDATE_FAILED logging configuration keeps its prior destination in state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_logging_configuration_update_keeps_the_prior_destination() {
    let emu = emulator(Consistency::Strong).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let created = LoggingConfiguration
        .create(&ctx(&data, &cancel, MINUTE), config_plan("lc", "bucket-a"))
        .await
        .unwrap();
    emu.handle()
        .fail_logging(LoggingFailure {
            operation: Some(LoggingOperation::Update),
            name_matches: None,
            arn: created.arn.clone(),
            count: Some(1),
        })
        .unwrap();
    let plan = LoggingConfigurationModel {
        destination_configuration: s3("bucket-b"),
        ..created.clone()
    };
    let failed = LoggingConfiguration
        .update(&ctx(&data, &cancel, MINUTE), created.clone(), plan)
        .await
        .unwrap_err();
    let partial = failed.partial.expect("the configuration still exists");
    assert_eq!(partial.destination_configuration, s3("bucket-a"));
    assert_eq!(partial.state.as_deref(), Some("UPDATE_FAILED"));
}

/// Finding 5: a room and the logging configuration it used, destroyed one after the other
/// (as Terraform does), both go although reads lag behind the room's deletion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_and_its_logging_configuration_are_destroyed_together() {
    let emu = emulator(eventual()).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let config = LoggingConfiguration
        .create(&ctx(&data, &cancel, MINUTE), config_plan("lc", "bucket-a"))
        .await
        .unwrap();
    let room = Room
        .create(
            &ctx(&data, &cancel, MINUTE),
            RoomModel {
                logging_configuration_identifiers: Some(vec![config.arn.clone().unwrap()]),
                ..room_plan("r")
            },
        )
        .await
        .unwrap();
    Room.delete(&ctx(&data, &cancel, MINUTE), room)
        .await
        .unwrap();
    LoggingConfiguration
        .delete(&ctx(&data, &cancel, MINUTE), config)
        .await
        .unwrap();
    assert!(emu.handle().rooms().is_empty());
    assert!(emu.handle().logging_configurations().is_empty());
}

/// A logging configuration that a room nobody is changing uses: the delete fails at once,
/// naming the room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logging_configuration_in_use_names_its_rooms() {
    let emu = emulator(Consistency::Strong).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let config = LoggingConfiguration
        .create(&ctx(&data, &cancel, MINUTE), config_plan("lc", "bucket-a"))
        .await
        .unwrap();
    let room = Room
        .create(
            &ctx(&data, &cancel, MINUTE),
            RoomModel {
                logging_configuration_identifiers: Some(vec![config.arn.clone().unwrap()]),
                ..room_plan("user")
            },
        )
        .await
        .unwrap();
    // Another process: it did not touch the room.
    let other = provider(&emu.endpoint());
    let started = std::time::Instant::now();
    let diags = LoggingConfiguration
        .delete(&ctx(&other, &cancel, MINUTE), config)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = format!("{diags:?}");
    assert!(text.contains(room.arn.as_deref().unwrap()), "{text}");
}

/// Finding 1, logging configurations: with every call taking 3 s and a 1 s limit, create,
/// update and delete end within the limit plus a margin, and the failed update keeps the
/// prior destination.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_configuration_operations_end_at_their_time_limit() {
    let emu = emulator(Consistency::Strong).await;
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let created = LoggingConfiguration
        .create(
            &ctx(&data, &cancel, MINUTE),
            config_plan("slow", "bucket-a"),
        )
        .await
        .unwrap();
    emu.handle().set_faults(Faults {
        latency: Duration::from_secs(3),
        ..Faults::default()
    });
    let limit = Duration::from_secs(1);
    let margin = Duration::from_millis(700);

    let started = std::time::Instant::now();
    let failed = LoggingConfiguration
        .create(
            &ctx(&data, &cancel, limit),
            config_plan("slower", "bucket-a"),
        )
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + LOOKUP + margin,
        "create took {:?}",
        started.elapsed()
    );
    assert!(
        format!("{:?}", failed.diags).contains("time limit"),
        "{:?}",
        failed.diags
    );

    let started = std::time::Instant::now();
    let moved = LoggingConfigurationModel {
        destination_configuration: s3("bucket-b"),
        ..created.clone()
    };
    let failed = LoggingConfiguration
        .update(&ctx(&data, &cancel, limit), created.clone(), moved)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + margin,
        "update took {:?}",
        started.elapsed()
    );
    // Not applied as far as the provider knows: the prior destination.
    let partial = failed.partial.expect("the configuration still exists");
    assert_eq!(partial.destination_configuration, s3("bucket-a"));

    let started = std::time::Instant::now();
    let diags = LoggingConfiguration
        .delete(&ctx(&data, &cancel, limit), created)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + margin,
        "delete took {:?}",
        started.elapsed()
    );
    assert!(format!("{diags:?}").contains("time limit"), "{diags:?}");
}

/// Finding 1, logging configurations: a create whose CreateLoggingConfiguration answered but
/// whose wait for ACTIVE outlasts the limit (slow calls, slow settling) ends at the limit and
/// keeps the created configuration, so Terraform records it (tainted) instead of leaking it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logging_configuration_created_before_its_time_limit_is_kept() {
    let emu = ivschat_local::start(Config {
        quotas: ivschat_local::QuotaMode::Off,
        logging_settle: Duration::from_secs(30),
        faults: Faults {
            latency: Duration::from_millis(400),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let data = provider(&emu.endpoint());
    let cancel = CancellationToken::new();
    let limit = Duration::from_secs(1);
    let margin = Duration::from_millis(700);
    let started = std::time::Instant::now();
    let failed = LoggingConfiguration
        .create(&ctx(&data, &cancel, limit), config_plan("kept", "bucket-a"))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < limit + margin,
        "create took {:?}",
        started.elapsed()
    );
    let partial = failed.partial.expect("the created configuration is kept");
    let held = emu.handle().logging_configurations();
    assert_eq!(held.len(), 1);
    assert_eq!(partial.arn.as_deref(), Some(held[0].arn.as_str()));
}
