//! Message review: a room's handler ARN mapped to a local HTTP endpoint (an axum server
//! here) gets the documented review request; ALLOW, DENY (ERROR 406), rewrites, and the
//! room's fallbackResult when the handler is late, unreachable, unmapped or answers badly.

use crate::common;

use aws_sdk_ivschat::Client;
use aws_sdk_ivschat::types::{ChatTokenCapability, FallbackResult, MessageReviewHandler};
use axum::Json;
use axum::extract::State;
use axum::routing::post;
use common::*;
use futures_util::{SinkExt, StreamExt};
use ivschat_local::{Config, Running};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const FAST: &str = "arn:aws:lambda:us-east-1:123456789012:function:review";
const UNREACHABLE: &str = "arn:aws:lambda:us-east-1:123456789012:function:gone";
const UNMAPPED: &str = "arn:aws:lambda:us-east-1:123456789012:function:unmapped";

type Seen = Arc<Mutex<Vec<Value>>>;

/// A review handler: DENY "deny", rewrite "rewrite", be late on "slow", answer garbage on
/// "garbage", rewrite past the room's limit on "toolong", ALLOW anything else unchanged.
async fn handler(State(seen): State<Seen>, Json(req): Json<Value>) -> axum::response::Response {
    use axum::response::IntoResponse;
    seen.lock().unwrap().push(req.clone());
    match req["Content"].as_str().unwrap_or_default() {
        "deny" => {
            Json(json!({"ReviewResult": "DENY", "Attributes": {"Reason": "rude"}})).into_response()
        }
        "rewrite" => Json(json!({
            "ReviewResult": "ALLOW",
            "Content": "[redacted]",
            "Attributes": {"reviewed": "yes"}
        }))
        .into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            Json(json!({"ReviewResult": "DENY"})).into_response()
        }
        "garbage" => "not json".into_response(),
        "toolong" => {
            Json(json!({"ReviewResult": "ALLOW", "Content": "x".repeat(600)})).into_response()
        }
        _ => Json(json!({"ReviewResult": "ALLOW"})).into_response(),
    }
}

async fn start_handler() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/review", post(handler))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/review"), seen)
}

async fn emulator() -> (Running, Client, Seen) {
    let (url, seen) = start_handler().await;
    // A port with nothing listening.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut config = Config {
        // Long enough for a loaded machine, shorter than the "slow" answer.
        review_timeout: Duration::from_millis(1000),
        ..test_config()
    };
    config.review_handlers.insert(FAST.to_owned(), url);
    config
        .review_handlers
        .insert(UNREACHABLE.to_owned(), format!("http://{closed}/review"));
    let (emu, c) = start(config).await;
    (emu, c, seen)
}

async fn room(c: &Client, uri: &str, fallback: FallbackResult) -> String {
    c.create_room()
        .maximum_message_length(100)
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri(uri)
                .fallback_result(fallback)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

struct Ws(
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
);

impl Ws {
    async fn open(emu: &Running, c: &Client, room: &str) -> Self {
        let t = c
            .create_chat_token()
            .room_identifier(room)
            .user_id("alice")
            .capabilities(ChatTokenCapability::SendMessage)
            .attributes("badge", "gold")
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
        Self(tokio_tungstenite::connect_async(req).await.unwrap().0)
    }

    /// Sends `content`; returns the MESSAGE or ERROR that answers it.
    async fn say(&mut self, content: &str) -> Value {
        let m = json!({"Action": "SEND_MESSAGE", "Content": content, "RequestId": content, "Attributes": {"a": "1"}});
        self.0
            .send(Message::Text(m.to_string().into()))
            .await
            .unwrap();
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.0.next())
                .await
                .expect("an answer")
                .unwrap()
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn the_handler_allows_denies_and_rewrites() {
    let (emu, c, seen) = emulator().await;
    let arn = room(&c, FAST, FallbackResult::Allow).await;
    let mut ws = Ws::open(&emu, &c, &arn).await;

    let m = ws.say("hello").await;
    assert_eq!(m["Type"], "MESSAGE");
    assert_eq!(m["Content"], "hello");
    assert_eq!(m["Attributes"], json!({"a": "1"}));
    // The documented review request, field for field; MessageId is the delivered Id.
    let req = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        req,
        json!({
            "Content": "hello",
            "MessageId": m["Id"],
            "RoomArn": arn,
            "Attributes": {"a": "1"},
            "Sender": {"Attributes": {"badge": "gold"}, "UserId": "alice", "Ip": "127.0.0.1"}
        })
    );

    let e = ws.say("deny").await;
    assert_eq!(e["Type"], "ERROR");
    assert_eq!(e["ErrorCode"], 406);
    assert_eq!(e["RequestId"], "deny");
    assert!(e["ErrorMessage"].as_str().unwrap().contains("rude"), "{e}");

    let m = ws.say("rewrite").await;
    assert_eq!(m["Content"], "[redacted]");
    assert_eq!(m["Attributes"], json!({"reviewed": "yes"}));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn late_or_broken_handlers_apply_the_fallback() {
    let (emu, c, _seen) = emulator().await;
    let allow = room(&c, FAST, FallbackResult::Allow).await;
    let deny = room(&c, FAST, FallbackResult::Deny).await;
    let mut a = Ws::open(&emu, &c, &allow).await;
    let mut d = Ws::open(&emu, &c, &deny).await;
    for content in ["slow", "garbage", "toolong"] {
        // ALLOW fallback delivers the original message (the late DENY does not count).
        let m = a.say(content).await;
        assert_eq!(
            (&m["Type"], &m["Content"]),
            (&json!("MESSAGE"), &json!(content)),
            "{m}"
        );
        let e = d.say(content).await;
        assert_eq!(e["ErrorCode"], 406, "{content}: {e}");
    }
    for uri in [UNREACHABLE, UNMAPPED] {
        let allow = room(&c, uri, FallbackResult::Allow).await;
        let deny = room(&c, uri, FallbackResult::Deny).await;
        let m = Ws::open(&emu, &c, &allow).await.say("hi").await;
        assert_eq!(m["Type"], "MESSAGE", "{uri}: {m}");
        let e = Ws::open(&emu, &c, &deny).await.say("hi").await;
        assert_eq!(e["ErrorCode"], 406, "{uri}: {e}");
    }
    // A detached handler (empty uri) reviews nothing.
    c.update_room()
        .identifier(&deny)
        .message_review_handler(MessageReviewHandler::builder().uri("").build())
        .send()
        .await
        .unwrap();
    assert_eq!(d.say("deny").await["Type"], "MESSAGE");
}
