//! Chat logging: messages and events of a room with ACTIVE logging configurations are
//! written under the chat log directory, one folder per destination kind and name.

use crate::common;

use aws_sdk_ivschat::types::{
    ChatTokenCapability, CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FirehoseDestinationConfiguration, LoggingConfigurationState, S3DestinationConfiguration,
};
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[tokio::test]
async fn messages_and_events_reach_every_destination() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config();
    config.chat_log_dir = Some(dir.path().to_path_buf());
    let (emu, c) = start(config).await;
    let dests = [
        DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name("chat-bucket")
                .build()
                .unwrap(),
        ),
        DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("chat-group")
                .build()
                .unwrap(),
        ),
        DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("chat-stream")
                .build()
                .unwrap(),
        ),
    ];
    let mut arns = Vec::new();
    for d in dests {
        let r = c
            .create_logging_configuration()
            .destination_configuration(d)
            .send()
            .await
            .unwrap();
        arns.push(r.arn().unwrap().to_owned());
    }
    for arn in &arns {
        for _ in 0..50 {
            let g = c
                .get_logging_configuration()
                .identifier(arn)
                .send()
                .await
                .unwrap();
            if g.state() == Some(&LoggingConfigurationState::Active) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let room = c
        .create_room()
        .set_logging_configuration_identifiers(Some(arns.clone()))
        .send()
        .await
        .unwrap();
    let (room_arn, room_id) = (
        room.arn().unwrap().to_owned(),
        room.id().unwrap().to_owned(),
    );
    let quiet_room = c
        .create_room()
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();

    for arn in [&room_arn, &quiet_room] {
        let t = c
            .create_chat_token()
            .room_identifier(arn)
            .user_id("alice")
            .capabilities(ChatTokenCapability::SendMessage)
            .send()
            .await
            .unwrap();
        let mut req = format!("ws://{}", emu.local_addr())
            .into_client_request()
            .unwrap();
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(t.token().unwrap()).unwrap(),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        let m = json!({"Action": "SEND_MESSAGE", "Content": "logged?", "RequestId": "r1"});
        ws.send(Message::Text(m.to_string().into())).await.unwrap();
        // Once the sender has its copy, the record is written.
        let _ = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap();
    }
    c.send_event()
        .room_identifier(&room_arn)
        .event_name("app:ping")
        .send()
        .await
        .unwrap();

    let all = files(dir.path());
    assert_eq!(all.len(), 3, "{all:?}");
    let s3 = all
        .iter()
        .find(|f| f.starts_with("s3/chat-bucket/"))
        .unwrap();
    let prefix =
        format!("s3/chat-bucket/AWSLogs/123456789012/IVSChatLogs/1.0/us-east-1/room_{room_id}/");
    assert!(s3.starts_with(&prefix) && s3.ends_with("/chat.log"), "{s3}");
    let cw = format!("cloudwatch-logs/chat-group/aws/IVSChatLogs/1.0/room_{room_id}.log");
    let fh = "firehose/chat-stream/records.log".to_owned();
    assert!(all.contains(&cw) && all.contains(&fh), "{all:?}");
    for f in [s3, &cw, &fh] {
        let recs = lines(&dir.path().join(f));
        assert_eq!(recs.len(), 2, "{f}: {recs:?}");
        assert_eq!(recs[0]["type"], "MESSAGE");
        assert_eq!(recs[0]["version"], "1.0");
        assert_eq!(recs[0]["payload"]["Content"], "logged?");
        assert_eq!(recs[0]["payload"]["Sender"]["UserId"], "alice");
        assert_eq!(recs[0]["payload"]["Type"], "MESSAGE");
        assert_eq!(recs[1]["type"], "EVENT");
        assert_eq!(recs[1]["payload"]["EventName"], "app:ping");
        assert!(recs[0]["event_timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
