//! `--consistency eventual`: one test per rule of the model (README, "Consistency"),
//! through the real aws-sdk-ivschat client. The lag is exact (`LagDraw::Exact`) so each
//! test knows when a write becomes visible; every "old version" assertion is checked to
//! have been answered before that instant.

use crate::common;

use aws_sdk_ivschat::Client;
use aws_sdk_ivschat::types::{
    DestinationConfiguration, LoggingConfigurationState, S3DestinationConfiguration,
};
use common::*;
use ivschat_local::{Config, Consistency, Faults, LagDraw, Running};
use std::time::{Duration, SystemTime};

const LAG: Duration = Duration::from_millis(1500);

fn eventual(settle: Duration) -> Config {
    Config {
        logging_settle: settle,
        consistency: Consistency::Eventual {
            max_lag: LAG,
            draw: LagDraw::Exact,
        },
        ..test_config()
    }
}

fn s3(bucket: &str) -> DestinationConfiguration {
    DestinationConfiguration::S3(
        S3DestinationConfiguration::builder()
            .bucket_name(bucket)
            .build()
            .unwrap(),
    )
}

/// When reads will show the latest write to `arn` (it must still be pending).
fn visible_at(emu: &Running, arn: &str) -> SystemTime {
    emu.handle()
        .visible_at(arn)
        .unwrap_or_else(|| panic!("the write to {arn} is already visible"))
}

/// The reads made so far were answered before `at`, so they had to serve the old version.
fn still_before(at: SystemTime) {
    assert!(
        SystemTime::now() < at,
        "the machine was too slow: reads ended after the write became visible"
    );
}

async fn sleep_until(at: SystemTime) {
    if let Ok(d) = at.duration_since(SystemTime::now()) {
        tokio::time::sleep(d + Duration::from_millis(20)).await;
    }
}

/// Waits until reads show the latest write to `arn` (including logging configuration
/// state changes that settle meanwhile).
async fn until_visible(emu: &Running, arn: &str) {
    while let Some(at) = emu.handle().visible_at(arn) {
        sleep_until(at).await;
    }
}

async fn room_names(c: &Client) -> Vec<String> {
    let out = c.list_rooms().send().await.unwrap();
    out.rooms()
        .iter()
        .map(|r| r.name().unwrap_or_default().to_owned())
        .collect()
}

async fn logging_names(c: &Client) -> Vec<String> {
    let out = c.list_logging_configurations().send().await.unwrap();
    out.logging_configurations()
        .iter()
        .map(|l| l.name().unwrap_or_default().to_owned())
        .collect()
}

/// A logging configuration that is ACTIVE and visible.
async fn active_logging(emu: &Running, c: &Client, name: &str) -> String {
    let arn = c
        .create_logging_configuration()
        .name(name)
        .destination_configuration(s3("bucket-a"))
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    loop {
        let visible = emu.handle().visible_at(&arn).is_none();
        let got = c.get_logging_configuration().identifier(&arn).send().await;
        if visible
            && let Ok(got) = got
            && got.state() == Some(&LoggingConfigurationState::Active)
        {
            return arn;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn new_room_is_not_found_and_unlisted_until_visible() {
    let (emu, c) = start(eventual(Duration::ZERO)).await;
    let created = c.create_room().name("fresh").send().await.unwrap();
    let arn = created.arn().unwrap().to_owned();
    let at = visible_at(&emu, &arn);
    let err = c.get_room().identifier(&arn).send().await.unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));
    assert!(room_names(&c).await.is_empty());
    // Writes act on the latest version: tagging and messaging the room work already,
    // and the tags (not lagged) read back at once.
    c.tag_resource()
        .resource_arn(&arn)
        .tags("k", "v")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().get("k").map(String::as_str), Some("v"));
    c.create_chat_token()
        .room_identifier(&arn)
        .user_id("u")
        .send()
        .await
        .unwrap();
    still_before(at);

    sleep_until(at).await;
    let got = c.get_room().identifier(&arn).send().await.unwrap();
    assert_eq!(got.name(), Some("fresh"));
    assert_eq!(got.tags().unwrap().get("k").map(String::as_str), Some("v"));
    assert_eq!(room_names(&c).await, ["fresh"]);
    assert!(emu.handle().visible_at(&arn).is_none());
}

#[tokio::test]
async fn visibility_is_served_over_http_for_out_of_process_harnesses() {
    let (emu, c) = start(eventual(Duration::ZERO)).await;
    let created = c.create_room().send().await.unwrap();
    let arn = created.arn().unwrap().to_owned();
    let ask = || async {
        let body = reqwest::Client::new()
            .get(format!("{}/_emulator/visibility?arn={arn}", emu.endpoint()))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()
    };
    let pending = ask().await;
    let created_ms = created.create_time().unwrap().to_millis().unwrap();
    let lag = i64::try_from(LAG.as_millis()).unwrap();
    let served = aws_smithy_types::DateTime::from_str(
        pending["visibleAt"].as_str().unwrap(),
        aws_smithy_types::date_time::Format::DateTime,
    )
    .unwrap();
    assert_eq!(served.to_millis().unwrap(), created_ms + lag, "{pending}");
    sleep_until(visible_at(&emu, &arn)).await;
    assert_eq!(ask().await["visibleAt"], serde_json::Value::Null);
}

#[tokio::test]
async fn new_logging_configuration_is_not_found_and_unlisted_until_visible() {
    let (emu, c) = start(eventual(Duration::ZERO)).await;
    let created = c
        .create_logging_configuration()
        .name("fresh")
        .destination_configuration(s3("bucket-a"))
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_owned();
    let at = visible_at(&emu, &arn);
    let err = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));
    assert!(logging_names(&c).await.is_empty());
    still_before(at);

    sleep_until(at).await;
    let got = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.name(), Some("fresh"));
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Active));
    assert_eq!(logging_names(&c).await, ["fresh"]);
}

#[tokio::test]
async fn updated_room_reads_old_values_and_update_time_until_visible() {
    let (emu, c) = start(eventual(Duration::ZERO)).await;
    let created = c.create_room().name("before").send().await.unwrap();
    let arn = created.arn().unwrap().to_owned();
    sleep_until(visible_at(&emu, &arn)).await;
    let old = c.get_room().identifier(&arn).send().await.unwrap();

    tokio::time::sleep(Duration::from_millis(5)).await; // a later updateTime
    let updated = c
        .update_room()
        .identifier(&arn)
        .name("after")
        .maximum_message_length(42)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name(), Some("after"));
    assert_ne!(updated.update_time(), old.update_time());
    let at = visible_at(&emu, &arn);
    let got = c.get_room().identifier(&arn).send().await.unwrap();
    assert_eq!(got.name(), Some("before"));
    assert_eq!(got.maximum_message_length(), Some(500));
    assert_eq!(got.update_time(), old.update_time());
    assert_eq!(room_names(&c).await, ["before"]);
    still_before(at);

    sleep_until(at).await;
    let got = c.get_room().identifier(&arn).send().await.unwrap();
    assert_eq!(got.name(), Some("after"));
    assert_eq!(got.maximum_message_length(), Some(42));
    assert_eq!(got.update_time(), updated.update_time());
    assert_eq!(room_names(&c).await, ["after"]);
}

#[tokio::test]
async fn updated_logging_configuration_reads_old_values_until_visible() {
    let (emu, c) = start(eventual(Duration::from_millis(100))).await;
    let arn = active_logging(&emu, &c, "before").await;
    let old = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();

    tokio::time::sleep(Duration::from_millis(5)).await;
    c.update_logging_configuration()
        .identifier(&arn)
        .name("after")
        .destination_configuration(s3("bucket-b"))
        .send()
        .await
        .unwrap();
    let at = visible_at(&emu, &arn);
    let got = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.name(), Some("before"));
    assert_eq!(got.destination_configuration(), Some(&s3("bucket-a")));
    assert_eq!(got.update_time(), old.update_time());
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Active));
    assert_eq!(logging_names(&c).await, ["before"]);
    still_before(at);

    // Visible: the update, then (settled during the lag) ACTIVE again.
    until_visible(&emu, &arn).await;
    let got = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.name(), Some("after"));
    assert_eq!(got.destination_configuration(), Some(&s3("bucket-b")));
    assert_ne!(got.update_time(), old.update_time());
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Active));
}

#[tokio::test]
async fn deleted_room_is_still_returned_until_visible() {
    let (emu, c) = start(eventual(Duration::ZERO)).await;
    let arn = c
        .create_room()
        .name("doomed")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    sleep_until(visible_at(&emu, &arn)).await;
    c.delete_room().identifier(&arn).send().await.unwrap();
    let at = visible_at(&emu, &arn);
    let got = c.get_room().identifier(&arn).send().await.unwrap();
    assert_eq!(got.name(), Some("doomed"));
    assert_eq!(room_names(&c).await, ["doomed"]);
    // Writes see the deletion at once.
    let err = c.delete_room().identifier(&arn).send().await.unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));
    still_before(at);

    sleep_until(at).await;
    let err = c.get_room().identifier(&arn).send().await.unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));
    assert!(room_names(&c).await.is_empty());
}

#[tokio::test]
async fn deleted_logging_configuration_reads_active_then_deleting_then_not_found() {
    // Deleted at t: ACTIVE is served until t + lag, DELETING until the removal (at
    // t + settle) is visible at t + settle + lag.
    let (emu, c) = start(eventual(Duration::from_millis(1000))).await;
    let arn = active_logging(&emu, &c, "doomed").await;
    c.delete_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    let mut seen: Vec<String> = Vec::new();
    let deadline = SystemTime::now() + Duration::from_secs(20);
    loop {
        let got = c.get_logging_configuration().identifier(&arn).send().await;
        let now = match got {
            Ok(g) => g.state().unwrap().as_str().to_owned(),
            Err(e) => code_status(&e).0,
        };
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        if now == "ResourceNotFoundException" || SystemTime::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, ["ACTIVE", "DELETING", "ResourceNotFoundException"]);
}

#[tokio::test]
async fn logging_configuration_just_detached_or_whose_room_was_deleted_still_conflicts() {
    let (emu, c) = start(eventual(Duration::from_millis(50))).await;
    let detached = active_logging(&emu, &c, "detached").await;
    let orphaned = active_logging(&emu, &c, "orphaned").await;
    let keeper = c
        .create_room()
        .name("keeper")
        .logging_configuration_identifiers(&detached)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let goner = c
        .create_room()
        .name("goner")
        .logging_configuration_identifiers(&orphaned)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    sleep_until(visible_at(&emu, &goner)).await;

    c.update_room()
        .identifier(&keeper)
        .set_logging_configuration_identifiers(Some(Vec::new()))
        .send()
        .await
        .unwrap();
    c.delete_room().identifier(&goner).send().await.unwrap();
    let (keeper_at, goner_at) = (visible_at(&emu, &keeper), visible_at(&emu, &goner));
    let at = keeper_at.min(goner_at);
    for arn in [&detached, &orphaned] {
        let err = c
            .delete_logging_configuration()
            .identifier(arn)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code_status(&err),
            ("ConflictException".into(), 409),
            "{arn}"
        );
    }
    still_before(at);

    sleep_until(keeper_at.max(goner_at)).await;
    for arn in [&detached, &orphaned] {
        c.delete_logging_configuration()
            .identifier(arn)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn uniform_lags_are_within_the_bound_and_reproducible_with_the_seed() {
    async fn lags(seed: u64) -> Vec<i64> {
        let (emu, c) = start(Config {
            consistency: Consistency::Eventual {
                max_lag: Duration::from_secs(60),
                draw: LagDraw::Uniform,
            },
            faults: Faults {
                seed: Some(seed),
                ..Faults::default()
            },
            ..test_config()
        })
        .await;
        let mut out = Vec::new();
        for _ in 0..5 {
            let r = c.create_room().send().await.unwrap();
            let created = r.create_time().unwrap().to_millis().unwrap();
            let at = emu
                .handle()
                .visible_at(r.arn().unwrap())
                .unwrap()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_millis();
            out.push(i64::try_from(at).unwrap() - created);
        }
        out
    }
    let a = lags(42).await;
    assert!(a.iter().all(|l| (0..=60_000).contains(l)), "{a:?}");
    assert_eq!(a, lags(42).await);
    assert_ne!(a, lags(43).await);
}

#[tokio::test]
async fn strong_consistency_is_the_default_and_reads_see_writes_at_once() {
    let (emu, c) = start(test_config()).await;
    assert_eq!(Config::default().consistency, Consistency::Strong);
    let arn = c
        .create_room()
        .name("now")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    assert!(emu.handle().visible_at(&arn).is_none());
    assert_eq!(
        c.get_room().identifier(&arn).send().await.unwrap().name(),
        Some("now")
    );
}
