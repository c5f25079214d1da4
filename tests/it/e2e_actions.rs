//! Actions (Terraform ≥ 1.14) end to end with Terraform 1.15.5 against ivschat-local: invoked
//! with `terraform apply -invoke`, and from an `action_trigger` after a room update. The
//! emulator records what each action did.

use crate::support;

use ivschat_local::EventKind;

const ACTIONS: &str = r#"
action "ivschat_send_event" "reload" {
  config {
    room_identifier = ivschat_room.r.arn
    event_name      = "reload"
    attributes      = { why = "settings changed" }
  }
}

action "ivschat_delete_message" "spam" {
  config {
    room_identifier = ivschat_room.r.arn
    id              = "AbCdEf123456"
    reason          = "spam"
  }
}

action "ivschat_disconnect_user" "troll" {
  config {
    room_identifier = ivschat_room.r.arn
    user_id         = "troll-42"
    reason          = "abuse"
  }
}
"#;

fn room(name: &str, trigger: bool) -> String {
    let lifecycle = if trigger {
        "\n  lifecycle {\n    action_trigger {\n      events  = [after_update]\n      actions = [action.ivschat_send_event.reload]\n    }\n  }\n"
    } else {
        "\n"
    };
    format!("resource \"ivschat_room\" \"r\" {{\n  name = \"{name}\"{lifecycle}}}\n")
}

fn text(out: &support::TfOutput) -> String {
    format!("{} {}", out.stdout, out.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn actions_are_invoked_by_hand_and_report_progress() {
    let tf = support::Terraform::get("1.15.5");
    let emulator = support::start_emulator();
    let wd = tf.workdir();
    wd.write_config(&format!(
        "{}{}{ACTIONS}",
        emulator.provider_hcl(""),
        room("lobby", false)
    ));
    wd.apply();
    wd.assert_no_changes();
    let arn = wd.resource_values("ivschat_room.r")["arn"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = wd.run([
        "apply",
        "-auto-approve",
        "-no-color",
        "-invoke=action.ivschat_send_event.reload",
    ]);
    out.assert_success();
    assert!(
        text(&out).contains("Sending event \"reload\""),
        "progress is shown:\n{}",
        out.dump()
    );
    wd.run([
        "apply",
        "-auto-approve",
        "-no-color",
        "-invoke=action.ivschat_delete_message.spam",
    ])
    .assert_success();
    let out = wd.run([
        "apply",
        "-auto-approve",
        "-no-color",
        "-invoke=action.ivschat_disconnect_user.troll",
    ]);
    out.assert_success();
    assert!(
        !out.stdout.contains("troll-42") && !out.stderr.contains("troll-42"),
        "the user id is sensitive:\n{}",
        out.dump()
    );

    let events: Vec<EventKind> = emulator
        .handle()
        .events()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(events.iter().any(|e| matches!(e, EventKind::SendEvent { room_arn, event_name, attributes, .. }
        if *room_arn == arn && event_name == "reload" && attributes.get("why").map(String::as_str) == Some("settings changed"))), "{events:?}");
    assert!(
        events.iter().any(
            |e| matches!(e, EventKind::DeleteMessage { room_arn, message_id, reason, .. }
        if *room_arn == arn && message_id == "AbCdEf123456" && reason.as_deref() == Some("spam"))
        ),
        "{events:?}"
    );
    assert!(
        events.iter().any(
            |e| matches!(e, EventKind::DisconnectUser { room_arn, user_id, .. }
        if *room_arn == arn && user_id == "troll-42")
        ),
        "{events:?}"
    );
    wd.assert_no_changes();
}

#[test]
fn an_action_trigger_tells_clients_to_reload_after_a_room_update() {
    let tf = support::Terraform::get("1.15.5");
    let emulator = support::start_emulator();
    let wd = tf.workdir();
    let sent = || {
        emulator
            .handle()
            .events()
            .into_iter()
            .filter(|e| matches!(e.kind, EventKind::SendEvent { .. }))
            .count()
    };
    wd.write_config(&format!(
        "{}{}{ACTIONS}",
        emulator.provider_hcl(""),
        room("v1", true)
    ));
    wd.apply();
    assert_eq!(sent(), 0, "creating the room is not an update");
    wd.write_config(&format!(
        "{}{}{ACTIONS}",
        emulator.provider_hcl(""),
        room("v2", true)
    ));
    wd.apply();
    assert_eq!(sent(), 1, "the update triggered the action once");
    wd.assert_no_changes();
}

#[test]
fn invalid_action_arguments_are_refused_before_anything_runs() {
    let tf = support::Terraform::get("1.15.5");
    let emulator = support::start_emulator();
    let wd = tf.workdir();
    let bad = r#"
action "ivschat_delete_message" "bad" {
  config {
    room_identifier = "arn:aws:ivschat:us-east-1:123456789012:room/abcdefghijkl"
    id              = "short"
  }
}
"#;
    wd.write_config(&format!("{}{bad}", emulator.provider_hcl("")));
    let out = wd.run([
        "apply",
        "-auto-approve",
        "-no-color",
        "-invoke=action.ivschat_delete_message.bad",
    ]);
    assert!(!out.success(), "{}", out.dump());
    assert!(
        text(&out).contains("must be between 12 and 12 characters long"),
        "{}",
        out.dump()
    );
    assert!(emulator.handle().events().is_empty());
}

/// The action examples in `examples/actions/` (the docs show them) apply and invoke as written;
/// together they make one configuration, the room coming from the send_event example.
#[test]
fn the_action_examples_apply_and_invoke() {
    let tf = support::Terraform::get("1.15.5");
    let emulator = support::start_emulator();
    let mut wd = tf.workdir();
    wd.write_config(&emulator.provider_hcl(""));
    for name in [
        "ivschat_send_event",
        "ivschat_delete_message",
        "ivschat_disconnect_user",
    ] {
        let path = support::repo_root()
            .join("examples/actions")
            .join(name)
            .join("action.tf");
        wd.write_file(
            &format!("{name}.tf"),
            &std::fs::read_to_string(path).unwrap(),
        );
    }
    wd.env("TF_VAR_user_to_disconnect", "someone");
    wd.apply();
    wd.assert_no_changes();
    for action in [
        "ivschat_send_event.reload",
        "ivschat_delete_message.spam",
        "ivschat_disconnect_user.moderate",
    ] {
        wd.run([
            "apply",
            "-auto-approve",
            "-no-color",
            &format!("-invoke=action.{action}"),
        ])
        .assert_success();
    }
    assert_eq!(
        emulator.handle().events().len(),
        3,
        "{:?}",
        emulator.handle().events()
    );
}

/// Actions are at most once: a SendEvent whose connection dropped after the event went out,
/// and a DeleteMessage answered with a 500, are not sent again; the error says the outcome is
/// unknown. The emulator counts every call it received.
#[test]
fn an_action_whose_outcome_is_unknown_is_not_repeated() {
    let tf = support::Terraform::get("1.15.5");
    let emulator = support::start_emulator();
    // The room is made outside Terraform, so invoking touches nothing but the action.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk_config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&emulator.endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .load(),
    );
    let arn = rt
        .block_on(
            aws_sdk_ivschat::Client::new(&sdk_config)
                .create_room()
                .send(),
        )
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let wd = tf.workdir();
    wd.write_config(&format!(
        "{}{}",
        emulator.provider_hcl("  max_retries = 5\n"),
        ACTIONS.replace("ivschat_room.r.arn", &format!("\"{arn}\""))
    ));
    let count = |op: &str| {
        emulator
            .handle()
            .operation_counts()
            .get(op)
            .copied()
            .unwrap_or(0)
    };
    for (action, op, faults) in [
        (
            "ivschat_send_event.reload",
            "SendEvent",
            ivschat_local::Faults {
                reset_after_commit_rate: 1.0,
                ..ivschat_local::Faults::default()
            },
        ),
        (
            "ivschat_delete_message.spam",
            "DeleteMessage",
            ivschat_local::Faults {
                internal_error_rate: 1.0,
                ..ivschat_local::Faults::default()
            },
        ),
    ] {
        emulator.handle().set_faults(faults);
        let out = wd.run([
            "apply",
            "-auto-approve",
            "-no-color",
            &format!("-invoke=action.{action}"),
        ]);
        emulator
            .handle()
            .set_faults(ivschat_local::Faults::default());
        assert!(!out.success(), "{}", out.dump());
        assert!(text(&out).contains("outcome is unknown"), "{}", out.dump());
        assert_eq!(count(op), 1, "{op} was sent again:\n{}", out.dump());
    }
    // The event went out once, although its answer was lost.
    let sent = emulator
        .handle()
        .events()
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::SendEvent { .. }))
        .count();
    assert_eq!(sent, 1);
}
