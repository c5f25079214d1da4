//! Every operation through the real aws-sdk-ivschat client, and every modelled error.

use crate::common;

use aws_sdk_ivschat::operation::create_chat_token::CreateChatTokenError;
use aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationError;
use aws_sdk_ivschat::operation::create_room::CreateRoomError;
use aws_sdk_ivschat::operation::delete_logging_configuration::DeleteLoggingConfigurationError;
use aws_sdk_ivschat::operation::get_room::GetRoomError;
use aws_sdk_ivschat::operation::update_logging_configuration::UpdateLoggingConfigurationError;
use aws_sdk_ivschat::types::{
    ChatTokenCapability, CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FallbackResult, FirehoseDestinationConfiguration, LoggingConfigurationState,
    MessageReviewHandler, ResourceType, S3DestinationConfiguration, ValidationExceptionReason,
};
use common::*;
use ivschat_local::{Config, EventKind, Faults, LoggingFailure, LoggingOperation, LoggingState};
use std::time::Duration;

fn s3(bucket: &str) -> DestinationConfiguration {
    DestinationConfiguration::S3(
        S3DestinationConfiguration::builder()
            .bucket_name(bucket)
            .build()
            .unwrap(),
    )
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";

async fn wait_state(
    c: &aws_sdk_ivschat::Client,
    arn: &str,
    want: LoggingConfigurationState,
) -> aws_sdk_ivschat::operation::get_logging_configuration::GetLoggingConfigurationOutput {
    for _ in 0..100 {
        let got = c
            .get_logging_configuration()
            .identifier(arn)
            .send()
            .await
            .unwrap();
        if got.state() == Some(&want) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("logging configuration {arn} never reached {want:?}");
}

#[tokio::test]
async fn room_lifecycle() {
    let (emu, c) = start(test_config()).await;

    let created = c
        .create_room()
        .name("room-1")
        .tags("team", "chat")
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_owned();
    let id = created.id().unwrap();
    assert_eq!(id.len(), 12);
    assert!(id.chars().all(|ch| ch.is_ascii_alphanumeric()));
    assert_eq!(
        arn,
        format!("arn:aws:ivschat:us-east-1:123456789012:room/{id}")
    );
    assert_eq!(created.maximum_message_length(), Some(500));
    assert_eq!(created.maximum_message_rate_per_second(), Some(10));
    assert!(created.message_review_handler().is_none());
    assert_eq!(created.create_time(), created.update_time());
    assert!(created.create_time().is_some());
    assert_eq!(
        created.tags().unwrap().get("team").map(String::as_str),
        Some("chat")
    );
    assert!(created.logging_configuration_identifiers().is_empty());

    let got = c.get_room().identifier(&arn).send().await.unwrap();
    assert_eq!(got.name(), Some("room-1"));
    assert_eq!(got.create_time(), created.create_time());

    tokio::time::sleep(Duration::from_millis(5)).await;
    let up = c
        .update_room()
        .identifier(&arn)
        .maximum_message_length(100)
        .maximum_message_rate_per_second(100)
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri(LAMBDA)
                .fallback_result(FallbackResult::Deny)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(up.name(), Some("room-1"), "unset members keep their value");
    assert_eq!(up.maximum_message_length(), Some(100));
    assert!(up.update_time().unwrap() > up.create_time().unwrap());
    let h = up.message_review_handler().unwrap();
    assert_eq!(h.uri(), Some(LAMBDA));
    assert_eq!(h.fallback_result(), Some(&FallbackResult::Deny));

    // An empty uri detaches the handler.
    let up = c
        .update_room()
        .identifier(&arn)
        .message_review_handler(MessageReviewHandler::builder().uri("").build())
        .send()
        .await
        .unwrap();
    assert_eq!(up.message_review_handler().unwrap().uri(), Some(""));
    let listed = c
        .list_rooms()
        .message_review_handler_uri(LAMBDA)
        .send()
        .await
        .unwrap();
    assert!(listed.rooms().is_empty());

    // Tags.
    c.tag_resource()
        .resource_arn(&arn)
        .tags("env", "")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 2);
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    let got = c.get_room().identifier(&arn).send().await.unwrap();
    assert_eq!(got.tags().unwrap().len(), 1);
    assert_eq!(got.tags().unwrap().get("env").map(String::as_str), Some(""));

    // ListRooms summaries and filters.
    c.create_room().name("other").send().await.unwrap();
    let all = c.list_rooms().send().await.unwrap();
    assert_eq!(all.rooms().len(), 2);
    assert_eq!(
        all.rooms()[0].name(),
        Some("other"),
        "newest updateTime first"
    );
    assert!(all.next_token().is_none());
    let named = c.list_rooms().name("room-1").send().await.unwrap();
    assert_eq!(named.rooms().len(), 1);
    assert_eq!(named.rooms()[0].arn(), Some(arn.as_str()));

    c.delete_room().identifier(&arn).send().await.unwrap();
    let err = c.get_room().identifier(&arn).send().await.unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));
    match err.into_service_error() {
        GetRoomError::ResourceNotFoundException(e) => {
            assert_eq!(e.resource_id(), id);
            assert_eq!(e.resource_type(), &ResourceType::Room);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emu.handle().rooms().len(), 1);
    assert!(
        emu.handle()
            .events()
            .iter()
            .any(|e| matches!(&e.kind, EventKind::RoomDeleted { arn: a } if *a == arn))
    );
}

#[tokio::test]
async fn logging_configuration_lifecycle_and_states() {
    // Long enough that a Get right after a change still sees the transitional state.
    let (emu, c) = start(Config {
        logging_settle: Duration::from_millis(500),
        ..test_config()
    })
    .await;
    let created = c
        .create_logging_configuration()
        .name("logs")
        .destination_configuration(s3("my-bucket"))
        .tags("k", "v")
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_owned();
    assert!(arn.starts_with("arn:aws:ivschat:us-east-1:123456789012:logging-configuration/"));
    assert_eq!(created.state().map(|s| s.as_str()), Some("ACTIVE"));
    let got = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Creating));
    wait_state(&c, &arn, LoggingConfigurationState::Active).await;

    // Switch destination type in place.
    let up = c
        .update_logging_configuration()
        .identifier(&arn)
        .destination_configuration(DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("/ivs/chat")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(up.name(), Some("logs"));
    let got = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Updating));
    // Updating again while UPDATING conflicts.
    let err = c
        .update_logging_configuration()
        .identifier(&arn)
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("ConflictException".into(), 409));
    assert!(matches!(
        err.into_service_error(),
        UpdateLoggingConfigurationError::ConflictException(_)
    ));
    let got = wait_state(&c, &arn, LoggingConfigurationState::Active).await;
    assert!(
        got.destination_configuration()
            .unwrap()
            .is_cloud_watch_logs()
    );

    // A room uses it: delete is refused.
    let room = c
        .create_room()
        .logging_configuration_identifiers(&arn)
        .send()
        .await
        .unwrap();
    let by_logging = c
        .list_rooms()
        .logging_configuration_identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(by_logging.rooms().len(), 1);
    let err = c
        .delete_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("ConflictException".into(), 409));
    assert!(matches!(
        err.into_service_error(),
        DeleteLoggingConfigurationError::ConflictException(_)
    ));
    c.update_room()
        .identifier(room.arn().unwrap())
        .set_logging_configuration_identifiers(Some(vec![]))
        .send()
        .await
        .unwrap();

    // Forced failures.
    emu.handle()
        .fail_logging(LoggingFailure {
            operation: Some(LoggingOperation::Update),
            name_matches: Some("doomed-.*".into()),
            ..LoggingFailure::default()
        })
        .unwrap();
    c.update_logging_configuration()
        .identifier(&arn)
        .name("doomed-1")
        .send()
        .await
        .unwrap();
    let failed = wait_state(&c, &arn, LoggingConfigurationState::UpdateFailed).await;
    assert_eq!(
        failed.name(),
        Some("logs"),
        "a failed update keeps the old values"
    );

    emu.handle()
        .fail_logging(LoggingFailure {
            operation: Some(LoggingOperation::Delete),
            arn: Some(arn.clone()),
            ..LoggingFailure::default()
        })
        .unwrap();
    c.delete_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    let got = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Deleting));
    wait_state(&c, &arn, LoggingConfigurationState::DeleteFailed).await;
    // Retry the delete: now it goes away.
    c.delete_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        if c.get_logging_configuration()
            .identifier(&arn)
            .send()
            .await
            .is_err()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let err = c
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));

    // Create failure, and forcing a state directly.
    emu.handle()
        .fail_logging(LoggingFailure {
            operation: Some(LoggingOperation::Create),
            ..LoggingFailure::default()
        })
        .unwrap();
    let bad = c
        .create_logging_configuration()
        .destination_configuration(DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("stream.1")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    wait_state(
        &c,
        bad.arn().unwrap(),
        LoggingConfigurationState::CreateFailed,
    )
    .await;
    emu.handle()
        .force_logging_state(bad.arn().unwrap(), LoggingState::Active)
        .unwrap();
    let got = c
        .get_logging_configuration()
        .identifier(bad.arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Active));
    let list = c.list_logging_configurations().send().await.unwrap();
    assert_eq!(list.logging_configurations().len(), 1);
}

#[tokio::test]
async fn logging_quota_and_references() {
    let (_emu, c) = start(Config {
        logging_settle: Duration::ZERO,
        ..test_config()
    })
    .await;
    let mut arns = Vec::new();
    for i in 0..10 {
        let out = c
            .create_logging_configuration()
            .name(format!("l{i}"))
            .destination_configuration(s3("bucket-1"))
            .send()
            .await
            .unwrap();
        arns.push(out.arn().unwrap().to_owned());
    }
    let err = c
        .create_logging_configuration()
        .destination_configuration(s3("bucket-1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_status(&err),
        ("ServiceQuotaExceededException".into(), 402)
    );
    match err.into_service_error() {
        CreateLoggingConfigurationError::ServiceQuotaExceededException(e) => {
            assert_eq!(e.limit(), 10)
        }
        other => panic!("{other:?}"),
    }
    // Pagination of logging configurations.
    let first = c
        .list_logging_configurations()
        .max_results(4)
        .send()
        .await
        .unwrap();
    assert_eq!(first.logging_configurations().len(), 4);
    let mut seen: Vec<String> = first
        .logging_configurations()
        .iter()
        .map(|l| l.arn().unwrap().to_owned())
        .collect();
    let mut token = first.next_token().map(str::to_owned);
    while let Some(t) = token {
        let page = c
            .list_logging_configurations()
            .max_results(4)
            .next_token(t)
            .send()
            .await
            .unwrap();
        seen.extend(
            page.logging_configurations()
                .iter()
                .map(|l| l.arn().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
    }
    arns.reverse();
    assert_eq!(seen, arns, "newest first, each once");

    // At most 3 per room, they must exist.
    let err = c
        .create_room()
        .set_logging_configuration_identifiers(Some(arns[..4].to_vec()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err).0, "ValidationException");
    let missing = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/AAAAAAAAAAAA";
    let err = c
        .create_room()
        .logging_configuration_identifiers(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("ResourceNotFoundException".into(), 404));
    assert!(matches!(
        err.into_service_error(),
        CreateRoomError::ResourceNotFoundException(_)
    ));
    let room = c
        .create_room()
        .set_logging_configuration_identifiers(Some(arns[..3].to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(room.logging_configuration_identifiers().len(), 3);
}

#[tokio::test]
async fn messaging_operations_and_tokens() {
    let (emu, c) = start(Config {
        chat_token_ttl: Duration::from_millis(800),
        ..test_config()
    })
    .await;
    let room = c.create_room().send().await.unwrap();
    let arn = room.arn().unwrap();
    let tok = c
        .create_chat_token()
        .room_identifier(arn)
        .user_id("user-1")
        .capabilities(ChatTokenCapability::SendMessage)
        .capabilities(ChatTokenCapability::DeleteMessage)
        .session_duration_in_minutes(180)
        .attributes("color", "blue")
        .send()
        .await
        .unwrap();
    let claims = emu
        .handle()
        .verify_chat_token(tok.token().unwrap())
        .unwrap();
    assert_eq!(claims.room_arn, arn);
    assert_eq!(claims.user_id, "user-1");
    assert_eq!(claims.capabilities, vec!["SEND_MESSAGE", "DELETE_MESSAGE"]);
    assert_eq!(
        claims.attributes.get("color").map(String::as_str),
        Some("blue")
    );
    let session = tok.session_expiration_time().unwrap();
    let token_exp = tok.token_expiration_time().unwrap();
    assert!(session.secs() - token_exp.secs() > 170 * 60);
    let mut forged = tok.token().unwrap().to_owned();
    forged.push('x');
    assert!(emu.handle().verify_chat_token(&forged).is_err());
    tokio::time::sleep(Duration::from_millis(850)).await;
    assert_eq!(
        emu.handle().verify_chat_token(tok.token().unwrap()),
        Err(ivschat_local::TokenError::Expired)
    );

    let sent = c
        .send_event()
        .room_identifier(arn)
        .event_name("app:refresh")
        .attributes("a", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.id().unwrap().len(), 12);
    let del = c
        .delete_message()
        .room_identifier(arn)
        .id("abcdefABCDEF")
        .reason("spam")
        .send()
        .await
        .unwrap();
    assert_eq!(del.id().unwrap().len(), 12);
    c.disconnect_user()
        .room_identifier(arn)
        .user_id("user-1")
        .reason("bye")
        .send()
        .await
        .unwrap();
    let events = emu.handle().events();
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::SendEvent { event_name, .. } if event_name == "app:refresh")));
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::DeleteMessage { message_id, reason, .. } if message_id == "abcdefABCDEF" && reason.as_deref() == Some("spam"))));
    assert!(events.iter().any(
        |e| matches!(&e.kind, EventKind::DisconnectUser { user_id, .. } if user_id == "user-1")
    ));

    let missing = "arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA";
    let err = c
        .create_chat_token()
        .room_identifier(missing)
        .user_id("u")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.into_service_error(),
        CreateChatTokenError::ResourceNotFoundException(_)
    ));
}

#[tokio::test]
async fn regions_are_separate_and_arns_only() {
    let (emu, east) = start(test_config()).await;
    let west = client_with(&emu.endpoint(), "us-west-2", AKID, SECRET).await;
    let room = west.create_room().send().await.unwrap();
    assert!(
        room.arn()
            .unwrap()
            .starts_with("arn:aws:ivschat:us-west-2:123456789012:room/")
    );
    assert!(east.list_rooms().send().await.unwrap().rooms().is_empty());
    let err = east
        .get_room()
        .identifier(room.arn().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err).1, 404);
    // A bare id is not an identifier.
    let err = west
        .get_room()
        .identifier(room.id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("ValidationException".into(), 400));
}

#[tokio::test]
async fn access_denied_pending_verification_internal_error() {
    let (emu, c) = start(test_config()).await;
    emu.handle().set_faults(Faults {
        deny_operations: vec!["CreateRoom".into()],
        ..Faults::default()
    });
    let err = c.create_room().send().await.unwrap_err();
    assert_eq!(code_status(&err), ("AccessDeniedException".into(), 403));
    assert!(matches!(
        err.into_service_error(),
        CreateRoomError::AccessDeniedException(_)
    ));
    emu.handle().set_faults(Faults {
        pending_verification: true,
        ..Faults::default()
    });
    let err = c.create_room().send().await.unwrap_err();
    assert_eq!(code_status(&err), ("PendingVerification".into(), 403));
    assert!(matches!(
        err.into_service_error(),
        CreateRoomError::PendingVerification(_)
    ));
    // GetRoom's model has no PendingVerification: not raised there.
    let err = c
        .get_room()
        .identifier("arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err).1, 404);
    emu.handle().set_faults(Faults {
        internal_error_rate: 1.0,
        ..Faults::default()
    });
    let err = c
        .list_tags_for_resource()
        .resource_arn("arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_status(&err), ("InternalServerException".into(), 500));
    assert!(matches!(
        err.into_service_error(),
        aws_sdk_ivschat::operation::list_tags_for_resource::ListTagsForResourceError::InternalServerException(_)
    ));
    emu.handle().set_faults(Faults::default());
    let err = c.create_room().name("bad name").send().await.unwrap_err();
    match err.into_service_error() {
        CreateRoomError::ValidationException(e) => {
            assert_eq!(
                e.reason(),
                &ValidationExceptionReason::FieldValidationFailed
            );
            assert_eq!(e.field_list()[0].name(), "name");
        }
        other => panic!("{other:?}"),
    }
}
