//! `ivschat_logging_configuration` end to end: real Terraform 1.0.3 and 1.15.5 against
//! ivschat-local, with logging configurations settling over time as on AWS.

use crate::support;

use support::Setup;

use support::assert_error;

use std::time::Duration;

use serde_json::Value as Json;
use support::terraform_test;

/// A logging configuration settles in 300 ms unless a test says otherwise.
const SETTLE: Duration = Duration::from_millis(300);

/// A setup whose emulator settles logging configurations in `settle`.
fn settled_setup_default(tf: &support::Terraform) -> Setup {
    settled_setup(tf, SETTLE)
}

/// A setup whose emulator settles logging configurations in `settle`.
fn settled_setup(tf: &support::Terraform, settle: Duration) -> Setup {
    Setup::with_emulator(
        tf,
        support::start_emulator_with(ivschat_local::Config {
            logging_settle: settle,
            ..ivschat_local::Config::default()
        }),
    )
}

impl Setup {
    fn values(&self, address: &str) -> Json {
        self.wd.resource_values(address)
    }
}

fn config(name: &str, destination: &str) -> String {
    format!(
        "resource \"ivschat_logging_configuration\" \"test\" {{\n  name = \"{name}\"\n  destination_configuration {{\n    {destination}\n  }}\n}}\n"
    )
}

const S3: &str = "s3 {\n      bucket_name = \"chat-logs\"\n    }";
const CLOUDWATCH: &str = "cloudwatch_logs {\n      log_group_name = \"/ivs/chat\"\n    }";
const FIREHOSE: &str = "firehose {\n      delivery_stream_name = \"chat.stream\"\n    }";

terraform_test!(each_destination_is_created_and_waited_for, |tf| {
    // A settle time long enough that an apply that did not wait would store CREATING.
    let s = settled_setup(tf, Duration::from_millis(1500));
    s.apply(&format!(
        "{}{}{}",
        config("s3", S3).replace("\"test\"", "\"s3\""),
        config("cw", CLOUDWATCH).replace("\"test\"", "\"cw\""),
        config("fh", FIREHOSE).replace("\"test\"", "\"fh\"")
    ));
    let s3 = s.values("ivschat_logging_configuration.s3");
    assert_eq!(
        s3["state"], "ACTIVE",
        "the apply waited for the configuration to settle: {s3:#}"
    );
    assert_eq!(
        s3["destination_configuration"][0]["s3"][0]["bucket_name"],
        "chat-logs"
    );
    assert!(
        s3["arn"]
            .as_str()
            .unwrap()
            .contains(":logging-configuration/")
    );
    assert_eq!(s3["id"], s3["arn"]);
    let cw = s.values("ivschat_logging_configuration.cw");
    assert_eq!(
        cw["destination_configuration"][0]["cloudwatch_logs"][0]["log_group_name"],
        "/ivs/chat"
    );
    assert_eq!(cw["state"], "ACTIVE");
    let fh = s.values("ivschat_logging_configuration.fh");
    assert_eq!(
        fh["destination_configuration"][0]["firehose"][0]["delivery_stream_name"],
        "chat.stream"
    );
    s.wd.destroy();
    assert!(
        s.emulator.handle().logging_configurations().is_empty(),
        "destroy waited until they were gone"
    );
    s.assert_emulator_matches_state();
});

terraform_test!(name_tags_and_destination_type_change_in_place, |tf| {
    let s = settled_setup_default(tf);
    s.apply(&config("first", S3));
    let arn = s.values("ivschat_logging_configuration.test")["arn"].clone();
    s.apply(&config("second", S3));
    assert_eq!(
        s.values("ivschat_logging_configuration.test")["name"],
        "second"
    );
    s.apply(&config("second", CLOUDWATCH));
    let v = s.values("ivschat_logging_configuration.test");
    assert_eq!(
        v["destination_configuration"][0]["s3"],
        serde_json::json!([])
    );
    assert_eq!(
        v["destination_configuration"][0]["cloudwatch_logs"][0]["log_group_name"],
        "/ivs/chat"
    );
    assert_eq!(v["state"], "ACTIVE");
    let tagged = |tags: &str| {
        config("second", CLOUDWATCH).replace("\n}\n", &format!("\n  tags = {tags}\n}}\n"))
    };
    s.apply(&tagged("{ a = \"1\" }"));
    s.apply(&tagged("{ a = \"2\", b = \"3\" }"));
    assert_eq!(
        s.values("ivschat_logging_configuration.test")["tags_all"],
        serde_json::json!({"a": "2", "b": "3"})
    );
    s.apply(&config("second", CLOUDWATCH));
    let v = s.values("ivschat_logging_configuration.test");
    assert_eq!(v["tags_all"], serde_json::json!({}));
    assert_eq!(v["arn"], arn, "every change happened in place");
    s.assert_emulator_matches_state();
});

terraform_test!(invalid_destinations_are_rejected_at_plan_time, |tf| {
    let s = settled_setup_default(tf);
    let cases = [
        (
            format!("{S3}\n    {CLOUDWATCH}"),
            "exactly one of s3, cloudwatch_logs, firehose, got s3, cloudwatch_logs",
        ),
        (
            format!("{S3}\n    {CLOUDWATCH}\n    {FIREHOSE}"),
            "got s3, cloudwatch_logs, firehose",
        ),
        (
            String::new(),
            "exactly one of s3, cloudwatch_logs, firehose, got none",
        ),
        (
            "s3 {\n bucket_name = \"UPPER\"\n}".to_owned(),
            "contain only lowercase letters, digits, hyphens and dots",
        ),
        (
            "s3 {\n bucket_name = \"ab\"\n}".to_owned(),
            "between 3 and 63 characters",
        ),
        (
            "cloudwatch_logs {\n log_group_name = \"bad name\"\n}".to_owned(),
            "log_group_name must contain only",
        ),
        (
            "firehose {\n delivery_stream_name = \"\"\n}".to_owned(),
            "between 1 and 64 characters",
        ),
    ];
    for (destination, message) in cases {
        s.write(&config("x", &destination));
        let out = s.wd.run(["plan", "-no-color"]);
        assert_error(&out, message);
        assert_error(&out, "main.tf line");
    }
    s.write("resource \"ivschat_logging_configuration\" \"test\" {\n  name = \"nodest\"\n}\n");
    assert_error(
        &s.wd.run(["plan", "-no-color"]),
        "destination_configuration",
    );
    s.write(&config("bad name", S3));
    assert_error(
        &s.wd.run(["plan", "-no-color"]),
        "contain only letters, digits, hyphens and underscores",
    );
    assert!(s.emulator.handle().logging_configurations().is_empty());
    s.assert_emulator_matches_state();
});

terraform_test!(a_configuration_deleted_outside_is_planned_again, |tf| {
    let s = settled_setup_default(tf);
    s.apply(&config("gone", FIREHOSE));
    let arn = s.values("ivschat_logging_configuration.test")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = support_api(&s.emulator.endpoint);
    api.0
        .block_on(api.1.delete_logging_configuration().identifier(&arn).send())
        .unwrap();
    // Deletion settles: wait until the emulator has forgotten it and, under eventual
    // consistency, until its reads show that (a change made outside a while ago).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while (!s.emulator.handle().logging_configurations().is_empty()
        || s.emulator.handle().visible_at(&arn).is_some())
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(s.wd.plan_detailed_exitcode(), 2);
    s.wd.apply();
    s.wd.assert_no_changes();
    s.assert_emulator_matches_state();
});

fn support_api(endpoint: &str) -> (tokio::runtime::Runtime, aws_sdk_ivschat::Client) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .load(),
    );
    (rt, aws_sdk_ivschat::Client::new(&config))
}

terraform_test!(
    a_failed_create_stays_in_state_tainted_and_is_explained,
    |tf| {
        let s = settled_setup_default(tf);
        s.emulator
            .handle()
            .fail_logging(ivschat_local::LoggingFailure {
                operation: Some(ivschat_local::LoggingOperation::Create),
                name_matches: Some("doomed".to_owned()),
                ..Default::default()
            })
            .unwrap();
        s.write(&config("doomed", S3));
        let out = s.wd.try_apply();
        assert_error(&out, "CREATE_FAILED");
        assert_error(&out, "IVS Chat could not create it");
        let state = s.wd.run(["state", "list"]);
        assert!(
            state.stdout.contains("ivschat_logging_configuration.test"),
            "kept in state: {}",
            state.dump()
        );
        let show = s.wd.run(["show", "-no-color"]);
        assert!(show.stdout.contains("tainted"), "{}", show.dump());
        assert_eq!(
            s.emulator.handle().logging_configurations().len(),
            1,
            "nothing leaked beyond the tracked one"
        );
        // The next apply replaces the failed configuration and converges.
        s.wd.apply();
        s.wd.assert_no_changes();
        let configs = s.emulator.handle().logging_configurations();
        assert_eq!(
            configs.len(),
            1,
            "the failed configuration was destroyed: {configs:?}"
        );
        s.assert_emulator_matches_state();
    }
);

terraform_test!(a_failed_update_is_explained, |tf| {
    let s = settled_setup_default(tf);
    s.apply(&config("upd", S3));
    let arn = s.values("ivschat_logging_configuration.test")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    s.emulator
        .handle()
        .fail_logging(ivschat_local::LoggingFailure {
            operation: Some(ivschat_local::LoggingOperation::Update),
            arn: Some(arn),
            ..Default::default()
        })
        .unwrap();
    s.write(&config("upd", FIREHOSE));
    let out = s.wd.try_apply();
    assert_error(&out, "UPDATE_FAILED");
    assert_error(&out, "could not apply the update");
    s.assert_emulator_matches_state();
});

terraform_test!(import_by_arn_then_plan_nothing, |tf| {
    let s = settled_setup_default(tf);
    let body = config("imported", CLOUDWATCH).replace("\n}\n", "\n  tags = { k = \"v\" }\n}\n");
    s.apply(&body);
    let arn = s.values("ivschat_logging_configuration.test")["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    s.wd.run(["state", "rm", "ivschat_logging_configuration.test"])
        .assert_success();
    s.wd.run([
        "import",
        "-no-color",
        "ivschat_logging_configuration.test",
        &arn,
    ])
    .assert_success();
    s.wd.assert_no_changes();
    assert_eq!(
        s.values("ivschat_logging_configuration.test")["tags"],
        serde_json::json!({"k": "v"})
    );
    s.assert_emulator_matches_state();
});

terraform_test!(
    a_configuration_in_use_is_replaced_before_it_is_destroyed,
    |tf| {
        let s = settled_setup_default(tf);
        let body = |lifecycle: &str| {
            format!(
                "{}\nresource \"ivschat_room\" \"room\" {{\n  logging_configuration_identifiers = [ivschat_logging_configuration.test.arn]\n}}\n",
                config("used", S3).replace("\n}\n", &format!("\n  {lifecycle}\n}}\n"))
            )
        };
        s.apply(&body(""));
        // Deleting a configuration that a room still uses (here by a literal ARN, so Terraform
        // sees no dependency) is refused with an explanation, and it stays in state.
        let arn = s.values("ivschat_logging_configuration.test")["arn"]
            .as_str()
            .unwrap()
            .to_owned();
        s.write(&format!(
            "resource \"ivschat_room\" \"room\" {{\n  logging_configuration_identifiers = [\"{arn}\"]\n}}\n"
        ));
        let out = s.wd.try_apply();
        assert_error(&out, "still uses this logging configuration");
        assert!(
            s.wd.run(["state", "list"])
                .stdout
                .contains("ivschat_logging_configuration.test")
        );
        // With create_before_destroy, a replacement moves the room first.
        s.apply(&body("lifecycle {\n    create_before_destroy = true\n  }"));
        let old = s.values("ivschat_logging_configuration.test")["arn"].clone();
        s.wd.run([
            "apply",
            "-auto-approve",
            "-no-color",
            "-replace=ivschat_logging_configuration.test",
        ])
        .assert_success();
        s.wd.assert_no_changes();
        let new = s.values("ivschat_logging_configuration.test")["arn"].clone();
        assert_ne!(old, new);
        assert_eq!(
            s.values("ivschat_room.room")["logging_configuration_identifiers"],
            serde_json::json!([new])
        );
        assert_eq!(s.emulator.handle().logging_configurations().len(), 1);
        s.assert_emulator_matches_state();
    }
);

terraform_test!(the_account_quota_is_explained, |tf| {
    let s = settled_setup_default(tf);
    s.write(
        "resource \"ivschat_logging_configuration\" \"test\" {\n  count = 11\n  name = \"q${count.index}\"\n  destination_configuration {\n    s3 {\n      bucket_name = \"bucket-${count.index}\"\n    }\n  }\n}\n",
    );
    let out = s.wd.try_apply();
    assert_error(&out, "at most 10 logging configurations");
    assert_eq!(s.emulator.handle().logging_configurations().len(), 10);
    s.assert_emulator_matches_state();
});

// The three inputs of issue 14 that crashed the provider (a float-seconds overflow in the role
// duration and in the pacing interval, an `Instant + timeout` overflow in the wait) are
// attribute errors at validate time, with the rule and the range.
terraform_test!(
    out_of_range_durations_and_rates_are_attribute_errors_at_validate_time,
    |tf| {
        let s = Setup::new(tf);
        let resource = format!(
            "resource \"ivschat_logging_configuration\" \"test\" {{\n  name = \"x\"\n  destination_configuration {{\n    {S3}\n  }}\n  timeouts {{\n    create = \"TIMEOUT\"\n  }}\n}}\n"
        );
        let cases = [
            (
                "  assume_role {\n    role_arn = \"arn:aws:iam::123456789012:role/x\"\n    duration = \"99999999999999999999h\"\n  }\n",
                "10m",
                "from 15m to 12h",
            ),
            (
                "  rate_limits {\n    room = 1e-30\n  }\n",
                "10m",
                "from 0.01 to 10000",
            ),
            ("", "3000000000000000h", "from 1s to 24h"),
        ];
        for (provider_extra, timeout, rule) in cases {
            s.wd.write_config(&format!(
                "{}\n{}",
                s.emulator.provider_hcl(provider_extra),
                resource.replace("TIMEOUT", timeout)
            ));
            let out = s.wd.run(["validate", "-no-color"]);
            assert_error(&out, "Invalid Attribute Value");
            assert_error(&out, rule);
            assert_error(&out, "main.tf line");
            assert!(
                !out.stderr.contains("crash") && !out.stderr.contains("did not respond"),
                "{}",
                out.dump()
            );
        }
        s.assert_emulator_matches_state();
    }
);
