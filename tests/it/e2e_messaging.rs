//! The messaging plane end to end: rooms Terraform made, joined through ivschat-local by AWS's
//! own JS chat client (tests/chat-sdk/agent.js, amazon-ivs-chat-messaging unmodified).
//! - both Terraform versions: a room's lowered `maximum_message_length` is enforced on the
//!   next message;
//! - Terraform 1.15.5: tokens from `ivschat_chat_token` connect and send; the actions
//!   `ivschat_send_event`, `ivschat_delete_message` and `ivschat_disconnect_user` are seen by
//!   connected clients; a room's review handler (tests/chat-sdk/review-handler.js, mapped with
//!   the emulator's review handler option) denies a message.
//!
//! Needs Node.js and tests/chat-sdk/node_modules: `scripts/fetch-tools.sh node`.

use crate::support;

use aws_sdk_ivschat::types::ChatTokenCapability;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::{Setup, Terraform};

fn sdk_dir() -> PathBuf {
    support::repo_root().join("tests/chat-sdk")
}

/// Node.js: $IVSCHAT_NODE, else the one scripts/fetch-tools.sh installed, else PATH's.
fn node() -> PathBuf {
    if let Some(p) = std::env::var_os("IVSCHAT_NODE") {
        return p.into();
    }
    let cached = support::repo_root().join(".cache/tools/node/bin/node");
    if cached.exists() {
        return cached;
    }
    "node".into()
}

fn node_command(script: &str) -> Command {
    assert!(
        sdk_dir()
            .join("node_modules/amazon-ivs-chat-messaging")
            .is_dir(),
        "tests/chat-sdk/node_modules is missing: run scripts/fetch-tools.sh node"
    );
    let mut cmd = Command::new(node());
    cmd.arg(script)
        .current_dir(sdk_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    cmd
}

fn spawn(cmd: &mut Command) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run Node.js ({e}): run scripts/fetch-tools.sh node or set IVSCHAT_NODE")
    })
}

/// One chat user on AWS's client, in its own Node process.
struct Agent {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    seen: VecDeque<Value>,
}

impl Agent {
    fn spawn(emulator: &support::Emulator) -> Agent {
        let ws = emulator.endpoint.replacen("http://", "ws://", 1);
        let mut child = spawn(node_command("agent.js").arg(ws));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && tx.send(v).is_err()
                {
                    break;
                }
            }
        });
        Agent {
            child,
            stdin,
            rx,
            seen: VecDeque::new(),
        }
    }

    fn cmd(&mut self, v: Value) {
        writeln!(self.stdin, "{v}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// The first report named `ev` (others are kept, in order), within 15 s.
    fn expect(&mut self, ev: &str) -> Value {
        if let Some(i) = self.seen.iter().position(|v| v["ev"] == ev) {
            return self.seen.remove(i).unwrap();
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let v = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {ev:?} within 15 s; seen {:?}", self.seen));
            if v["ev"] == ev {
                return v;
            }
            self.seen.push_back(v);
        }
    }

    /// Asserts no report named `ev` arrives within half a second.
    fn never(&mut self, ev: &str) {
        assert!(!self.seen.iter().any(|v| v["ev"] == ev), "{:?}", self.seen);
        while let Ok(v) = self.rx.recv_timeout(Duration::from_millis(500)) {
            assert_ne!(v["ev"], ev, "unexpected {v}");
            self.seen.push_back(v);
        }
    }

    fn connect(&mut self, token: &str, expires: &str) {
        self.cmd(json!({"cmd": "connect", "token": token, "tokenExpirationTime": expires}));
        self.expect("connect");
    }

    /// Sends; returns the MESSAGE (Ok) or the ERROR (Err) the SDK resolved it with.
    fn send(&mut self, content: &str) -> Result<Value, Value> {
        self.cmd(json!({"cmd": "send", "content": content, "tag": content}));
        loop {
            let v = self.expect_any(&["sent", "rejected"]);
            if v["tag"] == content {
                return if v["ev"] == "sent" {
                    Ok(v["message"].clone())
                } else {
                    Err(v["error"].clone())
                };
            }
        }
    }

    fn expect_any(&mut self, evs: &[&str]) -> Value {
        if let Some(i) = self
            .seen
            .iter()
            .position(|v| evs.iter().any(|e| v["ev"] == *e))
        {
            return self.seen.remove(i).unwrap();
        }
        loop {
            let v = self
                .rx
                .recv_timeout(Duration::from_secs(15))
                .unwrap_or_else(|_| panic!("no {evs:?} within 15 s; seen {:?}", self.seen));
            if evs.iter().any(|e| v["ev"] == *e) {
                return v;
            }
            self.seen.push_back(v);
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn room_hcl(length: u32, extra: &str) -> String {
    format!(
        "resource \"ivschat_room\" \"r\" {{\n  name                   = \"e2e-messaging\"\n  maximum_message_length = {length}\n{extra}}}\n"
    )
}

/// A token minted through the API (for Terraform versions without ephemeral resources).
fn api_token(s: &Setup, room: &str, user: &str) -> (String, String) {
    let t =
        s.rt.block_on(
            s.api
                .create_chat_token()
                .room_identifier(room)
                .user_id(user)
                .capabilities(ChatTokenCapability::SendMessage)
                .send(),
        )
        .unwrap();
    let expires = t
        .token_expiration_time()
        .unwrap()
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap();
    (t.token().unwrap().to_owned(), expires)
}

#[test]
fn a_lowered_maximum_message_length_applies_to_the_next_message() {
    support::for_each_terraform(|tf| {
        let s = Setup::new(tf);
        s.write(&room_hcl(20, ""));
        s.wd.apply();
        let arn = s.wd.resource_values("ivschat_room.r")["arn"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut alice = Agent::spawn(&s.emulator);
        let (token, expires) = api_token(&s, &arn, "alice");
        alice.connect(&token, &expires);
        assert_eq!(alice.send("hello there").unwrap()["content"], "hello there");

        s.write(&room_hcl(5, ""));
        s.wd.apply();
        let err = alice.send("hello there").unwrap_err();
        assert_eq!(err["errorCode"], 400, "{err}");
        assert!(
            err["errorMessage"].as_str().unwrap().contains("at most 5"),
            "{err}"
        );
        // Five code points of two bytes each still fit.
        assert_eq!(alice.send("ééééé").unwrap()["content"], "ééééé");
        s.wd.destroy();
    });
}

const TOKENS: &str = r#"
ephemeral "ivschat_chat_token" "alice" {
  room_identifier = ivschat_room.r.arn
  user_id         = "alice"
  capabilities    = ["SEND_MESSAGE"]
  attributes      = { display_name = "Alice" }
}

ephemeral "ivschat_chat_token" "bob" {
  room_identifier = ivschat_room.r.arn
  user_id         = "bob"
}

resource "terraform_data" "tokens" {
  provisioner "local-exec" {
    command = "printf '%s' \"$A\" > alice.txt; printf '%s' \"$AE\" > alice_exp.txt; printf '%s' \"$B\" > bob.txt; printf '%s' \"$BE\" > bob_exp.txt"
    environment = {
      A  = ephemeral.ivschat_chat_token.alice.token
      AE = ephemeral.ivschat_chat_token.alice.token_expiration_time
      B  = ephemeral.ivschat_chat_token.bob.token
      BE = ephemeral.ivschat_chat_token.bob.token_expiration_time
    }
  }
}
"#;

fn actions_hcl(message_id: &str) -> String {
    format!(
        r#"
action "ivschat_send_event" "announce" {{
  config {{
    room_identifier = ivschat_room.r.arn
    event_name      = "app:announce"
    attributes      = {{ text = "welcome" }}
  }}
}}

action "ivschat_delete_message" "remove" {{
  config {{
    room_identifier = ivschat_room.r.arn
    id              = "{message_id}"
    reason          = "cleanup"
  }}
}}

action "ivschat_disconnect_user" "kick" {{
  config {{
    room_identifier = ivschat_room.r.arn
    user_id         = "bob"
    reason          = "bye"
  }}
}}
"#
    )
}

fn read(s: &Setup, name: &str) -> String {
    std::fs::read_to_string(s.wd.dir().join(name)).unwrap()
}

fn invoke(s: &Setup, action: &str) {
    s.wd.run([
        "apply",
        "-auto-approve",
        "-no-color",
        &format!("-invoke=action.{action}"),
    ])
    .assert_success();
}

#[test]
fn terraform_tokens_connect_and_actions_reach_clients() {
    let s = Setup::new(&Terraform::get("1.15.5"));
    s.write(&format!(
        "{}{TOKENS}{}",
        room_hcl(50, ""),
        actions_hcl("AAAAAAAAAAAA")
    ));
    s.wd.apply();

    let mut alice = Agent::spawn(&s.emulator);
    let mut bob = Agent::spawn(&s.emulator);
    alice.connect(&read(&s, "alice.txt"), &read(&s, "alice_exp.txt"));
    bob.connect(&read(&s, "bob.txt"), &read(&s, "bob_exp.txt"));

    let sent = alice.send("hello from Terraform's token").unwrap();
    let got = bob.expect("message")["message"].clone();
    assert_eq!(got["id"], sent["id"]);
    assert_eq!(got["sender"]["userId"], "alice");
    assert_eq!(
        got["sender"]["attributes"],
        json!({"display_name": "Alice"})
    );
    // Bob's token has no SEND_MESSAGE capability.
    assert_eq!(bob.send("me too").unwrap_err()["errorCode"], 403);

    // The actions, invoked by hand, reach the connected clients.
    let id = sent["id"].as_str().unwrap();
    s.write(&format!("{}{TOKENS}{}", room_hcl(50, ""), actions_hcl(id)));
    invoke(&s, "ivschat_send_event.announce");
    let e = bob.expect("event")["event"].clone();
    assert_eq!(e["eventName"], "app:announce");
    assert_eq!(e["attributes"], json!({"text": "welcome"}));

    invoke(&s, "ivschat_delete_message.remove");
    let d = bob.expect("messageDelete")["event"].clone();
    assert_eq!(d["messageId"], id);
    assert_eq!(d["reason"], "cleanup");
    assert_eq!(alice.expect("messageDelete")["event"]["messageId"], id);

    invoke(&s, "ivschat_disconnect_user.kick");
    assert_eq!(bob.expect("userDisconnect")["event"]["reason"], "bye");
    assert_eq!(bob.expect("disconnect")["reason"], "serverDisconnect");
    assert_eq!(alice.expect("userDisconnect")["event"]["userId"], "bob");
    alice.never("disconnect");
    assert!(alice.send("still here").is_ok());
    s.wd.destroy();
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:e2e-review";

#[test]
fn a_review_handler_denies_a_message() {
    let mut handler = spawn(&mut node_command("review-handler.js"));
    let mut url = String::new();
    BufReader::new(handler.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://"), "review handler said {url:?}");

    // A generous timeout: a DENY can only come from the handler (the fallback is ALLOW),
    // even on a loaded machine.
    let mut config = ivschat_local::Config {
        logging_settle: Duration::from_millis(200),
        review_timeout: Duration::from_secs(5),
        ..ivschat_local::Config::default()
    };
    config.review_handlers.insert(LAMBDA.to_owned(), url);
    let s = Setup::with_emulator(
        &Terraform::get("1.15.5"),
        support::start_emulator_with(config),
    );
    let review = format!(
        "  message_review_handler {{\n    uri             = \"{LAMBDA}\"\n    fallback_result = \"ALLOW\"\n  }}\n"
    );
    s.write(&format!("{}{TOKENS}", room_hcl(50, &review)));
    s.wd.apply();

    let mut alice = Agent::spawn(&s.emulator);
    let mut bob = Agent::spawn(&s.emulator);
    alice.connect(&read(&s, "alice.txt"), &read(&s, "alice_exp.txt"));
    bob.connect(&read(&s, "bob.txt"), &read(&s, "bob_exp.txt"));

    let err = alice.send("this is forbidden").unwrap_err();
    assert_eq!(err["errorCode"], 406, "{err}");
    assert!(
        err["errorMessage"].as_str().unwrap().contains("moderated"),
        "{err}"
    );
    assert_eq!(
        alice.send("this is fine").unwrap()["content"],
        "this is fine"
    );
    assert_eq!(bob.expect("message")["message"]["content"], "this is fine");
    bob.never("message");

    s.wd.destroy();
    let _ = handler.kill();
    let _ = handler.wait();
}
