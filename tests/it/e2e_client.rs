//! The provider as an API client, end to end: real Terraform drives many `ivschat_room`s at
//! parallelism 10 against ivschat-local with the AWS rate quotas on.
//!
//! - Pacing: 50 rooms are created and refreshed without a single throttled (hence retried)
//!   call, at the quota's pace.
//! - Faults: with injected throttling, 500s and connections dropped after the change was made,
//!   apply and destroy converge, and the emulator holds exactly the rooms in state: a create
//!   that succeeded before its connection dropped is adopted, never duplicated or leaked.

use crate::support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use support::{Emulator, TfWorkdir, terraform_test};

fn config(emulator: &Emulator, rooms: usize, extra_provider: &str) -> String {
    format!(
        "{}\nresource \"ivschat_room\" \"r\" {{\n  count = {rooms}\n  name  = \"room-${{count.index}}\"\n  tags  = {{ n = count.index }}\n}}\n",
        emulator.provider_hcl(extra_provider)
    )
}

fn apply_parallel(wd: &TfWorkdir) -> support::TfOutput {
    let out = wd.run([
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=10",
    ]);
    out.assert_success();
    out
}

fn count(emulator: &Emulator, op: &str) -> u64 {
    emulator
        .handle()
        .operation_counts()
        .get(op)
        .copied()
        .unwrap_or(0)
}

/// ARNs of the rooms in Terraform's state.
fn state_arns(wd: &TfWorkdir) -> BTreeSet<String> {
    let state = wd.state_json();
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["type"] == "ivschat_room")
                .filter_map(|r| r["values"]["arn"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn emulator_arns(emulator: &Emulator) -> BTreeSet<String> {
    emulator
        .handle()
        .rooms()
        .into_iter()
        .map(|r| r.arn)
        .collect()
}

terraform_test!(fifty_rooms_at_parallelism_ten_are_never_throttled, |tf| {
    let emulator = support::start_emulator();
    let wd = tf.workdir();
    wd.write_config(&config(&emulator, 50, ""));
    let started = Instant::now();
    apply_parallel(&wd);
    let apply_time = started.elapsed();
    // Counts are taken before quotas: any throttled call would have been retried, so exactly one
    // CreateRoom per room means none was throttled.
    assert_eq!(
        count(&emulator, "CreateRoom"),
        50,
        "{:?}",
        emulator.handle().operation_counts()
    );
    assert_eq!(emulator.handle().rooms().len(), 50);
    // At the quota: 49 intervals of 200 ms at least, and not much more.
    assert!(
        apply_time >= Duration::from_millis(9_800),
        "apply took {apply_time:?}: faster than the quota"
    );
    assert!(
        apply_time <= Duration::from_secs(30),
        "apply took {apply_time:?}"
    );
    eprintln!("50 rooms applied in {apply_time:?} (quota floor 9.8 s)");
    let gets_before = count(&emulator, "GetRoom");
    let lists_before = count(&emulator, "ListRooms");
    wd.assert_no_changes();
    // The refresh reads each room at most once, unthrottled: from its GetRoom or from the one
    // ListRooms page that holds all 50 summaries (listing-backed reads).
    let gets = count(&emulator, "GetRoom") - gets_before;
    let lists = count(&emulator, "ListRooms") - lists_before;
    assert!(gets <= 50, "{gets} GetRoom for 50 rooms");
    assert!(lists <= 2, "{lists} ListRooms pages for 50 rooms");
    assert!(gets == 50 || lists >= 1, "{gets} GetRoom and no listing");
    assert_eq!(state_arns(&wd), emulator_arns(&emulator));
    wd.run([
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=10",
    ])
    .assert_success();
    assert_eq!(count(&emulator, "DeleteRoom"), 50);
    assert!(emulator.handle().rooms().is_empty());
});

terraform_test!(injected_faults_converge_without_leaks, |tf| {
    let emulator = support::start_emulator();
    let faults = ivschat_local::Faults {
        throttle_rate: 0.1,
        internal_error_rate: 0.1,
        reset_after_commit_rate: 0.15,
        seed: Some(7),
        ..ivschat_local::Faults::default()
    };
    emulator.handle().set_faults(faults.clone());
    let wd = tf.workdir();
    wd.write_config(&config(&emulator, 30, "  max_retries = 25\n"));
    apply_parallel(&wd);
    // Exactly the rooms in state exist: a create whose answer was lost was adopted, not redone.
    assert_eq!(state_arns(&wd).len(), 30);
    assert_eq!(state_arns(&wd), emulator_arns(&emulator));
    let creates = count(&emulator, "CreateRoom");
    let lookups = count(&emulator, "ListRooms");
    eprintln!("30 rooms under faults: {creates} CreateRoom calls, {lookups} ListRooms lookups");
    assert!(creates > 30, "the faults should have forced retries");
    // Still converged once the faults stop: no drift, nothing left over.
    emulator
        .handle()
        .set_faults(ivschat_local::Faults::default());
    wd.assert_no_changes();
    // Destroy under faults too: a delete whose answer was lost is not an error.
    emulator.handle().set_faults(faults);
    wd.run([
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-parallelism=10",
    ])
    .assert_success();
    assert!(
        emulator.handle().rooms().is_empty(),
        "rooms left: {:?}",
        emulator_arns(&emulator)
    );
});

/// terraform_data (Terraform >= 1.4) gives a value known only after apply: one Terraform only.
#[test]
fn unknown_provider_region_is_planned_as_unknown_then_applied() {
    {
        let tf = support::Terraform::get("1.15.5");
        let emulator = support::start_emulator();
        let wd = tf.workdir();
        wd.write_config(&format!(
        "{}\nresource \"terraform_data\" \"region\" {{\n  input = \"eu-west-1\"\n}}\n\n\
         provider \"ivschat\" {{\n  region     = terraform_data.region.output\n  access_key = \"test\"\n  \
         secret_key = \"test\"\n  endpoints {{\n    ivschat = \"{}\"\n  }}\n}}\n\n\
         resource \"ivschat_room\" \"r\" {{\n  name = \"late\"\n}}\n",
        support::required_providers_hcl(),
        emulator.endpoint
    ));
        let plan = wd.run(["plan", "-input=false", "-no-color"]);
        plan.assert_success();
        assert!(
            plan.stdout.contains("region") && plan.stdout.contains("(known after apply)"),
            "{}",
            plan.stdout
        );
        apply_parallel(&wd);
        let room = wd.resource_values("ivschat_room.r");
        assert_eq!(room["region"], "eu-west-1");
        let rooms = emulator.handle().rooms();
        assert_eq!(rooms.len(), 1);
        assert_eq!(rooms[0].region, "eu-west-1");
        wd.assert_no_changes();
    }
}
