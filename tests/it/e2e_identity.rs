//! Resource identity end to end (Terraform 1.15.5; identity needs ≥ 1.12): identities in state,
//! import by identity, and states written before identity existed gaining it on refresh with an
//! empty plan.

#[allow(unused_macros, unused_imports)]
use crate::support;

use support::Setup;

use serde_json::Value as Json;

impl Setup {
    fn write_state_file(&self, state: &Json) {
        self.wd.write_file(
            "terraform.tfstate",
            &serde_json::to_string_pretty(state).unwrap(),
        );
    }

    /// The stored instance of `type_name.name`.
    fn instance(&self, type_name: &str, name: &str) -> Json {
        let state = self.state_file();
        state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == type_name && r["name"] == name)
            .unwrap_or_else(|| panic!("{type_name}.{name} not in state: {state:#}"))["instances"][0]
            .clone()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client(rt: &tokio::runtime::Runtime, endpoint: &str) -> aws_sdk_ivschat::Client {
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .load(),
    );
    aws_sdk_ivschat::Client::new(&config)
}

const BOTH: &str = r#"
resource "ivschat_logging_configuration" "logs" {
  name = "logs"
  destination_configuration {
    s3 {
      bucket_name = "chat-logs"
    }
  }
}

resource "ivschat_room" "room" {
  name                              = "lobby"
  logging_configuration_identifiers = [ivschat_logging_configuration.logs.arn]
}
"#;

#[test]
fn both_resources_store_their_arn_as_identity() {
    let s = Setup::latest();
    s.config(BOTH);
    s.wd.apply();
    s.wd.assert_no_changes();
    for (ty, name) in [
        ("ivschat_room", "room"),
        ("ivschat_logging_configuration", "logs"),
    ] {
        let instance = s.instance(ty, name);
        assert_eq!(instance["identity_schema_version"], 0, "{instance:#}");
        assert_eq!(
            instance["identity"],
            serde_json::json!({ "arn": instance["attributes"]["arn"] }),
            "{instance:#}"
        );
    }
    // The identity schemas are published with the provider's schema.
    let schema = s.wd.providers_schema_json();
    let provider = &schema["provider_schemas"]["registry.terraform.io/ivschat/ivschat"];
    for ty in ["ivschat_room", "ivschat_logging_configuration"] {
        let identity = &provider["resource_identity_schemas"][ty];
        assert_eq!(
            identity["attributes"]["arn"]["type"], "string",
            "{ty}: {identity:#}"
        );
        assert_eq!(identity["attributes"]["arn"]["required_for_import"], true);
    }
    s.wd.destroy();
}

#[test]
fn import_blocks_by_identity_adopt_objects_and_plan_nothing() {
    let s = Setup::latest();
    let rt = rt();
    let api = client(&rt, &s.emulator.endpoint);
    let room = rt
        .block_on(
            api.create_room()
                .name("elsewhere")
                .maximum_message_length(99)
                .tags("team", "chat")
                .send(),
        )
        .unwrap();
    let room_arn = room.arn().unwrap().to_owned();
    let logs = rt
        .block_on(
            api.create_logging_configuration()
                .name("elsewhere-logs")
                .destination_configuration(aws_sdk_ivschat::types::DestinationConfiguration::S3(
                    aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                        .bucket_name("chat-logs")
                        .build()
                        .unwrap(),
                ))
                .send(),
        )
        .unwrap();
    let logs_arn = logs.arn().unwrap().to_owned();
    s.config(&format!(
        r#"
import {{
  to       = ivschat_room.imported
  identity = {{ arn = "{room_arn}" }}
}}

import {{
  to       = ivschat_logging_configuration.imported
  identity = {{ arn = "{logs_arn}" }}
}}

resource "ivschat_room" "imported" {{
  name                   = "elsewhere"
  maximum_message_length = 99
  tags                   = {{ team = "chat" }}
}}

resource "ivschat_logging_configuration" "imported" {{
  name = "elsewhere-logs"
  destination_configuration {{
    s3 {{
      bucket_name = "chat-logs"
    }}
  }}
}}
"#
    ));
    let out = s.wd.apply();
    assert!(
        out.stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.dump()
    );
    s.wd.assert_no_changes();
    assert_eq!(
        s.instance("ivschat_room", "imported")["identity"]["arn"],
        room_arn
    );
    assert_eq!(
        s.instance("ivschat_logging_configuration", "imported")["attributes"]["arn"],
        logs_arn
    );

    // An identity naming the wrong kind of object is refused with the expected form.
    s.config(&format!(
        r#"
import {{
  to       = ivschat_room.wrong
  identity = {{ arn = "{logs_arn}" }}
}}

resource "ivschat_room" "wrong" {{}}
"#
    ));
    let out = s.wd.run(["plan", "-no-color", "-input=false"]);
    assert!(!out.success(), "{}", out.dump());
    let text = out.stdout.clone() + &out.stderr;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("not a room ARN"), "{}", out.dump());
}

#[test]
fn states_without_identity_gain_it_on_refresh_without_a_diff() {
    let s = Setup::latest();
    s.config(BOTH);
    s.wd.apply();
    // What a provider version before identity wrote: no identity fields at all.
    let mut state = s.state_file();
    for r in state["resources"].as_array_mut().unwrap() {
        let instance = r["instances"][0].as_object_mut().unwrap();
        instance.remove("identity");
        instance.remove("identity_schema_version");
    }
    state["serial"] = serde_json::json!(state["serial"].as_i64().unwrap() + 1);
    s.write_state_file(&state);
    assert!(s.instance("ivschat_room", "room").get("identity").is_none());

    s.wd.assert_no_changes();
    let out = s.wd.apply();
    assert!(
        out.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        out.dump()
    );
    for (ty, name) in [
        ("ivschat_room", "room"),
        ("ivschat_logging_configuration", "logs"),
    ] {
        let instance = s.instance(ty, name);
        assert_eq!(
            instance["identity"]["arn"], instance["attributes"]["arn"],
            "{instance:#}"
        );
    }
    s.wd.assert_no_changes();
    s.wd.destroy();
}
