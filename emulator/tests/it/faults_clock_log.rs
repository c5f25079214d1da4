//! Lost answers on chosen operations, timestamp precision, clock skew (with the HTTP
//! `Date` header) and the request log.

use crate::common;

use common::*;
use ivschat_local::{AppliedFault, Config, Faults, LoseAnswer, TimestampPrecision};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

async fn post(endpoint: &str, op: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{endpoint}/{op}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn post_json(endpoint: &str, op: &str, body: Value) -> Value {
    let r = post(endpoint, op, body).await;
    assert!(r.status().is_success(), "{op}: {}", r.status());
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

fn lose(op: &str, count: u32, rate: f64) -> LoseAnswer {
    LoseAnswer {
        operation: op.to_owned(),
        count,
        rate,
    }
}

#[tokio::test]
async fn lost_answers_hit_only_the_chosen_operation_and_the_next_n_calls() {
    let (emu, c) = start(test_config()).await;
    let h = emu.handle();
    h.set_faults(Faults {
        lose_answers: vec![lose("CreateRoom", 1, 0.0)],
        ..Faults::default()
    });
    let err = c.create_room().name("lost").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            aws_sdk_ivschat::error::SdkError::DispatchFailure(_)
                | aws_sdk_ivschat::error::SdkError::ResponseError(_)
        ),
        "the answer was lost: {err:?}"
    );
    assert_eq!(h.rooms().len(), 1, "the lost create took effect");
    let lost_arn = h.rooms()[0].arn.clone();
    // Other operations, and the next CreateRoom, are answered.
    c.get_room().identifier(&lost_arn).send().await.unwrap();
    c.list_rooms().send().await.unwrap();
    let second = c.create_room().name("answered").send().await.unwrap();
    assert_eq!(h.rooms().len(), 2);
    assert_eq!(h.faults().lose_answers[0].count, 0, "the count is used up");

    // Rate 1 on DeleteRoom: every delete loses its answer but deletes.
    h.set_faults(Faults {
        lose_answers: vec![lose("DeleteRoom", 0, 1.0)],
        ..Faults::default()
    });
    for arn in [lost_arn.clone(), second.arn().unwrap().to_owned()] {
        assert!(c.delete_room().identifier(arn).send().await.is_err());
    }
    assert!(h.rooms().is_empty());

    // A failing call does not use up a count: the answer of an error is not lost.
    h.set_faults(Faults {
        lose_answers: vec![lose("GetRoom", 1, 0.0)],
        ..Faults::default()
    });
    let err = c.get_room().identifier(&lost_arn).send().await.unwrap_err();
    assert_eq!(code_status(&err).1, 404);
    assert_eq!(h.faults().lose_answers[0].count, 1);

    let log = h.requests_since(0);
    let creates: Vec<_> = log
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateRoom"))
        .collect();
    assert_eq!(creates.len(), 2);
    assert_eq!(creates[0].fault, Some(AppliedFault::AnswerLost));
    assert_eq!(creates[0].status, None);
    assert_eq!(creates[0].resource.as_deref(), Some("lost"));
    assert_eq!(creates[0].answer_arn.as_deref(), Some(lost_arn.as_str()));
    assert_eq!(creates[1].fault, None);
    assert_eq!(creates[1].status, Some(200));
    let last = log.last().unwrap();
    assert_eq!(last.operation.as_deref(), Some("GetRoom"));
    assert_eq!(last.resource.as_deref(), Some(lost_arn.as_str()));
    assert_eq!(last.status, Some(404));
    assert!(log.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    assert_eq!(h.last_request_seq(), last.seq);
    assert_eq!(h.requests_since(last.seq - 1), vec![last.clone()]);
}

#[tokio::test]
async fn the_request_log_names_faults_and_statuses() {
    let (emu, c) = start(test_config()).await;
    let h = emu.handle();
    let room = c.create_room().send().await.unwrap();
    let arn = room.arn().unwrap().to_owned();
    let start = h.last_request_seq();
    h.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let _ = c.get_room().identifier(&arn).send().await;
    h.set_faults(Faults {
        internal_error_rate: 1.0,
        ..Faults::default()
    });
    let _ = c.update_room().identifier(&arn).send().await;
    h.set_faults(Faults {
        reset_after_commit_rate: 1.0,
        ..Faults::default()
    });
    let _ = c
        .tag_resource()
        .resource_arn(&arn)
        .tags("k", "v")
        .send()
        .await;
    h.set_faults(Faults::default());
    c.list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let got: Vec<_> = h
        .requests_since(start)
        .into_iter()
        .map(|r| (r.operation.unwrap(), r.resource, r.fault, r.status))
        .collect();
    let a = Some(arn.clone());
    assert_eq!(
        got,
        vec![
            (
                "GetRoom".into(),
                a.clone(),
                Some(AppliedFault::Throttled),
                Some(429)
            ),
            (
                "UpdateRoom".into(),
                a.clone(),
                Some(AppliedFault::InternalError),
                Some(500)
            ),
            (
                "TagResource".into(),
                a.clone(),
                Some(AppliedFault::AnswerLost),
                None
            ),
            ("ListTagsForResource".into(), a.clone(), None, Some(200)),
        ]
    );
    // The same over HTTP.
    let body: Value = reqwest::get(format!(
        "{}/_emulator/requests?since={start}",
        emu.endpoint()
    ))
    .await
    .unwrap()
    .bytes()
    .await
    .map(|b| serde_json::from_slice::<Value>(&b).unwrap())
    .unwrap();
    let reqs = body["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[2]["operation"], "TagResource");
    assert_eq!(reqs[2]["fault"], "answerLost");
    assert_eq!(reqs[2]["status"], Value::Null);
    assert_eq!(reqs[0]["fault"], "throttled");
    assert_eq!(reqs[3]["resource"], arn.as_str());
}

#[tokio::test]
async fn lost_answers_are_set_over_the_admin_api() {
    let (emu, _c) = start(test_config()).await;
    let ep = emu.endpoint();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{ep}/_emulator/faults"))
        .header("content-type", "application/json")
        .body(json!({"loseAnswers": [{"operation": "CreateLoggingConfiguration", "count": 2}, {"operation": "UntagResource", "rate": 0.5}]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        emu.handle().faults().lose_answers,
        vec![
            lose("CreateLoggingConfiguration", 2, 0.0),
            lose("UntagResource", 0, 0.5)
        ]
    );
    let got: Value = http
        .get(format!("{ep}/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice::<Value>(&b).unwrap())
        .unwrap();
    assert_eq!(
        got["loseAnswers"][0]["operation"],
        "CreateLoggingConfiguration"
    );
    assert_eq!(got["loseAnswers"][0]["count"], 2);
    assert_eq!(got["loseAnswers"][1]["rate"], 0.5);
    let r = http
        .post(format!("{ep}/_emulator/faults"))
        .header("content-type", "application/json")
        .body(json!({"loseAnswers": [{"operation": "CreateRoom", "rate": 1.5}]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // The lost answer applies over the wire: the create happens, no answer comes.
    let sent = http
        .post(format!("{ep}/CreateLoggingConfiguration"))
        .body(json!({"destinationConfiguration": {"s3": {"bucketName": "my-bucket"}}}).to_string())
        .send()
        .await;
    assert!(sent.is_err(), "the answer was lost: {sent:?}");
    assert_eq!(emu.handle().logging_configurations().len(), 1);
}

fn millis_of(t: &str) -> &str {
    // 2026-01-02T03:04:05.678Z
    &t[20..23]
}

#[tokio::test]
async fn whole_second_timestamps_under_precision_s() {
    let (emu, c) = start(Config {
        timestamp_precision: TimestampPrecision::Seconds,
        logging_settle: Duration::ZERO,
        ..test_config()
    })
    .await;
    let ep = emu.endpoint();
    let mut seen = Vec::new();
    for i in 0..5 {
        let r = post_json(&ep, "CreateRoom", json!({"name": format!("r{i}")})).await;
        seen.push(r["createTime"].as_str().unwrap().to_owned());
        seen.push(r["updateTime"].as_str().unwrap().to_owned());
        let u = post_json(
            &ep,
            "UpdateRoom",
            json!({"identifier": r["arn"], "maximumMessageLength": 10}),
        )
        .await;
        seen.push(u["updateTime"].as_str().unwrap().to_owned());
        let g = post_json(&ep, "GetRoom", json!({"identifier": r["arn"]})).await;
        seen.push(g["updateTime"].as_str().unwrap().to_owned());
        tokio::time::sleep(Duration::from_millis(37)).await;
    }
    let l = post_json(
        &ep,
        "CreateLoggingConfiguration",
        json!({"destinationConfiguration": {"s3": {"bucketName": "my-bucket"}}}),
    )
    .await;
    seen.push(l["createTime"].as_str().unwrap().to_owned());
    let lu = post_json(
        &ep,
        "UpdateLoggingConfiguration",
        json!({"identifier": l["arn"], "name": "renamed"}),
    )
    .await;
    seen.push(lu["updateTime"].as_str().unwrap().to_owned());
    let list = post_json(&ep, "ListRooms", json!({})).await;
    for r in list["rooms"].as_array().unwrap() {
        seen.push(r["updateTime"].as_str().unwrap().to_owned());
    }
    for t in &seen {
        assert_eq!(millis_of(t), "000", "{t} is not whole seconds");
    }
    let sdk = c.list_rooms().send().await.unwrap();
    for r in sdk.rooms() {
        assert_eq!(r.update_time().unwrap().subsec_nanos(), 0);
    }
}

#[tokio::test]
async fn milliseconds_by_default() {
    let (emu, _c) = start(test_config()).await;
    let mut nonzero = 0;
    for _ in 0..10 {
        let r = post_json(&emu.endpoint(), "CreateRoom", json!({})).await;
        if millis_of(r["createTime"].as_str().unwrap()) != "000" {
            nonzero += 1;
        }
        tokio::time::sleep(Duration::from_millis(13)).await;
    }
    assert!(nonzero > 0, "ten creates all at whole seconds");
}

/// `Tue, 14 Nov 2023 22:13:20 GMT` to milliseconds since the epoch.
fn parse_http_date(d: &str) -> i64 {
    let f = time::format_description::parse_borrowed::<2>(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT",
    )
    .unwrap();
    let dt = time::PrimitiveDateTime::parse(d, &f)
        .unwrap_or_else(|e| panic!("{d:?} is not an RFC 7231 date: {e}"));
    i64::try_from(dt.assume_utc().unix_timestamp_nanos() / 1_000_000).unwrap()
}

fn parse_iso(t: &str) -> i64 {
    let dt =
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap();
    i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).unwrap()
}

async fn date_of(endpoint: &str, op: &str, body: Value) -> (i64, Value) {
    let r = post(endpoint, op, body).await;
    let dates: Vec<_> = r.headers().get_all("date").iter().collect();
    assert_eq!(dates.len(), 1, "one Date header: {dates:?}");
    let d = parse_http_date(dates[0].to_str().unwrap());
    let v = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(Value::Null);
    (d, v)
}

#[tokio::test]
async fn visible_at_is_by_the_machine_clock_under_skew() {
    let (emu, _c) = start(Config {
        clock_skew_ms: -3_600_000,
        consistency: ivschat_local::Consistency::Eventual {
            max_lag: Duration::from_millis(2000),
            draw: ivschat_local::LagDraw::Exact,
        },
        ..test_config()
    })
    .await;
    let before = now_ms();
    let room = post_json(&emu.endpoint(), "CreateRoom", json!({})).await;
    let at = emu
        .handle()
        .visible_at(room["arn"].as_str().unwrap())
        .expect("not visible yet");
    let at = i64::try_from(at.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
    assert!(
        (before + 2000..=now_ms() + 2000).contains(&at),
        "visible at {at}, created at {before}"
    );
}

#[tokio::test]
async fn clock_skew_moves_timestamps_tokens_and_the_date_header() {
    for skew in [0_i64, 3_600_000, -7_200_500] {
        let (emu, _c) = start(Config {
            clock_skew_ms: skew,
            ..test_config()
        })
        .await;
        let ep = emu.endpoint();
        let before = now_ms();
        let (date, room) = date_of(&ep, "CreateRoom", json!({})).await;
        let after = now_ms();
        let expect = |t: i64, slack: i64, what: &str| {
            assert!(
                t >= before + skew - slack && t <= after + skew + slack,
                "skew {skew}: {what} {t} not within [{}, {}]",
                before + skew,
                after + skew
            );
        };
        expect(date, 1000, "Date header");
        expect(
            parse_iso(room["createTime"].as_str().unwrap()),
            0,
            "createTime",
        );
        let (_, tok) = date_of(
            &ep,
            "CreateChatToken",
            json!({"roomIdentifier": room["arn"], "userId": "u"}),
        )
        .await;
        let expiry = parse_iso(tok["tokenExpirationTime"].as_str().unwrap());
        expect(expiry - 3_600_000, 1000, "token expiry - ttl");
        let h = emu.handle();
        let now = i64::try_from(h.now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
        expect(now, 1000, "Handle::now");
        // The token verifies by the emulator's clock.
        h.verify_chat_token(tok["token"].as_str().unwrap()).unwrap();
        // Error answers and the admin routes carry the skewed Date too.
        let (d404, _) = date_of(&ep, "GetRoom", json!({"identifier": "nope"})).await;
        expect(d404, 2000, "Date of an error");
        let r = reqwest::get(format!("{ep}/_emulator/health"))
            .await
            .unwrap();
        expect(
            parse_http_date(r.headers()["date"].to_str().unwrap()),
            2000,
            "Date of /_emulator/health",
        );
    }
}

fn spawn_cli(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .args(["--listen", "127.0.0.1:0", "--quotas", "off"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

#[tokio::test]
async fn cli_flags_lose_answers_skew_the_clock_and_round_timestamps() {
    let (mut child, ep) = spawn_cli(&[
        "--fault-lose-answer",
        "CreateRoom:1",
        "--fault-lose-answer",
        "DeleteRoom:p0",
        "--timestamp-precision",
        "s",
        "--clock-skew-ms",
        "-86400000",
    ]);
    let http = reqwest::Client::new();
    let lost = http
        .post(format!("{ep}/CreateRoom"))
        .body(r#"{"name":"a"}"#)
        .send()
        .await;
    let (date, answered) = date_of(&ep, "CreateRoom", json!({"name": "b"})).await;
    let faults: Value = http
        .get(format!("{ep}/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice::<Value>(&b).unwrap())
        .unwrap();
    let state: Value = http
        .get(format!("{ep}/_emulator/state"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice::<Value>(&b).unwrap())
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(lost.is_err(), "the first CreateRoom answer was lost");
    assert_eq!(state["rooms"].as_array().unwrap().len(), 2);
    assert_eq!(faults["loseAnswers"][0]["count"], 0);
    assert_eq!(faults["loseAnswers"][1]["operation"], "DeleteRoom");
    let t = answered["createTime"].as_str().unwrap();
    assert_eq!(millis_of(t), "000");
    let day = 86_400_000;
    assert!((parse_iso(t) - (now_ms() - day)).abs() < 5000, "{t}");
    assert!((date - (now_ms() - day)).abs() < 5000);
}

#[test]
fn cli_documents_and_checks_the_new_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--fault-lose-answer",
        "--timestamp-precision",
        "--clock-skew-ms",
    ] {
        assert!(help.contains(opt), "--help lacks {opt}");
    }
    for (arg, needle) in [
        (["--fault-lose-answer", "CreateRoom:x"], "count"),
        (["--fault-lose-answer", "CreateRoom:p2"], "from 0 to 1"),
        (["--timestamp-precision", "ns"], "s, ms"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ivschat-local"))
            .args(["--listen", "127.0.0.1:0"])
            .args(arg)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{arg:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{arg:?}: {err}");
        assert!(err.contains(needle), "{arg:?}: {err}");
    }
}
