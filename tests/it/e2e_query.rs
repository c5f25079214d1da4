//! `terraform query` (Terraform ≥ 1.14, here 1.15.5) with the `ivschat_room` and
//! `ivschat_logging_configuration` list resources: rooms made through the API and by Terraform,
//! filters, full objects, and `-generate-config-out` output that imports and then plans nothing.

#[allow(unused_macros, unused_imports)]
use crate::support;

use support::Setup;

impl Setup {
    fn provider(&self) -> String {
        self.emulator.provider_hcl("")
    }

    fn create_room(&self, name: &str, tags: &[(&str, &str)]) -> String {
        let mut b = self.api.create_room().name(name);
        for (k, v) in tags {
            b = b.tags(*k, *v);
        }
        self.rt
            .block_on(b.send())
            .unwrap()
            .arn()
            .unwrap()
            .to_owned()
    }

    /// `terraform query` with `query` as the only .tfquery.hcl file; its output lines that
    /// name a list block's results.
    fn query(&self, query: &str, extra: &[&str]) -> Vec<String> {
        self.wd.write_file("search.tfquery.hcl", query);
        let mut args = vec!["query", "-no-color"];
        args.extend_from_slice(extra);
        let out = self.wd.run(args);
        out.assert_success();
        out.stdout
            .lines()
            .filter(|l| l.starts_with("list."))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }
}

fn results<'a>(lines: &'a [String], block: &str) -> Vec<&'a str> {
    let prefix = format!("list.{block} ");
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix))
        .collect()
}

#[test]
fn query_lists_api_and_terraform_rooms_with_filters() {
    let s = Setup::latest();
    let api_a = s.create_room("api-a", &[("team", "chat")]);
    let api_b = s.create_room("api-b", &[("team", "video")]);
    s.wd.write_config(&format!(
        "{}\nresource \"ivschat_room\" \"tf\" {{\n  name = \"tf-room\"\n  tags = {{ team = \"chat\" }}\n}}\n",
        s.provider()
    ));
    s.wd.apply();
    let tf_arn = s.wd.resource_values("ivschat_room.tf")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let lines = s.query(
        r#"
list "ivschat_room" "all" {
  provider = ivschat
}

list "ivschat_room" "chat" {
  provider = ivschat
  config {
    tags = { team = "chat" }
  }
}

list "ivschat_room" "by_name" {
  provider = ivschat
  include_resource = true
  config {
    name = "api-b"
  }
}

list "ivschat_room" "none" {
  provider = ivschat
  config {
    name = "no-such-room"
  }
}

list "ivschat_logging_configuration" "logs" {
  provider = ivschat
}
"#,
        &[],
    );
    let all = results(&lines, "ivschat_room.all");
    assert_eq!(all.len(), 3, "{lines:#?}");
    for (arn, display) in [
        (&api_a, "api-a ("),
        (&api_b, "api-b ("),
        (&tf_arn, "tf-room ("),
    ] {
        assert!(
            all.iter()
                .any(|l| l.contains(&format!("arn={arn}")) && l.contains(display)),
            "{arn} missing: {lines:#?}"
        );
    }
    let chat = results(&lines, "ivschat_room.chat");
    assert_eq!(chat.len(), 2, "{lines:#?}");
    assert!(chat.iter().all(|l| !l.contains(&api_b)), "{lines:#?}");
    let by_name = results(&lines, "ivschat_room.by_name");
    assert_eq!(by_name.len(), 1, "{lines:#?}");
    assert!(by_name[0].contains(&api_b), "{lines:#?}");
    assert!(
        results(&lines, "ivschat_room.none").is_empty(),
        "{lines:#?}"
    );
    assert!(
        results(&lines, "ivschat_logging_configuration.logs").is_empty(),
        "{lines:#?}"
    );
    s.wd.destroy();
}

#[test]
fn generated_configuration_imports_and_plans_nothing() {
    let s = Setup::latest();
    let room = s.create_room("made-elsewhere", &[("team", "chat")]);
    s.rt.block_on(
        s.api
            .update_room()
            .identifier(&room)
            .maximum_message_length(42)
            .send(),
    )
    .unwrap();
    s.create_room("other", &[]);
    let logs =
        s.rt.block_on(
            s.api
                .create_logging_configuration()
                .name("elsewhere-logs")
                .destination_configuration(
                    aws_sdk_ivschat::types::DestinationConfiguration::CloudWatchLogs(
                        aws_sdk_ivschat::types::CloudWatchLogsDestinationConfiguration::builder()
                            .log_group_name("chat")
                            .build()
                            .unwrap(),
                    ),
                )
                .send(),
        )
        .unwrap();
    let logs_arn = logs.arn().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(400));
    s.wd.write_config(&s.provider());
    let lines = s.query(
        r#"
list "ivschat_room" "chat" {
  provider = ivschat
  config {
    tags = { team = "chat" }
  }
}

list "ivschat_logging_configuration" "logs" {
  provider = ivschat
  config {
    name = "elsewhere-logs"
  }
}
"#,
        &["-generate-config-out=generated.tf"],
    );
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let generated = std::fs::read_to_string(s.wd.dir().join("generated.tf")).unwrap();
    assert!(
        generated.contains("made-elsewhere") && generated.contains(&room),
        "{generated}"
    );
    assert!(generated.contains(&logs_arn), "{generated}");
    assert!(!generated.contains("\"other\""), "{generated}");
    let out = s.wd.apply();
    assert!(
        out.stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        out.dump()
    );
    s.wd.assert_no_changes();
    let state = s.wd.state_json();
    let text = state.to_string();
    assert!(
        text.contains(&room) && text.contains(&logs_arn),
        "{state:#}"
    );
    assert_eq!(s.room_count(), 2, "imported, not created again");
}

/// `terraform query -json`: full objects with `include_resource`, `limit`, and config validation.
#[test]
fn full_objects_limits_and_invalid_filters() {
    let s = Setup::latest();
    let arns: Vec<String> = (0..3)
        .map(|i| s.create_room(&format!("room-{i}"), &[("team", "chat")]))
        .collect();
    s.wd.write_config(&s.provider());
    s.wd.write_file(
        "search.tfquery.hcl",
        r#"
list "ivschat_room" "full" {
  provider         = ivschat
  include_resource = true
  config {
    name = "room-1"
  }
}

list "ivschat_room" "two" {
  provider = ivschat
  limit    = 2
}
"#,
    );
    let out = s.wd.run(["query", "-json", "-no-color"]);
    out.assert_success();
    let found: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["type"] == "list_resource_found")
        .map(|m| m["list_resource_found"].clone())
        .collect();
    let full: Vec<_> = found
        .iter()
        .filter(|f| f["address"] == "list.ivschat_room.full")
        .collect();
    assert_eq!(full.len(), 1, "{}", out.dump());
    assert_eq!(full[0]["identity"]["arn"], arns[1]);
    assert_eq!(full[0]["identity_version"], 0);
    assert_eq!(
        full[0]["display_name"],
        format!("room-1 ({})", arns[1].rsplit('/').next().unwrap())
    );
    let object = &full[0]["resource_object"];
    assert_eq!(object["arn"], arns[1], "{object:#}");
    assert_eq!(object["maximum_message_length"], 500, "{object:#}");
    assert_eq!(
        object["tags"],
        serde_json::json!({"team": "chat"}),
        "{object:#}"
    );
    assert_eq!(object["region"], "us-east-1");
    let two = found
        .iter()
        .filter(|f| f["address"] == "list.ivschat_room.two")
        .count();
    assert_eq!(two, 2, "limit = 2: {}", out.dump());

    s.wd.write_file(
        "search.tfquery.hcl",
        "list \"ivschat_room\" \"bad\" {\n  provider = ivschat\n  config {\n    name = \"bad name!\"\n  }\n}\n",
    );
    let out = s.wd.run(["query", "-no-color"]);
    assert!(!out.success(), "{}", out.dump());
    let text = (out.stdout.clone() + &out.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("must contain only letters, digits, hyphens and underscores"),
        "{}",
        out.dump()
    );
}
