//! Pagination under change, concurrency, SigV4, quotas, faults and persistence.

use crate::common;

use aws_sdk_ivschat::error::SdkError;
use common::*;
use ivschat_local::{Config, Credentials, Faults, QuotaMode};
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[tokio::test]
async fn pagination_stays_correct_while_rooms_change() {
    let (emu, c) = start(test_config()).await;
    let mut stable = HashSet::new();
    for i in 0..60 {
        let r = c
            .create_room()
            .name(format!("stable{i}"))
            .send()
            .await
            .unwrap();
        stable.insert(r.arn().unwrap().to_owned());
    }
    let mut churn = Vec::new();
    for i in 0..30 {
        let r = c
            .create_room()
            .name(format!("churn{i}"))
            .send()
            .await
            .unwrap();
        churn.push(r.arn().unwrap().to_owned());
    }
    // Writer: deletes the churn rooms and creates new rooms while the reader pages.
    let writer = {
        let c = client(&emu).await;
        tokio::spawn(async move {
            for (i, arn) in churn.into_iter().enumerate() {
                c.delete_room().identifier(arn).send().await.unwrap();
                c.create_room()
                    .name(format!("new{i}"))
                    .send()
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut last_update = None;
    loop {
        let page = c
            .list_rooms()
            .max_results(7)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        for r in page.rooms() {
            if let Some(prev) = last_update {
                assert!(r.update_time().unwrap() <= &prev, "newest first");
            }
            last_update = r.update_time().copied();
            seen.push(r.arn().unwrap().to_owned());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    writer.await.unwrap();
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no room twice");
    for arn in &stable {
        assert!(unique.contains(arn), "stable room {arn} missed");
    }
}

#[tokio::test]
async fn hundreds_of_concurrent_requests_lose_nothing() {
    let (emu, c) = start(test_config()).await;
    let room = c.create_room().send().await.unwrap();
    let arn = room.arn().unwrap().to_owned();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let c = c.clone();
        let arn = arn.clone();
        tasks.push(tokio::spawn(async move {
            if i < 50 {
                c.tag_resource()
                    .resource_arn(&arn)
                    .tags(format!("k{i}"), "v")
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            } else if i % 2 == 0 {
                c.create_room()
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            } else {
                c.get_room()
                    .identifier(&arn)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 50);
    assert_eq!(emu.handle().rooms().len(), 1 + 125);
}

#[tokio::test]
async fn sigv4_is_enforced_when_configured() {
    let (emu, good) = start(Config {
        credentials: Some(Credentials {
            access_key_id: AKID.into(),
            secret_access_key: SECRET.into(),
        }),
        ..test_config()
    })
    .await;
    // Right credentials: every binding style verifies (JSON body, path label, query).
    let room = good
        .create_room()
        .name("signed")
        .tags("a", "b")
        .send()
        .await
        .unwrap();
    let arn = room.arn().unwrap();
    good.tag_resource()
        .resource_arn(arn)
        .tags("c d", "e")
        .send()
        .await
        .unwrap();
    good.untag_resource()
        .resource_arn(arn)
        .tag_keys("a")
        .tag_keys("c d")
        .send()
        .await
        .unwrap();
    good.list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    good.delete_room().identifier(arn).send().await.unwrap();

    let wrong_secret = client_with(&emu.endpoint(), "us-east-1", AKID, "not-the-secret").await;
    let err = wrong_secret.list_rooms().send().await.unwrap_err();
    assert_eq!(code_status(&err), ("InvalidSignatureException".into(), 403));
    let msg = aws_sdk_ivschat::error::ProvideErrorMetadata::message(&err.into_service_error())
        .unwrap_or_default()
        .to_owned();
    assert!(msg.contains("signature"), "{msg}");

    let wrong_key = client_with(&emu.endpoint(), "us-east-1", "AKIDOTHER", SECRET).await;
    let err = wrong_key.list_rooms().send().await.unwrap_err();
    assert_eq!(
        code_status(&err),
        ("UnrecognizedClientException".into(), 403)
    );

    let r = reqwest::Client::new()
        .post(format!("{}/ListRooms", emu.endpoint()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.headers()["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
}

#[tokio::test]
async fn aws_quotas_throttle_bursts() {
    let (_emu, c) = start(Config {
        quotas: QuotaMode::Aws,
        ..test_config()
    })
    .await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move { c.create_room().send().await }));
    }
    let mut ok = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => {
                assert_eq!(code_status(&e), ("ThrottlingException".into(), 429));
                throttled += 1;
            }
        }
    }
    assert!(ok >= 5, "the bucket holds 5: {ok}");
    assert!(throttled >= 1, "a burst of 12 > 5 TPS throttles");
    // Other operations have their own buckets.
    c.list_logging_configurations().send().await.unwrap();
    // The bucket refills at 5 per second.
    tokio::time::sleep(Duration::from_millis(450)).await;
    c.create_room().send().await.unwrap();
}

#[tokio::test]
async fn injected_faults() {
    let (emu, c) = start(test_config()).await;
    let h = emu.handle();

    h.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let err = c.list_rooms().send().await.unwrap_err();
    assert_eq!(code_status(&err), ("ThrottlingException".into(), 429));

    // Operations whose model lists ThrottlingException get the typed variant.
    let room = {
        h.set_faults(Faults::default());
        c.create_room().send().await.unwrap()
    };
    h.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let err = c
        .delete_message()
        .room_identifier(room.arn().unwrap())
        .id("abcdefghijkl")
        .send()
        .await
        .unwrap_err();
    match err.into_service_error() {
        aws_sdk_ivschat::operation::delete_message::DeleteMessageError::ThrottlingException(e) => {
            assert_eq!(e.limit(), 100);
            assert_eq!(
                e.resource_type(),
                &aws_sdk_ivschat::types::ResourceType::Room
            );
        }
        other => panic!("{other:?}"),
    }
    h.set_faults(Faults::default());
    c.delete_room()
        .identifier(room.arn().unwrap())
        .send()
        .await
        .unwrap();

    h.set_faults(Faults {
        internal_error_rate: 1.0,
        ..Faults::default()
    });
    let err = c.create_room().send().await.unwrap_err();
    assert_eq!(code_status(&err), ("InternalServerException".into(), 500));
    h.set_faults(Faults::default());
    assert!(h.rooms().is_empty(), "a 500 fault runs nothing");

    h.set_faults(Faults {
        latency: Duration::from_millis(200),
        ..Faults::default()
    });
    let t = Instant::now();
    c.list_rooms().send().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(200));

    h.set_faults(Faults {
        reset_after_commit_rate: 1.0,
        ..Faults::default()
    });
    let err = c.create_room().name("committed").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
        ),
        "connection dropped without a response: {err:?}"
    );
    h.set_faults(Faults::default());
    let rooms = c.list_rooms().send().await.unwrap();
    assert_eq!(
        rooms.rooms().len(),
        1,
        "the reset create really created the room"
    );
    assert_eq!(rooms.rooms()[0].name(), Some("committed"));
}

#[tokio::test]
async fn faults_are_reproducible_with_a_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let (_emu, c) = start(Config {
            faults: Faults {
                throttle_rate: 0.3,
                internal_error_rate: 0.3,
                seed: Some(seed),
                ..Faults::default()
            },
            ..test_config()
        })
        .await;
        let mut out = Vec::new();
        for _ in 0..30 {
            out.push(match c.list_rooms().send().await {
                Ok(_) => 200,
                Err(e) => code_status(&e).1,
            });
        }
        out
    }
    let a = pattern(7).await;
    assert_eq!(a, pattern(7).await);
    assert!(
        a.contains(&200) && a.contains(&429) && a.contains(&500),
        "{a:?}"
    );
}

#[tokio::test]
async fn state_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let config = Config {
        state_file: Some(file.clone()),
        logging_settle: Duration::ZERO,
        ..test_config()
    };
    let (emu, c) = start(config.clone()).await;
    let lc = c
        .create_logging_configuration()
        .name("persisted")
        .destination_configuration(aws_sdk_ivschat::types::DestinationConfiguration::S3(
            aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                .bucket_name("bucket")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    let room = c
        .create_room()
        .name("kept")
        .tags("k", "v")
        .logging_configuration_identifiers(lc.arn().unwrap())
        .send()
        .await
        .unwrap();
    let token = c
        .create_chat_token()
        .room_identifier(room.arn().unwrap())
        .user_id("u")
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(on_disk["rooms"].as_array().unwrap().len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "state.json")
        .collect();
    assert!(leftovers.is_empty(), "no temp files left");

    let (emu, c) = start(config).await;
    let got = c
        .get_room()
        .identifier(room.arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.name(), Some("kept"));
    assert_eq!(got.create_time(), room.create_time());
    assert_eq!(got.tags().unwrap().get("k").map(String::as_str), Some("v"));
    assert_eq!(got.logging_configuration_identifiers(), [lc.arn().unwrap()]);
    let lcs = c.list_logging_configurations().send().await.unwrap();
    assert_eq!(lcs.logging_configurations()[0].name(), Some("persisted"));
    assert!(
        emu.handle()
            .verify_chat_token(token.token().unwrap())
            .is_ok()
    );
    // New rooms still sort before the old ones.
    c.create_room().name("newer").send().await.unwrap();
    let list = c.list_rooms().send().await.unwrap();
    let names: Vec<_> = list.rooms().iter().map(|r| r.name().unwrap()).collect();
    assert_eq!(names, ["newer", "kept"]);
}
