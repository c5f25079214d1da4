//! `ivschat_chat_token` end to end (Terraform 1.15.5; ephemeral resources need 1.10): a token
//! minted for a room created in the same configuration reaches a provisioner (a place that
//! accepts ephemeral values), the emulator accepts it for that room and user, and neither the
//! token nor the user id is written to the state, a plan, Terraform's output or the provider's
//! trace log. Terraform 1.0.3, which never calls the ephemeral RPCs, still reads the schema and
//! applies.

#[allow(unused_imports, unused_macros)]
use crate::support;

use support::Setup;

use support::assert_error;

use serde_json::Value as Json;
use support::Terraform;

/// Every token the emulator mints starts with this.
const TOKEN_PREFIX: &str = "ivschat-local.v1.";
const USER: &str = "user-7f3a9c-secret";

impl Setup {}

fn assert_secret_free(what: &str, text: &str) {
    assert!(
        !text.contains(TOKEN_PREFIX),
        "{what} contains a chat token:\n{text}"
    );
    assert!(!text.contains(USER), "{what} contains the user id:\n{text}");
}

fn config(extra_token_args: &str) -> String {
    format!(
        r#"
resource "ivschat_room" "r" {{
  name = "tokens"
}}

ephemeral "ivschat_chat_token" "t" {{
  room_identifier             = ivschat_room.r.arn
  user_id                     = "{USER}"
  capabilities                = ["SEND_MESSAGE", "DELETE_MESSAGE"]
  session_duration_in_minutes = 30
  attributes = {{
    color = "blue"
  }}
{extra_token_args}}}

resource "terraform_data" "sink" {{
  provisioner "local-exec" {{
    command = "printf '%s' \"$TOKEN\" > token.txt; printf '%s' \"$EXPIRES\" > expires.txt"
    environment = {{
      TOKEN   = ephemeral.ivschat_chat_token.t.token
      EXPIRES = ephemeral.ivschat_chat_token.t.token_expiration_time
    }}
  }}
}}
"#
    )
}

#[test]
fn token_reaches_a_provisioner_and_never_state_plan_or_logs() {
    let mut s = Setup::new(&Terraform::get("1.15.5"));
    let log = s.wd.root().join("provider.log");
    s.wd.env("TF_LOG_PROVIDER", "trace")
        .env("TF_LOG_PATH", &log);
    s.write(&config(""));

    let apply = s.wd.apply();
    assert_secret_free("apply output", &format!("{}{}", apply.stdout, apply.stderr));

    let room = s.wd.resource_values("ivschat_room.r");
    let arn = room["arn"].as_str().unwrap().to_owned();
    let token = std::fs::read_to_string(s.wd.dir().join("token.txt")).unwrap();
    assert!(token.starts_with(TOKEN_PREFIX), "not a token: {token:?}");
    let claims = s
        .emulator
        .handle()
        .verify_chat_token(&token)
        .expect("the emulator accepts the token");
    assert_eq!(claims.room_arn, arn);
    assert_eq!(claims.user_id, USER);
    let mut caps = claims.capabilities.clone();
    caps.sort();
    assert_eq!(caps, ["DELETE_MESSAGE", "SEND_MESSAGE"]);
    assert_eq!(claims.session_duration_in_minutes, 30);
    assert_eq!(
        claims.attributes.get("color").map(String::as_str),
        Some("blue")
    );
    let expires = std::fs::read_to_string(s.wd.dir().join("expires.txt")).unwrap();
    assert!(
        time::OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "token_expiration_time is not RFC 3339: {expires:?}"
    );

    // A plan now has every argument known, so Terraform opens the token again: it must not be
    // in the saved plan.
    let plan =
        s.wd.run(["plan", "-out=tfplan", "-input=false", "-no-color"]);
    plan.assert_success();
    assert_secret_free("plan output", &format!("{}{}", plan.stdout, plan.stderr));
    let minted = s
        .emulator
        .handle()
        .events()
        .iter()
        .filter(|e| serde_json::to_value(e).unwrap()["type"] == "ChatTokenCreated")
        .count();
    assert!(
        minted >= 2,
        "the plan did not open the token ({minted} minted)"
    );
    let shown = s.wd.run(["show", "-json", "tfplan"]);
    shown.assert_success();
    assert_secret_free("terraform show -json tfplan", &shown.stdout);
    let plan_bytes = std::fs::read(s.wd.dir().join("tfplan")).unwrap();
    assert_secret_free("the plan file", &String::from_utf8_lossy(&plan_bytes));

    let state = std::fs::read_to_string(s.wd.dir().join("terraform.tfstate")).unwrap();
    assert_secret_free("terraform.tfstate", &state);
    let state_json: Json = s.wd.state_json();
    assert_secret_free("terraform show -json", &state_json.to_string());

    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("[TRACE] provider.terraform-provider-ivschat"),
        "the provider wrote no trace log; is TF_LOG_PROVIDER honoured?\n{}",
        &log_text[..log_text.len().min(2000)]
    );
    assert_secret_free("the provider trace log", &log_text);

    s.wd.destroy();
}

#[test]
fn invalid_arguments_are_reported_at_the_argument() {
    let s = Setup::new(&Terraform::get("1.15.5"));
    for (args, needle) in [
        (
            r#"  room_identifier = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abcdEFGH1234"
  user_id         = "u"
"#,
            "not a room ARN",
        ),
        (
            r#"  room_identifier = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234"
  user_id         = "u"
  capabilities    = ["SEND_MESSAGE", "FLY"]
"#,
            r#""FLY""#,
        ),
        (
            r#"  room_identifier             = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234"
  user_id                     = "u"
  session_duration_in_minutes = 181
"#,
            "between 1 and 180",
        ),
        (
            r#"  room_identifier = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234"
  user_id         = "u"
  region          = "eu-west-1"
"#,
            "Region Does Not Match the Room",
        ),
    ] {
        s.write(&format!(
            "ephemeral \"ivschat_chat_token\" \"t\" {{\n{args}}}\n"
        ));
        let out = s.wd.run(["validate", "-no-color"]);
        assert_error(&out, needle);
        assert_error(&out, "ephemeral \"ivschat_chat_token\" \"t\"");
    }
}

#[test]
fn a_missing_room_is_an_error_naming_it() {
    let s = Setup::new(&Terraform::get("1.15.5"));
    s.write(
        r#"
ephemeral "ivschat_chat_token" "t" {
  room_identifier = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234"
  user_id         = "u"
}
"#,
    );
    let out = s.wd.run(["plan", "-input=false", "-no-color"]);
    assert_error(&out, "Cannot create a chat token for room");
    assert_error(&out, "abcdEFGH1234");
}

/// Terraform 1.0.3 predates ephemeral resources and functions: the schema additions must not
/// disturb it.
#[test]
fn terraform_1_0_3_still_reads_the_schema_and_applies() {
    let s = Setup::new(&Terraform::get("1.0.3"));
    s.write(r#"resource "ivschat_room" "r" {}"#);
    let schema = s.wd.providers_schema_json();
    let provider = &schema["provider_schemas"][support::PROVIDER_SOURCE];
    assert!(
        provider["resource_schemas"]["ivschat_room"].is_object(),
        "{schema:#}"
    );
    s.wd.apply();
    s.wd.assert_no_changes();
    s.wd.destroy();
}

/// Terraform 1.15.5 lists the ephemeral resource and the functions in its schema.
#[test]
fn terraform_1_15_5_lists_the_ephemeral_resource_and_functions() {
    let s = Setup::new(&Terraform::get("1.15.5"));
    s.write("");
    let schema = s.wd.providers_schema_json();
    let provider = &schema["provider_schemas"][support::PROVIDER_SOURCE];
    let token = &provider["ephemeral_resource_schemas"]["ivschat_chat_token"]["block"];
    assert_eq!(
        token["attributes"]["token"]["sensitive"], true,
        "{schema:#}"
    );
    assert_eq!(token["attributes"]["user_id"]["sensitive"], true);
    assert_eq!(token["attributes"]["attributes"]["sensitive"], true);
    assert!(provider["functions"]["parse_arn"].is_object(), "{schema:#}");
    assert!(provider["functions"]["room_arn"].is_object(), "{schema:#}");
}

/// The examples that need Terraform 1.8 (functions) or 1.10 (ephemeral resources) apply on
/// 1.15.5, plan no changes and destroy cleanly (`e2e_examples` runs the others on both
/// versions). The chat token example's provisioner script is stood in for by one that keeps the
/// token, which the emulator must accept.
#[test]
fn examples_for_new_terraform_apply() {
    let tf = Terraform::get("1.15.5");
    let root = support::repo_root().join("examples");
    let mut dirs = Vec::new();
    for kind in ["ephemeral-resources", "functions"] {
        for entry in std::fs::read_dir(root.join(kind)).unwrap().flatten() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    assert!(dirs.len() >= 3, "examples found: {dirs:?}");
    for dir in dirs {
        eprintln!("=== example {}", dir.display());
        let emulator = support::start_emulator();
        let mut wd = tf.workdir();
        wd.write_file(
            "provider.tf",
            &std::fs::read_to_string(root.join("provider/provider.tf")).unwrap(),
        );
        wd.env("AWS_ENDPOINT_URL_IVSCHAT", &emulator.endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test");
        let mut copied = Vec::new();
        for file in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "tf") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                wd.write_file(&name, &text);
                copied.push(text);
            }
        }
        let script = wd.dir().join("send-welcome.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nprintf '%s' \"$CHAT_TOKEN\" > token.txt\n",
        )
        .unwrap();
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        wd.apply();
        wd.assert_no_changes();
        if copied.iter().any(|t| t.contains("send-welcome.sh")) {
            let token = std::fs::read_to_string(wd.dir().join("token.txt")).unwrap();
            let claims = emulator.handle().verify_chat_token(&token).unwrap();
            assert_eq!(claims.user_id, "agent-1");
            let state = std::fs::read_to_string(wd.dir().join("terraform.tfstate")).unwrap();
            assert!(!state.contains(TOKEN_PREFIX), "token in state: {state}");
        }
        wd.destroy();
        assert!(
            emulator.handle().rooms().is_empty(),
            "{}: destroy left rooms behind",
            dir.display()
        );
    }
}

/// A token is usable where Terraform allows ephemeral values: through a local into the
/// configuration of another provider instance (here the session `token` of an aliased ivschat
/// provider, which then creates a room), and it still reaches no state file.
#[test]
fn a_token_configures_another_provider_through_a_local() {
    let tf = Terraform::get("1.15.5");
    let s = Setup::new(&tf);
    s.write(&format!(
        r#"
resource "ivschat_room" "r" {{
  name = "tokens"
}}

ephemeral "ivschat_chat_token" "t" {{
  room_identifier = ivschat_room.r.arn
  user_id         = "{USER}"
}}

locals {{
  chat_token = ephemeral.ivschat_chat_token.t.token
}}

provider "ivschat" {{
  alias      = "with_token"
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  token      = local.chat_token
  endpoints {{
    ivschat = "{}"
  }}
}}

resource "ivschat_room" "second" {{
  provider = ivschat.with_token
  name     = "made-with-a-token-configured-provider"
}}
"#,
        s.emulator.endpoint
    ));
    let out = s.wd.apply();
    assert_secret_free("apply output", &format!("{}{}", out.stdout, out.stderr));
    s.wd.assert_no_changes();
    let names: Vec<String> = s
        .emulator
        .handle()
        .rooms()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n == "made-with-a-token-configured-provider"),
        "{names:?}"
    );
    let state = std::fs::read_to_string(s.wd.dir().join("terraform.tfstate")).unwrap();
    assert_secret_free("terraform.tfstate", &state);
}
