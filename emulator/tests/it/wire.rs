//! Wire-level checks with a plain HTTP client: status codes, headers, bodies.

use crate::common;

use common::*;
use serde_json::{Value, json};

async fn post(base: &str, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn json_of(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

fn enc(arn: &str) -> String {
    arn.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn is_iso8601_utc(s: &str) -> bool {
    let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").unwrap();
    re.is_match(s)
}

#[tokio::test]
async fn status_codes_headers_and_bodies() {
    let (emu, _c) = start(test_config()).await;
    let base = emu.endpoint();

    let r = post(&base, "/CreateRoom", json!({"name": "wire"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(r.headers().contains_key("x-amzn-requestid"));
    let room = json_of(r).await;
    for k in [
        "arn",
        "id",
        "name",
        "createTime",
        "updateTime",
        "maximumMessageRatePerSecond",
        "maximumMessageLength",
        "tags",
        "loggingConfigurationIdentifiers",
    ] {
        assert!(room.get(k).is_some(), "missing {k} in {room}");
    }
    assert!(is_iso8601_utc(room["createTime"].as_str().unwrap()));
    let arn = room["arn"].as_str().unwrap().to_owned();

    // Summaries carry no maximum fields.
    let list = json_of(post(&base, "/ListRooms", json!({})).await).await;
    let summary = &list["rooms"][0];
    assert!(summary.get("maximumMessageLength").is_none());
    assert!(summary.get("maximumMessageRatePerSecond").is_none());
    assert!(list.get("nextToken").is_none());

    // Empty body reads as {}.
    let r = reqwest::Client::new()
        .post(format!("{base}/ListRooms"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Tag routes: ARN as one percent-encoded label; repeated tagKeys.
    let tags_url = format!("{base}/tags/{}", enc(&arn));
    let r = reqwest::Client::new()
        .post(&tags_url)
        .body(json!({"tags": {"a": "1", "b": "2", "c": "3"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await, json!({}));
    let r = reqwest::Client::new()
        .delete(format!("{tags_url}?tagKeys=a&tagKeys=b"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = reqwest::Client::new().get(&tags_url).send().await.unwrap();
    assert_eq!(json_of(r).await, json!({"tags": {"c": "3"}}));
    let r = reqwest::Client::new()
        .delete(&tags_url)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "tagKeys is required");

    // Validation error: header, reason, fieldList.
    let r = post(
        &base,
        "/CreateRoom",
        json!({"maximumMessageRatePerSecond": 101}),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["x-amzn-errortype"], "ValidationException");
    let body = json_of(r).await;
    assert_eq!(body["reason"], "FIELD_VALIDATION_FAILED");
    assert_eq!(body["fieldList"][0]["name"], "maximumMessageRatePerSecond");
    assert!(body["fieldList"][0]["message"].is_string());
    assert!(body["message"].is_string());

    // Destination union: exactly one member.
    let r = post(
        &base,
        "/CreateLoggingConfiguration",
        json!({"destinationConfiguration": {"s3": {"bucketName": "abc"}, "firehose": {"deliveryStreamName": "x"}}}),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        json_of(r).await["fieldList"][0]["name"],
        "destinationConfiguration"
    );
    let r = post(
        &base,
        "/CreateLoggingConfiguration",
        json!({"destinationConfiguration": {}}),
    )
    .await;
    assert_eq!(r.status(), 400);

    // Bad JSON and wrong types are ValidationExceptions.
    let r = reqwest::Client::new()
        .post(format!("{base}/CreateRoom"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["x-amzn-errortype"], "ValidationException");
    let r = post(&base, "/CreateRoom", json!({"maximumMessageLength": "ten"})).await;
    assert_eq!(r.status(), 400);

    // Not found: resourceId / resourceType.
    let missing = "arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA";
    let r = post(&base, "/GetRoom", json!({"identifier": missing})).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-amzn-errortype"], "ResourceNotFoundException");
    let body = json_of(r).await;
    assert_eq!(body["resourceId"], "AAAAAAAAAAAA");
    assert_eq!(body["resourceType"], "ROOM");

    // Unknown operations.
    for (method, path) in [
        ("POST", "/CreateChannel"),
        ("GET", "/CreateRoom"),
        ("PUT", "/tags/x"),
    ] {
        let r = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{method} {path}");
        assert_eq!(r.headers()["x-amzn-errortype"], "ValidationException");
        assert_eq!(json_of(r).await["reason"], "UNKNOWN_OPERATION");
    }

    // DeleteRoom: 204, empty body.
    let r = post(&base, "/DeleteRoom", json!({"identifier": arn})).await;
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());

    // DeleteLoggingConfiguration: 204, empty body.
    let lc = json_of(
        post(
            &base,
            "/CreateLoggingConfiguration",
            json!({"destinationConfiguration": {"s3": {"bucketName": "abc"}}}),
        )
        .await,
    )
    .await;
    assert_eq!(lc["state"], "ACTIVE");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let r = post(
        &base,
        "/DeleteLoggingConfiguration",
        json!({"identifier": lc["arn"]}),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn introspection_over_http() {
    let (emu, c) = start(test_config()).await;
    let base = emu.endpoint();
    let room = c.create_room().name("intro").send().await.unwrap();
    let tok = c
        .create_chat_token()
        .room_identifier(room.arn().unwrap())
        .user_id("u1")
        .send()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let state = json_of(
        http.get(format!("{base}/_emulator/state"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(state["rooms"][0]["name"], "intro");
    let r = http
        .post(format!("{base}/_emulator/verify-token"))
        .body(json!({"token": tok.token().unwrap()}).to_string())
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let v = json_of(r).await;
    assert_eq!(v["valid"], true);
    assert_eq!(v["claims"]["userId"], "u1");
    let r = http
        .post(format!("{base}/_emulator/verify-token"))
        .body(json!({"token": "forged"}).to_string())
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let events = json_of(
        http.get(format!("{base}/_emulator/events"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events["events"][0]["type"], "ChatTokenCreated");
    let ops = json_of(
        http.get(format!("{base}/_emulator/operations"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ops["operations"]["CreateRoom"], 1);

    // Faults over HTTP.
    let r = http
        .post(format!("{base}/_emulator/faults"))
        .header("content-type", "application/json")
        .body(json!({"throttleRate": 1.0}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = post(&base, "/ListRooms", json!({})).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-amzn-errortype"], "ThrottlingException");
    let body = json_of(r).await;
    assert_eq!(body["limit"], 5);
    http.post(format!("{base}/_emulator/faults"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();

    // Forced logging failure and state over HTTP.
    let r = http
        .post(format!("{base}/_emulator/logging-failures"))
        .header("content-type", "application/json")
        .body(json!({"operation": "create", "nameMatches": "bad.*"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let lc = json_of(
        post(
            &base,
            "/CreateLoggingConfiguration",
            json!({"name": "bad1", "destinationConfiguration": {"s3": {"bucketName": "abc"}}}),
        )
        .await,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let got = json_of(
        post(
            &base,
            "/GetLoggingConfiguration",
            json!({"identifier": lc["arn"]}),
        )
        .await,
    )
    .await;
    assert_eq!(got["state"], "CREATE_FAILED");
    let r = http
        .post(format!("{base}/_emulator/logging-state"))
        .header("content-type", "application/json")
        .body(json!({"arn": lc["arn"], "state": "ACTIVE"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let got = json_of(
        post(
            &base,
            "/GetLoggingConfiguration",
            json!({"identifier": lc["arn"]}),
        )
        .await,
    )
    .await;
    assert_eq!(got["state"], "ACTIVE");

    let r = http
        .post(format!("{base}/_emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(emu.handle().rooms().is_empty());
}
