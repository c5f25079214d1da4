//! Leak-proof creates that leave nothing behind, end to end against ivschat-local with
//! connections dropped after the change was made (reset-after-commit faults, quotas off): every
//! object is created exactly once, even with the full 50 user tags, and afterwards carries
//! exactly the user's tags, no marker. With `create_markers = false` no tag call is made.
//!
//! Cost: about 20 s per Terraform version (20 rooms and 2 logging configurations, paced at the
//! quotas by the provider).

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use support::{Emulator, TfWorkdir, terraform_test};

const ROOMS: usize = 20;
const CONFIGS: usize = 2;

fn fifty_tags() -> BTreeMap<String, String> {
    (0..50)
        .map(|i| (format!("k{i}"), format!("v{i}")))
        .collect()
}

fn config(emulator: &Emulator) -> String {
    let tags = r#"{ for i in range(50) : "k${i}" => "v${i}" }"#;
    format!(
        "{}
resource \"ivschat_room\" \"r\" {{
  count = {ROOMS}
  name  = \"full-${{count.index}}\"
  tags  = {tags}
}}

resource \"ivschat_logging_configuration\" \"l\" {{
  count = {CONFIGS}
  name  = \"full-${{count.index}}\"
  destination_configuration {{
    s3 {{ bucket_name = \"logs-${{count.index}}\" }}
  }}
  tags = {tags}
}}
",
        emulator.provider_hcl("  max_retries = 25\n")
    )
}

fn state_arns(wd: &TfWorkdir, kind: &str) -> BTreeSet<String> {
    wd.state_json()["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["type"] == kind)
                .filter_map(|r| r["values"]["arn"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn emulator_with_resets() -> Emulator {
    support::start_emulator_with(ivschat_local::Config {
        quotas: ivschat_local::QuotaMode::Off,
        faults: ivschat_local::Faults {
            reset_after_commit_rate: 0.3,
            seed: Some(7),
            ..ivschat_local::Faults::default()
        },
        logging_settle: std::time::Duration::from_millis(200),
        ..ivschat_local::Config::default()
    })
}

terraform_test!(
    fifty_tag_objects_are_created_once_under_resets_and_keep_no_marker,
    |tf| {
        let emulator = emulator_with_resets();
        let wd = tf.workdir();
        wd.write_config(&config(&emulator));
        wd.run([
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-parallelism=10",
        ])
        .assert_success();
        let counts = emulator.handle().operation_counts();
        emulator
            .handle()
            .set_faults(ivschat_local::Faults::default());

        let rooms = emulator.handle().rooms();
        assert_eq!(
            rooms.len(),
            ROOMS,
            "exactly one room per resource: {counts:?}"
        );
        let arns: BTreeSet<String> = rooms.iter().map(|r| r.arn.clone()).collect();
        assert_eq!(state_arns(&wd, "ivschat_room"), arns);
        let configs = emulator.handle().logging_configurations();
        assert_eq!(configs.len(), CONFIGS, "{counts:?}");
        let arns: BTreeSet<String> = configs.iter().map(|c| c.arn.clone()).collect();
        assert_eq!(state_arns(&wd, "ivschat_logging_configuration"), arns);
        // Exactly the user's tags: the marker is gone, the held-back fiftieth tag is there.
        for tags in rooms
            .iter()
            .map(|r| &r.tags)
            .chain(configs.iter().map(|c| &c.tags))
        {
            assert_eq!(*tags, fifty_tags());
        }
        assert!(
            counts.get("CreateRoom").copied().unwrap_or(0) > ROOMS as u64
                || counts.get("ListRooms").copied().unwrap_or(0) > 0,
            "the resets should have hit some creates: {counts:?}"
        );
        eprintln!("{ROOMS} rooms, {CONFIGS} logging configurations under resets: {counts:?}");
        wd.assert_no_changes();
    }
);

/// `create_markers = false`: no tag call at all, the user's tags go out with the create.
#[test]
fn without_markers_creates_make_no_tag_calls() {
    let tf = support::Terraform::get("1.15.5");
    let emulator = support::start_emulator();
    let wd = tf.workdir();
    wd.write_config(&format!(
        "{}\nresource \"ivschat_room\" \"r\" {{\n  tags = {{ team = \"chat\" }}\n}}\n",
        emulator.provider_hcl("  create_markers = false\n")
    ));
    wd.apply();
    wd.assert_no_changes();
    let counts = emulator.handle().operation_counts();
    assert_eq!(counts.get("CreateRoom"), Some(&1));
    assert_eq!(counts.get("TagResource"), Some(&0), "{counts:?}");
    assert_eq!(counts.get("UntagResource"), Some(&0), "{counts:?}");
    let rooms = emulator.handle().rooms();
    assert_eq!(
        rooms[0].tags,
        BTreeMap::from([("team".to_owned(), "chat".to_owned())])
    );
}
