//! The messaging plane over real WebSockets (tokio-tungstenite on loopback): token checks,
//! every request, every payload and every error code, room rules, and the control plane
//! reaching connected clients.

use crate::common;

use aws_sdk_ivschat::Client;
use aws_sdk_ivschat::types::ChatTokenCapability;
use common::*;
use futures_util::{SinkExt, StreamExt};
use ivschat_local::{Config, Faults, QuotaMode, Running};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn ws_url(emu: &Running) -> String {
    format!("ws://{}", emu.local_addr())
}

async fn try_connect(emu: &Running, token: Option<&str>) -> Result<Ws, tungstenite::Error> {
    let mut req = ws_url(emu).into_client_request()?;
    if let Some(t) = token {
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(t).unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, resp)| {
            // The server picks the offered token as the subprotocol, as AWS's clients expect.
            assert_eq!(
                resp.headers()
                    .get("sec-websocket-protocol")
                    .map(|v| v.to_str().unwrap()),
                token
            );
            ws
        })
}

async fn connect(emu: &Running, token: &str) -> Ws {
    try_connect(emu, Some(token)).await.expect("connects")
}

/// HTTP status of a refused upgrade.
async fn refused(emu: &Running, token: Option<&str>) -> u16 {
    match try_connect(emu, token).await {
        Err(tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("expected an HTTP refusal, got {e:?}"),
        Ok(_) => panic!("expected a refusal, the connection was accepted"),
    }
}

/// The next text frame as JSON; panics after 5 s or on close.
async fn recv(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("stream open")
            .expect("frame ok");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// Waits for the server's close frame; returns its code and reason.
async fn closed(ws: &mut Ws) -> (u16, String) {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("closes within 5 s")
        {
            Some(Ok(Message::Close(Some(f)))) => return (f.code.into(), f.reason.to_string()),
            Some(Ok(Message::Close(None))) | None => return (1005, String::new()),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("error instead of a close: {e:?}"),
        }
    }
}

/// Asserts nothing arrives for a short while.
async fn quiet(ws: &mut Ws) {
    if let Ok(m) = tokio::time::timeout(Duration::from_millis(300), ws.next()).await {
        panic!("expected nothing, got {m:?}");
    }
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

async fn room(c: &Client, length: i32, rate: i32) -> String {
    c.create_room()
        .maximum_message_length(length)
        .maximum_message_rate_per_second(rate)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

async fn token(
    c: &Client,
    room: &str,
    user: &str,
    caps: &[&str],
    attrs: &[(&str, &str)],
) -> String {
    let mut b = c.create_chat_token().room_identifier(room).user_id(user);
    for cap in caps {
        b = b.capabilities(ChatTokenCapability::from(*cap));
    }
    for (k, v) in attrs {
        b = b.attributes(*k, *v);
    }
    b.send().await.unwrap().token().unwrap().to_owned()
}

fn assert_id(v: &Value) {
    let id = v["Id"].as_str().expect("Id");
    assert_eq!(id.len(), 12, "{v}");
}

fn assert_time(v: &Value) {
    let t = v["SendTime"].as_str().expect("SendTime");
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("SendTime {t}: {e}"));
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

async fn wait_connections(emu: &Running, room: &str, n: usize) {
    for _ in 0..100 {
        if emu.handle().chat_connections(room) == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "room has {} connections, expected {n}",
        emu.handle().chat_connections(room)
    );
}

#[tokio::test]
async fn a_message_reaches_every_client_field_for_field() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 500, 10).await;
    let alice = token(&c, &arn, "alice", &["SEND_MESSAGE"], &[("color", "red")]).await;
    let bob = token(&c, &arn, "bob", &[], &[]).await;
    let mut a = connect(&emu, &alice).await;
    let mut b = connect(&emu, &bob).await;
    wait_connections(&emu, &arn, 2).await;
    send(
        &mut a,
        json!({"Action": "SEND_MESSAGE", "RequestId": "r-1", "Content": "héllo 👋", "Attributes": {"k": "v"}}),
    )
    .await;
    for ws in [&mut a, &mut b] {
        let m = recv(ws).await;
        assert_eq!(
            keys(&m),
            [
                "Attributes",
                "Content",
                "Id",
                "RequestId",
                "SendTime",
                "Sender",
                "Type"
            ]
        );
        assert_eq!(m["Type"], "MESSAGE");
        assert_eq!(m["RequestId"], "r-1");
        assert_eq!(m["Content"], "héllo 👋");
        assert_eq!(m["Attributes"], json!({"k": "v"}));
        assert_eq!(
            m["Sender"],
            json!({"UserId": "alice", "Attributes": {"color": "red"}})
        );
        assert_id(&m);
        assert_time(&m);
    }
    // Without a RequestId the field is absent; without Attributes they are empty.
    send(&mut a, json!({"Action": "SEND_MESSAGE", "Content": "x"})).await;
    let m = recv(&mut b).await;
    assert!(m.get("RequestId").is_none(), "{m}");
    assert_eq!(m["Attributes"], json!({}));
    // A closed client leaves the room.
    b.close(None).await.unwrap();
    wait_connections(&emu, &arn, 1).await;
}

#[tokio::test]
async fn tokens_are_checked_at_the_upgrade() {
    let mut config = test_config();
    config.chat_token_ttl = Duration::from_millis(300);
    let (emu, c) = start(config).await;
    let arn = room(&c, 500, 10).await;
    assert_eq!(refused(&emu, None).await, 401);
    assert_eq!(refused(&emu, Some("not-a-token")).await, 401);
    // A token made by another emulator (another key) is refused.
    let (other, oc) = start(test_config()).await;
    let oarn = room(&oc, 500, 10).await;
    let foreign = token(&oc, &oarn, "u", &[], &[]).await;
    assert_eq!(refused(&emu, Some(&foreign)).await, 401);
    connect(&other, &foreign).await;
    // Expired: unused past tokenExpirationTime.
    let t = token(&c, &arn, "u", &[], &[]).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(refused(&emu, Some(&t)).await, 401);
    // The room is gone.
    let t = token(&c, &arn, "u", &[], &[]).await;
    c.delete_room().identifier(&arn).send().await.unwrap();
    assert_eq!(refused(&emu, Some(&t)).await, 404);
    // A plain GET / is still the API's unknown operation, not a WebSocket error.
    let plain = reqwest::get(emu.endpoint()).await.unwrap();
    let unknown = reqwest::get(format!("{}/NoSuchOperation", emu.endpoint()))
        .await
        .unwrap();
    assert_eq!(plain.status(), unknown.status());
    assert_eq!(
        plain.headers().get("x-amzn-errortype"),
        unknown.headers().get("x-amzn-errortype")
    );
}

async fn expect_error(ws: &mut Ws, request: Value, code: u16, needle: &str) {
    let rid = request.get("RequestId").cloned();
    send(ws, request).await;
    let e = recv(ws).await;
    assert_eq!(e["Type"], "ERROR", "{e}");
    assert_eq!(e["ErrorCode"], code, "{e}");
    let msg = e["ErrorMessage"].as_str().unwrap();
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    assert_id(&e);
    match rid {
        Some(r) => {
            assert_eq!(e["RequestId"], r);
            assert_eq!(
                keys(&e),
                ["ErrorCode", "ErrorMessage", "Id", "RequestId", "Type"]
            );
        }
        None => assert_eq!(keys(&e), ["ErrorCode", "ErrorMessage", "Id", "Type"]),
    }
}

#[tokio::test]
async fn every_error_code() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 5, 2).await;
    let all = token(
        &c,
        &arn,
        "mod",
        &["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"],
        &[],
    )
    .await;
    let none = token(&c, &arn, "viewer", &[], &[]).await;
    let mut m = connect(&emu, &all).await;
    let mut v = connect(&emu, &none).await;
    // 400: not JSON, no Action, unknown Action, missing fields, empty and too long content.
    send(&mut m, json!("x")).await;
    assert_eq!(recv(&mut m).await["ErrorCode"], 400);
    m.send(Message::Text("{".into())).await.unwrap();
    assert_eq!(recv(&mut m).await["ErrorCode"], 400);
    expect_error(&mut m, json!({"RequestId": "a"}), 400, "Action").await;
    expect_error(
        &mut m,
        json!({"Action": "SHOUT", "RequestId": "b"}),
        400,
        "SHOUT",
    )
    .await;
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "RequestId": "c"}),
        400,
        "Content",
    )
    .await;
    expect_error(&mut m, json!({"Action": "DELETE_MESSAGE"}), 400, "Id").await;
    expect_error(&mut m, json!({"Action": "DISCONNECT_USER"}), 400, "UserId").await;
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": ""}),
        400,
        "empty",
    )
    .await;
    // maximumMessageLength counts code points: five 2-byte characters fit, six do not.
    send(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": "ééééé"}),
    )
    .await;
    assert_eq!(recv(&mut m).await["Content"], "ééééé");
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": "éééééé", "RequestId": "d"}),
        400,
        "at most 5",
    )
    .await;
    assert_eq!(recv(&mut v).await["Content"], "ééééé");
    // 403: capability missing, for each action.
    for action in ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"] {
        expect_error(
            &mut v,
            json!({"Action": action, "Content": "x", "Id": "abcdefghijkl", "UserId": "u", "RequestId": "e"}),
            403,
            action,
        )
        .await;
    }
    // 413: attributes over 1 KB, a request over 8 KiB, a reason over 256 characters.
    let big = "x".repeat(1100);
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": "x", "Attributes": {"a": big}}),
        413,
        "Attributes",
    )
    .await;
    let huge = "x".repeat(9000);
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": huge}),
        413,
        "bytes",
    )
    .await;
    expect_error(
        &mut m,
        json!({"Action": "DELETE_MESSAGE", "Id": "abcdefghijkl", "Reason": "r".repeat(300)}),
        413,
        "Reason",
    )
    .await;
    // 429: the room takes 2 messages per second, across all senders (one was sent above).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    send(&mut m, json!({"Action": "SEND_MESSAGE", "Content": "1"})).await;
    assert_eq!(recv(&mut m).await["Type"], "MESSAGE");
    send(&mut m, json!({"Action": "SEND_MESSAGE", "Content": "2"})).await;
    assert_eq!(recv(&mut m).await["Type"], "MESSAGE");
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": "3", "RequestId": "f"}),
        429,
        "maximumMessageRatePerSecond",
    )
    .await;
    // ... and again after a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    send(&mut m, json!({"Action": "SEND_MESSAGE", "Content": "4"})).await;
    assert_eq!(recv(&mut m).await["Content"], "4");
    // 500: injected internal errors reach messaging requests too.
    emu.handle().set_faults(Faults {
        internal_error_rate: 1.0,
        seed: Some(1),
        ..Faults::default()
    });
    expect_error(
        &mut m,
        json!({"Action": "SEND_MESSAGE", "Content": "5", "RequestId": "g"}),
        500,
        "Unexpected",
    )
    .await;
    emu.handle().set_faults(Faults::default());
    // Viewer saw only the accepted messages (and no one else's errors).
    for want in ["1", "2", "4"] {
        assert_eq!(recv(&mut v).await["Content"], want);
    }
    quiet(&mut v).await;
}

#[tokio::test]
async fn lowering_the_length_applies_to_the_next_message() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 10, 10).await;
    let t = token(&c, &arn, "u", &["SEND_MESSAGE"], &[]).await;
    let mut ws = connect(&emu, &t).await;
    send(
        &mut ws,
        json!({"Action": "SEND_MESSAGE", "Content": "0123456789"}),
    )
    .await;
    assert_eq!(recv(&mut ws).await["Type"], "MESSAGE");
    c.update_room()
        .identifier(&arn)
        .maximum_message_length(4)
        .send()
        .await
        .unwrap();
    expect_error(
        &mut ws,
        json!({"Action": "SEND_MESSAGE", "Content": "01234"}),
        400,
        "at most 4",
    )
    .await;
}

#[tokio::test]
async fn client_delete_and_disconnect() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 500, 10).await;
    let m = token(&c, &arn, "mod", &["DELETE_MESSAGE", "DISCONNECT_USER"], &[]).await;
    let u = token(&c, &arn, "troll", &[], &[]).await;
    let mut m = connect(&emu, &m).await;
    let mut u1 = connect(&emu, &u).await;
    let mut u2 = connect(&emu, &u).await;
    wait_connections(&emu, &arn, 3).await;
    send(
        &mut m,
        json!({"Action": "DELETE_MESSAGE", "Id": "abcdefghijkl", "Reason": "spam", "RequestId": "d1"}),
    )
    .await;
    for ws in [&mut m, &mut u1] {
        let e = recv(ws).await;
        assert_eq!(
            keys(&e),
            [
                "Attributes",
                "EventName",
                "Id",
                "RequestId",
                "SendTime",
                "Type"
            ]
        );
        assert_eq!(e["Type"], "EVENT");
        assert_eq!(e["EventName"], "aws:DELETE_MESSAGE");
        assert_eq!(e["RequestId"], "d1");
        assert_eq!(
            e["Attributes"],
            json!({"MessageId": "abcdefghijkl", "MessageID": "abcdefghijkl", "Reason": "spam"})
        );
        assert_id(&e);
        assert_time(&e);
    }
    assert_eq!(recv(&mut u2).await["EventName"], "aws:DELETE_MESSAGE");
    send(
        &mut m,
        json!({"Action": "DISCONNECT_USER", "UserId": "troll", "Reason": "bye", "RequestId": "x1"}),
    )
    .await;
    let e = recv(&mut m).await;
    assert_eq!(e["EventName"], "aws:DISCONNECT_USER");
    assert_eq!(e["RequestId"], "x1");
    assert_eq!(e["Attributes"], json!({"UserId": "troll", "Reason": "bye"}));
    // Every connection of that user gets the event, then a normal close.
    for ws in [&mut u1, &mut u2] {
        assert_eq!(recv(ws).await["EventName"], "aws:DISCONNECT_USER");
        assert_eq!(closed(ws).await.0, 1000);
    }
    wait_connections(&emu, &arn, 1).await;
    quiet(&mut m).await;
}

#[tokio::test]
async fn the_control_plane_reaches_connected_clients() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 500, 10).await;
    let other = room(&c, 500, 10).await;
    let a = token(&c, &arn, "a", &[], &[]).await;
    let b = token(&c, &arn, "b", &[], &[]).await;
    let o = token(&c, &other, "o", &[], &[]).await;
    let mut a = connect(&emu, &a).await;
    let mut b = connect(&emu, &b).await;
    let mut o = connect(&emu, &o).await;
    wait_connections(&emu, &arn, 2).await;

    let id = c
        .send_event()
        .room_identifier(&arn)
        .event_name("app:GIFT")
        .attributes("n", "3")
        .send()
        .await
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    for ws in [&mut a, &mut b] {
        let e = recv(ws).await;
        assert_eq!(
            keys(&e),
            ["Attributes", "EventName", "Id", "SendTime", "Type"]
        );
        assert_eq!(e["Type"], "EVENT");
        assert_eq!(e["Id"], id.as_str());
        assert_eq!(e["EventName"], "app:GIFT");
        assert_eq!(e["Attributes"], json!({"n": "3"}));
        assert_time(&e);
    }

    c.delete_message()
        .room_identifier(&arn)
        .id("abcdefghijkl")
        .reason("rude")
        .send()
        .await
        .unwrap();
    let e = recv(&mut a).await;
    assert_eq!(e["EventName"], "aws:DELETE_MESSAGE");
    assert_eq!(
        e["Attributes"],
        json!({"MessageId": "abcdefghijkl", "MessageID": "abcdefghijkl", "Reason": "rude"})
    );
    assert_eq!(recv(&mut b).await["EventName"], "aws:DELETE_MESSAGE");

    c.disconnect_user()
        .room_identifier(&arn)
        .user_id("b")
        .reason("timeout")
        .send()
        .await
        .unwrap();
    let e = recv(&mut a).await;
    assert_eq!(e["EventName"], "aws:DISCONNECT_USER");
    assert_eq!(e["Attributes"], json!({"UserId": "b", "Reason": "timeout"}));
    assert_eq!(recv(&mut b).await["EventName"], "aws:DISCONNECT_USER");
    assert_eq!(closed(&mut b).await.0, 1000);
    wait_connections(&emu, &arn, 1).await;

    // Nothing leaked into the other room.
    quiet(&mut o).await;

    // Deleting the room closes its connections; the other room stays open.
    c.delete_room().identifier(&arn).send().await.unwrap();
    let (code, reason) = closed(&mut a).await;
    assert_eq!((code, reason.as_str()), (1000, "Room deleted"));
    wait_connections(&emu, &arn, 0).await;
    assert_eq!(emu.handle().chat_connections(&other), 1);
}

#[tokio::test]
async fn connection_quota_applies_unless_quotas_are_off() {
    let config = Config {
        quotas: QuotaMode::Aws,
        max_chat_connections: 2,
        ..test_config()
    };
    let (emu, c) = start(config).await;
    let arn = room(&c, 500, 10).await;
    let t = token(&c, &arn, "u", &[], &[]).await;
    let mut a = connect(&emu, &t).await;
    let _b = connect(&emu, &t).await;
    assert_eq!(refused(&emu, Some(&t)).await, 429);
    // A closed connection frees its place.
    a.close(None).await.unwrap();
    wait_connections(&emu, &arn, 1).await;
    let _c = connect(&emu, &t).await;

    let config = Config {
        quotas: QuotaMode::Off,
        max_chat_connections: 2,
        ..test_config()
    };
    let (emu, c) = start(config).await;
    let arn = room(&c, 500, 10).await;
    let t = token(&c, &arn, "u", &[], &[]).await;
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(connect(&emu, &t).await);
    }
    wait_connections(&emu, &arn, 4).await;
}

#[tokio::test]
async fn the_session_ends_at_its_expiration_time() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 500, 10).await;
    let t = c
        .create_chat_token()
        .room_identifier(&arn)
        .user_id("u")
        .session_duration_in_minutes(1)
        .send()
        .await
        .unwrap();
    let mut ws = connect(&emu, t.token().unwrap()).await;
    let started = std::time::Instant::now();
    // Nothing before the minute is up (the shortest session AWS allows).
    let frame = tokio::time::timeout(Duration::from_secs(65), ws.next())
        .await
        .expect("the session ends within 65 s")
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(58),
        "{:?}",
        started.elapsed()
    );
    let Message::Text(t) = frame else {
        panic!("expected ERROR 401, got {frame:?}")
    };
    let e: Value = serde_json::from_str(t.as_str()).unwrap();
    assert_eq!(e["Type"], "ERROR");
    assert_eq!(e["ErrorCode"], 401);
    assert_id(&e);
    assert_eq!(closed(&mut ws).await.0, 1000);
    wait_connections(&emu, &arn, 0).await;
}

#[tokio::test]
async fn the_rate_counts_every_sender_of_the_room() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c, 500, 2).await;
    let other = room(&c, 500, 2).await;
    let a = token(&c, &arn, "a", &["SEND_MESSAGE"], &[]).await;
    let b = token(&c, &arn, "b", &["SEND_MESSAGE"], &[]).await;
    let o = token(&c, &other, "o", &["SEND_MESSAGE"], &[]).await;
    let (mut a, mut b, mut o) = (
        connect(&emu, &a).await,
        connect(&emu, &b).await,
        connect(&emu, &o).await,
    );
    wait_connections(&emu, &arn, 2).await;
    send(&mut a, json!({"Action": "SEND_MESSAGE", "Content": "a1"})).await;
    assert_eq!(recv(&mut a).await["Content"], "a1");
    send(&mut b, json!({"Action": "SEND_MESSAGE", "Content": "b1"})).await;
    // b sees a1 then its own b1.
    assert_eq!(recv(&mut b).await["Content"], "a1");
    assert_eq!(recv(&mut b).await["Content"], "b1");
    // A third message in the same second, from either sender, is over the room's rate ...
    expect_error(
        &mut b,
        json!({"Action": "SEND_MESSAGE", "Content": "b2", "RequestId": "b2"}),
        429,
        "maximumMessageRatePerSecond",
    )
    .await;
    // ... while another room's budget is its own.
    for n in ["o1", "o2"] {
        send(&mut o, json!({"Action": "SEND_MESSAGE", "Content": n})).await;
        assert_eq!(recv(&mut o).await["Content"], n);
    }
}
