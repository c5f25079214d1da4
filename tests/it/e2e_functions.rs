//! Provider-defined functions end to end (Terraform 1.15.5; functions need 1.8):
//! `provider::ivschat::parse_arn` and `provider::ivschat::room_arn` on a room created in the same
//! configuration, and argument errors that point at the argument at fault.

#[allow(unused_imports, unused_macros)]
use crate::support;

use support::Setup;

use support::assert_error;

impl Setup {}

#[test]
fn parse_arn_and_room_arn_round_trip_a_real_room() {
    let s = Setup::latest();
    s.write(
        r#"
resource "ivschat_room" "r" {}

locals {
  parts = provider::ivschat::parse_arn(ivschat_room.r.arn)
}

output "parts" {
  value = local.parts
}

output "rebuilt" {
  value = provider::ivschat::room_arn(local.parts.region, local.parts.account_id, local.parts.id)
}

output "literal" {
  value = provider::ivschat::room_arn("eu-west-1", "123456789012", "abcdEFGH1234")
}
"#,
    );
    s.wd.apply();
    s.wd.assert_no_changes();
    let room = s.wd.resource_values("ivschat_room.r");
    let arn = room["arn"].as_str().unwrap();
    let out = s.outputs();
    let parts = &out["parts"];
    assert_eq!(parts["partition"], "aws", "{out:#}");
    assert_eq!(parts["region"], "us-east-1", "{out:#}");
    assert_eq!(parts["account_id"], "123456789012", "{out:#}");
    assert_eq!(parts["resource_type"], "room", "{out:#}");
    assert_eq!(
        parts["id"],
        room["id"].as_str().unwrap().rsplit('/').next().unwrap()
    );
    assert_eq!(out["rebuilt"], arn, "{out:#}");
    assert_eq!(
        out["literal"],
        "arn:aws:ivschat:eu-west-1:123456789012:room/abcdEFGH1234"
    );
    s.wd.destroy();
}

#[test]
fn argument_errors_point_at_the_argument() {
    let s = Setup::latest();
    for (call, needles) in [
        (
            r#"provider::ivschat::parse_arn("room/abc")"#,
            &[
                "Invalid function argument",
                "arn",
                "arn:aws:ivschat:<region>",
            ][..],
        ),
        (
            r#"provider::ivschat::room_arn("EU_WEST", "123456789012", "abcdEFGH1234")"#,
            &["Invalid function argument", "\"region\"", "AWS region name"][..],
        ),
        (
            r#"provider::ivschat::room_arn("eu-west-1", "1234", "abcdEFGH1234")"#,
            &[
                "Invalid function argument",
                "\"account_id\"",
                "exactly 12 digits",
            ][..],
        ),
        (
            r#"provider::ivschat::room_arn("eu-west-1", "123456789012", "abc")"#,
            &[
                "Invalid function argument",
                "\"id\"",
                "exactly 12 letters and digits",
            ][..],
        ),
    ] {
        s.write(&format!("output \"x\" {{\n  value = {call}\n}}\n"));
        let out = s.wd.run(["plan", "-input=false", "-no-color"]);
        for needle in needles {
            assert_error(&out, needle);
        }
    }
}
