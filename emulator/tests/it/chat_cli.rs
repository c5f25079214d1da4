//! `ivschat-local chat`: two terminal clients (the real binary, stdin and stdout piped)
//! talk in a room; a moderator's /delete and a control-plane DisconnectUser reach them.

use crate::common;

use common::*;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

struct Term {
    child: Child,
    stdin: ChildStdin,
    out: Lines<BufReader<ChildStdout>>,
}

impl Term {
    fn spawn(endpoint: &str, room: &str, user: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
            .args([
                "chat",
                "--endpoint",
                endpoint,
                "--room",
                room,
                "--user",
                user,
            ])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, stdin, out }
    }

    async fn type_line(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// The next printed line containing `needle` (within 10 s).
    async fn wait_for(&mut self, needle: &str) -> String {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(10), self.out.next_line())
                .await
                .unwrap_or_else(|_| panic!("no line with {needle:?} within 10 s"))
                .unwrap()
                .unwrap_or_else(|| panic!("output ended before {needle:?}"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    async fn exit_code(mut self) -> i32 {
        tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("exits within 10 s")
            .unwrap()
            .code()
            .unwrap()
    }
}

#[tokio::test]
async fn two_terminal_clients_talk() {
    let (emu, c) = start(test_config()).await;
    let room = c
        .create_room()
        .name("lobby")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let ep = emu.endpoint();
    let mut alice = Term::spawn(&ep, &room, "alice", &["--moderator"]);
    let mut bob = Term::spawn(&ep, &room, "bob", &["--attribute", "color=green"]);
    alice.wait_for("* joined").await;
    bob.wait_for("* joined").await;

    alice.type_line("hello bob").await;
    let line = bob.wait_for("alice: hello bob").await;
    alice.wait_for("alice: hello bob").await;
    // The line ends with the message id, for /delete.
    let id = line
        .rsplit_once('(')
        .and_then(|(_, r)| r.strip_suffix(')'))
        .unwrap()
        .to_owned();
    bob.type_line("hi alice").await;
    alice.wait_for("bob: hi alice").await;

    alice.type_line(&format!("/delete {id} tidy")).await;
    let deleted = bob.wait_for("* aws:DELETE_MESSAGE").await;
    assert!(
        deleted.contains(&id) && deleted.contains("Reason=tidy"),
        "{deleted}"
    );

    // Bob has no moderator capabilities: the room says so.
    bob.type_line("/kick alice").await;
    bob.wait_for("! 403").await;

    c.disconnect_user()
        .room_identifier(&room)
        .user_id("bob")
        .send()
        .await
        .unwrap();
    bob.wait_for("* disconnected").await;
    assert_eq!(bob.exit_code().await, 0);

    alice.type_line("/quit").await;
    assert_eq!(alice.exit_code().await, 0);
}

#[tokio::test]
async fn an_unknown_room_is_a_clear_error() {
    let (emu, _c) = start(test_config()).await;
    let out = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .args([
            "chat",
            "--endpoint",
            &emu.endpoint(),
            "--room",
            "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234",
            "--user",
            "u",
        ])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CreateChatToken failed"), "{err}");
    assert!(err.contains("HTTP 404"), "{err}");
}
