//! The client against a scripted HTTP connector, on a paused clock: retry classification,
//! backoff, pacing, and the leak-safe create protocol.

use std::sync::Mutex;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_ivschat::config::retry::RetryConfig;
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, SharedHttpConnector, http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_types::region::Region;
use tokio::time::Instant;

use super::*;
use crate::provider::config::RateLimits;

/// The leak-safe creates of the two resource types, called as before they moved next to
/// their types.
trait Creates {
    async fn create_room<F>(
        &self,
        input: F,
    ) -> Result<aws_sdk_ivschat::operation::create_room::CreateRoomOutput, ApiError>
    where
        F: Fn(
                aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder,
            )
                -> aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder
            + Sync;

    async fn create_logging_configuration<F>(
        &self,
        input: F,
    ) -> Result<
        aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationOutput,
        ApiError,
    >
    where
        F: Fn(
                aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder,
            ) -> aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder
            + Sync;
}

impl Creates for IvsChat {
    async fn create_room<F>(
        &self,
        input: F,
    ) -> Result<aws_sdk_ivschat::operation::create_room::CreateRoomOutput, ApiError>
    where
        F: Fn(
                aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder,
            )
                -> aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder
            + Sync,
    {
        crate::resources::room::create_room(self, input)
            .await
            .map_err(|e| e.error)
    }

    async fn create_logging_configuration<F>(
        &self,
        input: F,
    ) -> Result<
        aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationOutput,
        ApiError,
    >
    where
        F: Fn(
                aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder,
            ) -> aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder
            + Sync,
    {
        crate::resources::logging_configuration::create_logging_configuration(self, input)
            .await
            .map_err(|e| e.error)
    }
}

#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    uri: String,
    body: String,
    at: Instant,
}

impl Recorded {
    fn operation(&self) -> String {
        if self.uri.contains("/tags/") {
            let op = if self.method == "DELETE" {
                "UntagResource"
            } else {
                "TagResource"
            };
            return op.to_owned();
        }
        self.uri
            .rsplit('/')
            .next()
            .unwrap_or("")
            .split('?')
            .next()
            .unwrap_or("")
            .to_owned()
    }
}

enum Outcome {
    Json(u16, Option<&'static str>, String),
    Io,
    Timeout,
    /// hyper's "connection closed before message completed": no I/O error of its own.
    Closed,
}

fn ok(body: impl Into<String>) -> Outcome {
    Outcome::Json(200, None, body.into())
}

fn aws_error(status: u16, code: &'static str, message: &str) -> Outcome {
    Outcome::Json(status, Some(code), format!("{{\"message\":\"{message}\"}}"))
}

type Handler = dyn Fn(&Recorded, &[Recorded]) -> Outcome + Send + Sync;

struct Scripted {
    handler: Box<Handler>,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl fmt::Debug for Scripted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scripted")
    }
}

impl HttpConnector for Scripted {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let rec = Recorded {
            method: request.method().to_owned(),
            uri: request.uri().to_owned(),
            body: String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned(),
            at: Instant::now(),
        };
        let mut log = self.log.lock().unwrap();
        let outcome = (self.handler)(&rec, &log);
        log.push(rec);
        drop(log);
        HttpConnectorFuture::ready(match outcome {
            Outcome::Json(status, code, body) => {
                let mut resp =
                    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
                resp.headers_mut()
                    .insert("content-type", "application/json");
                if let Some(c) = code {
                    resp.headers_mut().insert("x-amzn-errortype", c);
                }
                Ok(resp)
            }
            Outcome::Io => Err(ConnectorError::io("connection reset by peer".into())),
            Outcome::Timeout => Err(ConnectorError::timeout("read timed out".into())),
            Outcome::Closed => Err(ConnectorError::other(
                "connection closed before message completed".into(),
                Some(aws_smithy_types::retry::ErrorKind::TransientError),
            )),
        })
    }
}

struct Harness {
    client: IvsChat,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl Harness {
    fn new(
        retry: RetryPolicy,
        handler: impl Fn(&Recorded, &[Recorded]) -> Outcome + Send + Sync + 'static,
    ) -> Harness {
        let credentials = aws_credential_types::provider::SharedCredentialsProvider::new(
            Credentials::new("AKIDTEST", "secret", None, None, "test"),
        );
        Harness::with_credentials(retry, credentials, handler)
    }

    fn with_credentials(
        retry: RetryPolicy,
        credentials: aws_credential_types::provider::SharedCredentialsProvider,
        handler: impl Fn(&Recorded, &[Recorded]) -> Outcome + Send + Sync + 'static,
    ) -> Harness {
        let log = Arc::new(Mutex::new(Vec::new()));
        let conn = SharedHttpConnector::new(Scripted {
            handler: Box::new(handler),
            log: log.clone(),
        });
        let conf = aws_sdk_ivschat::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(credentials)
            .retry_config(RetryConfig::disabled())
            .endpoint_url("http://127.0.0.1:1")
            .http_client(http_client_fn(move |_, _| conn.clone()))
            .build();
        let sdk = aws_sdk_ivschat::Client::from_conf(conf);
        let pacer = Arc::new(Pacer::new(RateLimits::default()));
        Harness {
            client: IvsChat::new(sdk, "us-east-1".into(), pacer, retry),
            log,
        }
    }

    fn calls(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    fn count(&self, op: &str) -> usize {
        self.calls().iter().filter(|r| r.operation() == op).count()
    }
}

fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        ..RetryPolicy::default()
    }
}

const ROOM_ARN: &str = "arn:aws:ivschat:us-east-1:123456789012:room/abcdefghijkl";

fn room_json(tags: &str) -> String {
    format!(
        "{{\"arn\":\"{ROOM_ARN}\",\"id\":\"abcdefghijkl\",\"name\":\"lobby\",\"maximumMessageLength\":500,\
         \"maximumMessageRatePerSecond\":10,\"tags\":{tags},\"loggingConfigurationIdentifiers\":[]}}"
    )
}

async fn get_room(
    h: &Harness,
) -> Result<aws_sdk_ivschat::operation::get_room::GetRoomOutput, ApiError> {
    h.client
        .call(Operation::GetRoom, |c| {
            c.get_room().identifier(ROOM_ARN).send()
        })
        .await
}

#[tokio::test(start_paused = true)]
async fn throttling_5xx_and_connection_errors_are_retried_with_backoff() {
    let h = Harness::new(policy(5), |_, prior| match prior.len() {
        0 => aws_error(429, "ThrottlingException", "Rate exceeded"),
        1 => aws_error(500, "InternalServerException", "oops"),
        2 => Outcome::Io,
        3 => Outcome::Timeout,
        _ => ok(room_json("{}")),
    });
    let t0 = Instant::now();
    let out = get_room(&h).await.unwrap();
    assert_eq!(out.arn(), Some(ROOM_ARN));
    let calls = h.calls();
    assert_eq!(calls.len(), 5);
    // Backoffs are within [ceiling/2, ceiling] of 250 ms doubling, and pacing never lets two
    // GetRoom calls closer than 200 ms.
    let p = RetryPolicy::default();
    for (i, w) in calls.windows(2).enumerate() {
        let gap = w[1].at - w[0].at;
        let ceiling = p.ceiling(u32::try_from(i).unwrap());
        assert!(
            gap >= (ceiling / 2).max(Duration::from_millis(200)),
            "gap {i}: {gap:?}"
        );
        assert!(
            gap <= ceiling.max(Duration::from_millis(200)) + Duration::from_millis(1),
            "gap {i}: {gap:?}"
        );
    }
    assert!(Instant::now() - t0 < Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn errors_that_cannot_heal_surface_after_one_attempt() {
    for (status, code, kind) in [
        (400, "ValidationException", ErrorKind::Validation),
        (403, "AccessDeniedException", ErrorKind::AccessDenied),
        (403, "PendingVerification", ErrorKind::AccessDenied),
        (404, "ResourceNotFoundException", ErrorKind::NotFound),
        (409, "ConflictException", ErrorKind::Conflict),
        (
            402,
            "ServiceQuotaExceededException",
            ErrorKind::QuotaExceeded,
        ),
    ] {
        let h = Harness::new(policy(25), move |_, _| aws_error(status, code, "nope"));
        let t0 = Instant::now();
        let err = get_room(&h).await.unwrap_err();
        assert_eq!(err.kind, kind, "{code}");
        assert_eq!(err.code.as_deref(), Some(code));
        assert_eq!(err.status, Some(status));
        assert_eq!(err.attempts, 1);
        assert_eq!(h.calls().len(), 1, "{code} was retried");
        assert!(Instant::now() - t0 < Duration::from_secs(1));
        assert_eq!(err.is_not_found(), kind == ErrorKind::NotFound);
    }
}

#[tokio::test(start_paused = true)]
async fn max_retries_is_honoured() {
    let h = Harness::new(policy(3), |_, _| {
        aws_error(503, "ServiceUnavailable", "later")
    });
    let err = get_room(&h).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert_eq!(err.attempts, 4);
    assert_eq!(h.calls().len(), 4);
    let h = Harness::new(policy(0), |_, _| Outcome::Io);
    let err = get_room(&h).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transport);
    assert_eq!(h.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_call_that_may_have_been_carried_out_says_so_whatever_its_last_attempt() {
    // The first answer is lost (the write may have happened), the retries are throttled: the
    // error must still say the outcome is open, so that the resource reads before it records.
    let h = Harness::new(policy(2), |_, prior| match prior.len() {
        0 => Outcome::Closed,
        _ => aws_error(429, "ThrottlingException", "Rate exceeded"),
    });
    let err = get_room(&h).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Throttling);
    assert_eq!(h.calls().len(), 3);
    assert!(err.ambiguous, "an earlier attempt's outcome is unknown");
    // Throttled throughout: nothing was carried out.
    let h = Harness::new(policy(2), |_, _| {
        aws_error(429, "ThrottlingException", "Rate exceeded")
    });
    assert!(!get_room(&h).await.unwrap_err().ambiguous);
}

#[tokio::test(start_paused = true)]
async fn diagnostics_name_operation_object_code_message_and_advice() {
    let h = Harness::new(policy(2), |_, _| {
        aws_error(
            400,
            "ValidationException",
            "maximumMessageLength must be <= 500",
        )
    });
    let err = h
        .client
        .create_room(|b| b.name("lobby").maximum_message_length(900))
        .await
        .unwrap_err();
    let d = err.diagnostic("room \"lobby\"");
    assert_eq!(d.summary, "Cannot create room \"lobby\"");
    for needle in [
        "CreateRoom",
        "ValidationException",
        "maximumMessageLength must be <= 500",
        "HTTP 400",
        "configuration",
    ] {
        assert!(
            d.detail.contains(needle),
            "{needle} missing from {}",
            d.detail
        );
    }
    let h = Harness::new(policy(2), |_, _| {
        aws_error(429, "ThrottlingException", "Rate exceeded")
    });
    let d = get_room(&h).await.unwrap_err().diagnostic("room \"x\"");
    assert!(d.summary.starts_with("Cannot read room"));
    assert!(
        d.detail.contains("after 3 attempts") && d.detail.contains("rate_limits"),
        "{}",
        d.detail
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_calls_are_paced_per_operation() {
    let h = Arc::new(Harness::new(policy(0), |rec, _| {
        match rec.operation().as_str() {
            "GetRoom" => ok(room_json("{}")),
            _ => ok("{\"rooms\":[]}"),
        }
    }));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                get_room(&h).await.map(|_| ())
            } else {
                h.client
                    .call(Operation::ListRooms, |c| c.list_rooms().send())
                    .await
                    .map(|_| ())
            }
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    for op in ["GetRoom", "ListRooms"] {
        let times: Vec<Instant> = h
            .calls()
            .iter()
            .filter(|r| r.operation() == op)
            .map(|r| r.at)
            .collect();
        assert_eq!(times.len(), 10);
        for w in times.windows(2) {
            assert!(
                w[1] - w[0] >= Duration::from_millis(200),
                "{op} calls {:?} apart",
                w[1] - w[0]
            );
        }
        // Ten calls at 5 TPS take 1.8 s, not more.
        assert!(times[9] - times[0] <= Duration::from_millis(1801));
    }
}

fn marker_in(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("tags")?
        .get(MARKER_TAG_KEY)?
        .as_str()
        .map(str::to_owned)
}

#[tokio::test(start_paused = true)]
async fn a_create_that_succeeded_before_the_connection_dropped_is_adopted() {
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        // The server made the room, then the connection dropped.
        "CreateRoom" => Outcome::Io,
        "ListRooms" => {
            let token = prior
                .iter()
                .find(|r| r.operation() == "CreateRoom")
                .and_then(|r| marker_in(&r.body))
                .unwrap();
            assert!(
                rec.body.contains("\"name\":\"lobby\""),
                "ListRooms filters by name: {}",
                rec.body
            );
            ok(format!(
                "{{\"rooms\":[{{\"arn\":\"arn:aws:ivschat:us-east-1:123456789012:room/otherroom123\",\"tags\":{{}}}},\
                 {{\"arn\":\"{ROOM_ARN}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{token}\",\"env\":\"dev\"}}}}]}}"
            ))
        }
        "GetRoom" => {
            assert!(rec.body.contains(ROOM_ARN));
            ok(room_json("{\"env\":\"dev\"}"))
        }
        "TagResource" | "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let out = h
        .client
        .create_room(|b| b.name("lobby").tags("env", "dev"))
        .await
        .unwrap();
    assert_eq!(out.arn(), Some(ROOM_ARN));
    assert_eq!(out.maximum_message_length(), Some(500));
    assert_eq!(h.count("CreateRoom"), 1, "no second room");
    assert_eq!(
        h.count("ListRooms"),
        1,
        "the lookup's list also names any duplicate"
    );
    // The marker went out with the user's tags.
    let create = h
        .calls()
        .into_iter()
        .find(|r| r.operation() == "CreateRoom")
        .unwrap();
    assert!(marker_in(&create.body).is_some_and(|t| t.len() == 32));
    assert!(create.body.contains("\"env\":\"dev\""));
}

#[tokio::test(start_paused = true)]
async fn a_create_that_did_not_happen_is_retried_once_checked() {
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" if prior.iter().all(|r| r.operation() != "CreateRoom") => {
            aws_error(500, "InternalServerException", "boom")
        }
        "CreateRoom" => {
            // The retry carries the same token.
            let first = prior
                .iter()
                .find(|r| r.operation() == "CreateRoom")
                .and_then(|r| marker_in(&r.body));
            assert_eq!(first, marker_in(&rec.body));
            ok(room_json("{}"))
        }
        "ListRooms" => ok("{\"rooms\":[]}"),
        "TagResource" | "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let out = h.client.create_room(|b| b.name("lobby")).await.unwrap();
    assert_eq!(out.arn(), Some(ROOM_ARN));
    assert_eq!(h.count("CreateRoom"), 2);
    assert_eq!(h.count("DeleteRoom"), 0);
    // Retried only once a listing requested after reads must show the room showed none.
    assert_retried_after_the_lag(&h.calls(), DEFAULT_READ_LAG);
}

/// The calls show every retried create sent only after a ListRooms requested at least `lag`
/// after the previous create failed, and no listing after the last create.
fn assert_retried_after_the_lag(calls: &[Recorded], lag: Duration) {
    let creates: Vec<&Recorded> = calls
        .iter()
        .filter(|r| r.operation() == "CreateRoom")
        .collect();
    for pair in creates.windows(2) {
        let last_look = calls
            .iter()
            .filter(|r| r.operation() == "ListRooms" && r.at >= pair[0].at && r.at <= pair[1].at)
            .map(|r| r.at)
            .max()
            .expect("a lookup between two creates");
        assert!(
            last_look - pair[0].at >= lag,
            "looked {:?} after the failed create",
            last_look - pair[0].at
        );
    }
    let last = creates.last().expect("a create").at;
    assert!(
        !calls
            .iter()
            .any(|r| r.operation() == "ListRooms" && r.at > last),
        "no duplicate check is needed once every earlier attempt was shown to have made nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttled_create_is_retried_without_a_lookup() {
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" if prior.is_empty() => aws_error(429, "ThrottlingException", "Rate exceeded"),
        "CreateRoom" => ok(room_json("{}")),
        "TagResource" | "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    h.client.create_room(|b| b.name("lobby")).await.unwrap();
    assert_eq!(h.count("CreateRoom"), 2);
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_fate_cannot_be_checked_fails_with_advice() {
    let h = Harness::new(policy(1), |rec, _| match rec.operation().as_str() {
        "CreateRoom" => Outcome::Timeout,
        _ => aws_error(403, "AccessDeniedException", "no ListRooms for you"),
    });
    let err = h.client.create_room(|b| b.name("lobby")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(
        err.message.contains(MARKER_TAG_KEY) && err.message.contains("ListRooms"),
        "{}",
        err.message
    );
    assert_eq!(h.count("CreateRoom"), 1, "never retried blind");
}

fn tags_in(body: &str) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("tags")?.as_object().cloned())
        .unwrap_or_default()
}

fn fifty_tags(b: CreateRoomFluentBuilder) -> CreateRoomFluentBuilder {
    (0..50).fold(b.name("full"), |b, i| b.tags(format!("k{i:02}"), "v"))
}

type CreateRoomFluentBuilder =
    aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder;

#[tokio::test(start_paused = true)]
async fn the_marker_is_removed_once_the_create_is_confirmed() {
    let h = Harness::new(policy(1), |rec, _| match rec.operation().as_str() {
        "CreateRoom" => ok(room_json("{\"env\":\"dev\"}")),
        "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let out = h
        .client
        .create_room(|b| b.name("lobby").tags("env", "dev"))
        .await
        .unwrap();
    let ops: Vec<String> = h.calls().iter().map(Recorded::operation).collect();
    assert_eq!(ops, ["CreateRoom", "UntagResource"]);
    let untag = &h.calls()[1];
    assert!(
        untag.uri.contains("room%2Fabcdefghijkl")
            && untag
                .uri
                .contains("tagKeys=terraform-provider-ivschat%3Acreate-token"),
        "{}",
        untag.uri
    );
    assert_eq!(
        out.tags().cloned(),
        Some([("env".to_owned(), "dev".to_owned())].into()),
        "the output shows what the room carries now"
    );
}

#[tokio::test(start_paused = true)]
async fn fifty_user_tags_go_out_as_the_marker_and_49_then_the_last_after_the_marker_left() {
    let h = Harness::new(policy(1), |rec, _| match rec.operation().as_str() {
        "CreateRoom" => ok(room_json("{}")),
        "UntagResource" | "TagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let out = h.client.create_room(fifty_tags).await.unwrap();
    let calls = h.calls();
    let ops: Vec<String> = calls.iter().map(Recorded::operation).collect();
    assert_eq!(ops, ["CreateRoom", "UntagResource", "TagResource"]);
    let sent = tags_in(&calls[0].body);
    assert_eq!(sent.len(), 50, "never more than 50 tags");
    assert!(marker_in(&calls[0].body).is_some(), "the marker went out");
    assert!(!sent.contains_key("k49"), "one user tag is held back");
    assert_eq!(
        tags_in(&calls[2].body),
        serde_json::Map::from_iter([("k49".to_owned(), serde_json::json!("v"))])
    );
    assert_eq!(out.tags().map(std::collections::HashMap::len), Some(50));
}

#[tokio::test(start_paused = true)]
async fn a_fifty_tag_create_whose_answer_was_lost_is_adopted_not_made_twice() {
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" => Outcome::Io,
        "ListRooms" => {
            let token = prior.iter().find_map(|r| marker_in(&r.body)).unwrap();
            ok(format!(
                "{{\"rooms\":[{{\"arn\":\"{ROOM_ARN}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{token}\"}}}}]}}"
            ))
        }
        "GetRoom" => ok(room_json("{}")),
        "UntagResource" | "TagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    h.client.create_room(fifty_tags).await.unwrap();
    assert_eq!(h.count("CreateRoom"), 1, "no second room");
    assert_eq!(h.count("DeleteRoom"), 0);
    assert_eq!(h.count("UntagResource"), 1);
    assert_eq!(h.count("TagResource"), 1);
}

#[tokio::test(start_paused = true)]
async fn adoption_keeps_one_object_and_deletes_every_other_carrying_the_marker() {
    const OTHER: &str = "arn:aws:ivschat:us-east-1:123456789012:room/otherotherot";
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" => Outcome::Timeout,
        "ListRooms" => {
            let t = prior.iter().find_map(|r| marker_in(&r.body)).unwrap();
            // The list still shows the one deleted already: a second lookup sees both too.
            ok(format!(
                "{{\"rooms\":[{{\"arn\":\"{ROOM_ARN}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{t}\"}}}},\
                 {{\"arn\":\"{OTHER}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{t}\"}}}}]}}"
            ))
        }
        "GetRoom" => ok(room_json("{}")),
        "DeleteRoom" => Outcome::Json(204, None, String::new()),
        "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let out = h.client.create_room(|b| b.name("lobby")).await.unwrap();
    assert_eq!(out.arn(), Some(ROOM_ARN));
    let deletes: Vec<Recorded> = h
        .calls()
        .into_iter()
        .filter(|r| r.operation() == "DeleteRoom")
        .collect();
    assert_eq!(deletes.len(), 1);
    assert!(deletes[0].body.contains(OTHER), "{}", deletes[0].body);
    assert_eq!(h.count("CreateRoom"), 1);
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_that_cannot_be_deleted_fails_the_create_but_keeps_the_object() {
    const OTHER: &str = "arn:aws:ivschat:us-east-1:123456789012:room/otherotherot";
    let h = Harness::new(policy(0), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" => Outcome::Io,
        "ListRooms" => {
            let t = prior.iter().find_map(|r| marker_in(&r.body)).unwrap();
            ok(format!(
                "{{\"rooms\":[{{\"arn\":\"{ROOM_ARN}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{t}\"}}}},\
                 {{\"arn\":\"{OTHER}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{t}\"}}}}]}}"
            ))
        }
        "GetRoom" => ok(room_json("{}")),
        "DeleteRoom" => aws_error(403, "AccessDeniedException", "no"),
        other => panic!("unexpected {other}"),
    });
    let err = crate::resources::room::create_room(&h.client, |b| b.name("lobby"))
        .await
        .unwrap_err();
    assert_eq!(
        err.created.as_ref().and_then(|c| c.arn()),
        Some(ROOM_ARN),
        "the adopted room is kept, so it is not lost"
    );
    assert!(err.error.message.contains(OTHER), "{}", err.error.message);
}

#[tokio::test(start_paused = true)]
async fn a_marker_that_cannot_be_removed_fails_the_create_but_keeps_the_object() {
    let h = Harness::new(policy(0), |rec, _| match rec.operation().as_str() {
        "CreateRoom" => ok(room_json("{}")),
        "UntagResource" => aws_error(403, "AccessDeniedException", "no untag"),
        other => panic!("unexpected {other}"),
    });
    let err = crate::resources::room::create_room(&h.client, |b| b.name("lobby"))
        .await
        .unwrap_err();
    assert_eq!(err.created.as_ref().and_then(|c| c.arn()), Some(ROOM_ARN));
    assert_eq!(err.error.kind, ErrorKind::AccessDenied);
    assert!(
        err.error.message.contains("create_markers = false"),
        "{}",
        err.error.message
    );
}

#[tokio::test(start_paused = true)]
async fn a_stop_during_the_backoff_still_looks_the_object_up_and_adopts_it() {
    let token = CancellationToken::new();
    let stop = token.clone();
    let h = Harness::new(policy(5), move |rec, prior| {
        match rec.operation().as_str() {
            "CreateRoom" => {
                // Terraform is stopped while the provider waits to look.
                stop.cancel();
                Outcome::Io
            }
            "ListRooms" => {
                let t = prior.iter().find_map(|r| marker_in(&r.body)).unwrap();
                ok(format!(
                    "{{\"rooms\":[{{\"arn\":\"{ROOM_ARN}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{t}\"}}}}]}}"
                ))
            }
            "GetRoom" => ok(room_json("{}")),
            "UntagResource" => ok("{}"),
            other => panic!("unexpected {other}"),
        }
    });
    let t0 = Instant::now();
    let out = h
        .client
        .with_cancel(&token)
        .create_room(|b| b.name("lobby"))
        .await
        .unwrap();
    assert_eq!(out.arn(), Some(ROOM_ARN));
    assert_eq!(h.count("CreateRoom"), 1);
    assert_eq!(h.count("UntagResource"), 1, "no marker left behind");
    assert!(Instant::now() - t0 <= AFTER_STOP_BOUND);
}

#[tokio::test(start_paused = true)]
async fn a_stop_with_nothing_found_says_how_to_find_the_object() {
    let token = CancellationToken::new();
    let stop = token.clone();
    let h = Harness::new(policy(5), move |rec, _| match rec.operation().as_str() {
        "CreateRoom" => {
            stop.cancel();
            Outcome::Closed
        }
        "ListRooms" => ok("{\"rooms\":[]}"),
        other => panic!("unexpected {other}"),
    });
    let err = h
        .client
        .with_cancel(&token)
        .create_room(|b| b.name("lobby"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert_eq!(h.count("ListRooms"), 1, "looked once, bounded");
    assert_eq!(h.count("CreateRoom"), 1, "never retried once stopped");
    let create = h.calls().into_iter().next().unwrap();
    let marker = marker_in(&create.body).unwrap();
    for needle in [
        marker.as_str(),
        MARKER_TAG_KEY,
        "aws ivschat list-rooms --name lobby",
    ] {
        assert!(err.message.contains(needle), "{needle}: {}", err.message);
    }
}

#[tokio::test(start_paused = true)]
async fn a_stop_whose_lookup_hangs_ends_within_the_bound() {
    let token = CancellationToken::new();
    let stop = token.clone();
    let h = Harness::new(policy(25), move |rec, _| match rec.operation().as_str() {
        "CreateRoom" => {
            stop.cancel();
            Outcome::Io
        }
        _ => aws_error(503, "ServiceUnavailable", "later"),
    });
    let t0 = Instant::now();
    let err = h
        .client
        .with_cancel(&token)
        .create_room(|b| b.name("lobby"))
        .await
        .unwrap_err();
    assert!(Instant::now() - t0 <= AFTER_STOP_BOUND + Duration::from_secs(1));
    assert!(
        err.message.contains("could not be checked") && err.message.contains("list-rooms"),
        "{}",
        err.message
    );
    assert_eq!(h.count("CreateRoom"), 1);
}

fn without_markers(h: Harness) -> Harness {
    Harness {
        client: h.client.with_create_markers(false),
        log: h.log,
    }
}

#[tokio::test(start_paused = true)]
async fn without_markers_an_ambiguous_create_is_not_retried_and_says_how_to_find_it() {
    let h = without_markers(Harness::new(policy(5), |rec, _| {
        match rec.operation().as_str() {
            "CreateRoom" => aws_error(500, "InternalServerException", "boom"),
            other => panic!("unexpected {other}"),
        }
    }));
    let err = h
        .client
        .create_room(|b| b.name("lobby").tags("env", "dev"))
        .await
        .unwrap_err();
    assert_eq!(h.calls().len(), 1, "no retry, no lookup, no tag call");
    assert!(marker_in(&h.calls()[0].body).is_none());
    for needle in ["outcome is unknown", "aws ivschat list-rooms --name lobby"] {
        assert!(err.message.contains(needle), "{needle}: {}", err.message);
    }
    // Throttling happens before anything is done: still retried.
    let h = without_markers(Harness::new(policy(5), |_, prior| match prior.len() {
        0 => aws_error(429, "ThrottlingException", "Rate exceeded"),
        _ => ok(room_json("{}")),
    }));
    h.client.create_room(|b| b.name("lobby")).await.unwrap();
    assert_eq!(h.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn actions_are_not_repeated_after_an_ambiguous_failure() {
    let send = |h: &Harness| {
        let c = h.client.clone();
        async move {
            c.call_at_most_once(Operation::SendEvent, |c| {
                c.send_event()
                    .room_identifier(ROOM_ARN)
                    .event_name("reload")
                    .send()
            })
            .await
        }
    };
    for outcome in [
        || aws_error(500, "InternalServerException", "boom"),
        || Outcome::Io,
        || Outcome::Timeout,
        || Outcome::Closed,
    ] {
        let h = Harness::new(policy(5), move |_, _| outcome());
        let err = send(&h).await.unwrap_err();
        assert_eq!(h.calls().len(), 1, "{err}");
        assert!(err.ambiguous);
        assert!(
            err.message.contains("outcome is unknown"),
            "{}",
            err.message
        );
        let d = crate::actions::failed(&err, "room x");
        assert!(
            d.detail.contains("not retried") && !d.detail.contains("across retries"),
            "{}",
            d.detail
        );
    }
    // Throttled: nothing was done, so it is sent again.
    let h = Harness::new(policy(5), |_, prior| match prior.len() {
        0 => aws_error(429, "ThrottlingException", "Rate exceeded"),
        _ => ok("{\"id\":\"abc\"}"),
    });
    send(&h).await.unwrap();
    assert_eq!(h.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn logging_configuration_creates_are_leak_safe_too() {
    let arn = "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abcdefghijkl";
    let h = Harness::new(policy(5), move |rec, prior| {
        match rec.operation().as_str() {
            "CreateLoggingConfiguration" => {
                aws_error(502, "InternalServerException", "bad gateway")
            }
            "ListLoggingConfigurations" => {
                let token = prior.iter().find_map(|r| marker_in(&r.body)).unwrap();
                ok(format!(
                    "{{\"loggingConfigurations\":[{{\"arn\":\"{arn}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{token}\"}}}}]}}"
                ))
            }
            "GetLoggingConfiguration" => ok(format!(
                "{{\"arn\":\"{arn}\",\"id\":\"abcdefghijkl\",\"name\":\"logs\",\"state\":\"ACTIVE\",\
             \"destinationConfiguration\":{{\"s3\":{{\"bucketName\":\"b-1\"}}}},\"tags\":{{}}}}"
            )),
            "TagResource" | "UntagResource" => ok("{}"),
            other => panic!("unexpected {other}"),
        }
    });
    let out = h
        .client
        .create_logging_configuration(|b| {
            b.name("logs").destination_configuration(
                aws_sdk_ivschat::types::DestinationConfiguration::S3(
                    aws_sdk_ivschat::types::S3DestinationConfiguration::builder()
                        .bucket_name("b-1")
                        .build()
                        .unwrap(),
                ),
            )
        })
        .await
        .unwrap();
    assert_eq!(out.arn(), Some(arn));
    assert_eq!(out.state().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(h.count("CreateLoggingConfiguration"), 1);
}

#[tokio::test(start_paused = true)]
async fn cancellation_interrupts_backoff() {
    let h = Harness::new(policy(25), |_, _| {
        aws_error(429, "ThrottlingException", "Rate exceeded")
    });
    let token = CancellationToken::new();
    let client = h.client.with_cancel(&token);
    let t = tokio::spawn(async move {
        client
            .call(Operation::GetRoom, |c| {
                c.get_room().identifier(ROOM_ARN).send()
            })
            .await
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    token.cancel();
    let err = t.await.unwrap().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
}

#[test]
fn classification_of_codes_and_statuses() {
    assert_eq!(
        classify_code(Some("ThrottlingException"), 400),
        ErrorKind::Throttling
    );
    assert_eq!(
        classify_code(Some("TooManyRequestsException"), 400),
        ErrorKind::Throttling
    );
    assert_eq!(
        classify_code(Some("UnrecognizedClientException"), 403),
        ErrorKind::AccessDenied
    );
    assert_eq!(
        classify_code(Some("ExpiredTokenException"), 400),
        ErrorKind::AccessDenied
    );
    assert_eq!(classify_code(None, 503), ErrorKind::Internal);
    assert_eq!(classify_code(None, 429), ErrorKind::Throttling);
    assert_eq!(classify_code(Some("Weird"), 418), ErrorKind::Other);
    for k in [
        ErrorKind::Throttling,
        ErrorKind::Internal,
        ErrorKind::Transport,
        ErrorKind::Timeout,
    ] {
        assert!(k.is_retryable());
    }
    for k in [
        ErrorKind::NotFound,
        ErrorKind::Validation,
        ErrorKind::AccessDenied,
        ErrorKind::Conflict,
        ErrorKind::QuotaExceeded,
        ErrorKind::Cancelled,
        ErrorKind::Other,
    ] {
        assert!(!k.is_retryable());
    }
}

#[test]
fn backoff_grows_with_full_jitter_and_a_cap() {
    let p = RetryPolicy::default();
    assert_eq!(p.ceiling(0), Duration::from_millis(250));
    assert_eq!(p.ceiling(3), Duration::from_secs(2));
    assert_eq!(p.ceiling(30), Duration::from_secs(20));
    for retry in 0..10 {
        for _ in 0..50 {
            let b = p.backoff(retry);
            assert!(b >= p.ceiling(retry) / 2 && b <= p.ceiling(retry));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_connection_closed_mid_create_is_ambiguous_and_checked() {
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" if prior.is_empty() => Outcome::Closed,
        "CreateRoom" => ok(room_json("{}")),
        "ListRooms" => ok("{\"rooms\":[]}"),
        "TagResource" | "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    h.client.create_room(|b| b.name("lobby")).await.unwrap();
    assert!(h.count("ListRooms") >= 1);
    assert_eq!(h.count("CreateRoom"), 2);
    assert_retried_after_the_lag(&h.calls(), DEFAULT_READ_LAG);
}

#[derive(Debug)]
struct NoCredentials;

impl aws_credential_types::provider::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no profile, no keys",
            ),
        ))
    }
}

#[tokio::test(start_paused = true)]
async fn missing_credentials_surface_at_once_without_calls() {
    let h = Harness::with_credentials(
        policy(25),
        aws_credential_types::provider::SharedCredentialsProvider::new(NoCredentials),
        |_, _| panic!("nothing may be sent without credentials"),
    );
    let t0 = Instant::now();
    let err = h.client.create_room(|b| b.name("lobby")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied);
    assert_eq!(err.code.as_deref(), Some("CredentialsError"));
    assert_eq!(err.attempts, 1);
    assert!(Instant::now() - t0 < Duration::from_secs(1));
    assert!(
        err.diagnostic("room \"lobby\"")
            .detail
            .contains("credentials")
    );
}

#[tokio::test]
async fn a_refused_connection_surfaces_in_seconds() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = aws_sdk_ivschat::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .build();
    let client = IvsChat::new(
        aws_sdk_ivschat::Client::from_conf(conf),
        "us-east-1".into(),
        Arc::new(Pacer::new(RateLimits::default())),
        policy(25),
    )
    .with_reach(super::Reach {
        origins: crate::provider::config::Origins {
            endpoint: Some((
                format!("http://127.0.0.1:{port}"),
                "AWS_ENDPOINT_URL_IVSCHAT".to_owned(),
            )),
            ..Default::default()
        },
        region: "us-east-1".to_owned(),
        region_origin: "AWS_REGION".to_owned(),
    });
    let started = std::time::Instant::now();
    let err = client.create_room(|b| b.name("lobby")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transport);
    assert!(!err.ambiguous, "nothing was sent: no marker lookup needed");
    assert_eq!(err.attempts, CONNECT_RETRIES + 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.cause, super::Cause::ConnectionRefused);
    let detail = err.diagnostic("room \"lobby\"").detail;
    assert!(
        detail.contains(&format!(
            "endpoint http://127.0.0.1:{port} (from AWS_ENDPOINT_URL_IVSCHAT) refused the connection"
        ))
            && detail.contains("tried 4 times"),
        "{detail}"
    );
    // The SDK's Debug rendering stays in the debug log.
    for fragment in ["DispatchFailure", "ConnectorError", "{ source:", "_private"] {
        assert!(!detail.contains(fragment), "{fragment} in {detail}");
        assert!(
            !err.message.contains(fragment),
            "{fragment} in {}",
            err.message
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_room_that_shows_late_but_within_the_lag_is_adopted_not_made_twice() {
    let h = Harness::new(policy(5), |rec, prior| {
        let token = || prior.iter().find_map(|r| marker_in(&r.body)).unwrap();
        let lists = prior
            .iter()
            .filter(|r| r.operation() == "ListRooms")
            .count();
        match rec.operation().as_str() {
            // The create is made but its answer is lost, and the list shows it only on the
            // fourth look (reads lag).
            "CreateRoom" => Outcome::Io,
            "ListRooms" if lists < 3 => ok("{\"rooms\":[]}"),
            "ListRooms" => ok(format!(
                "{{\"rooms\":[{{\"arn\":\"{ROOM_ARN}\",\"tags\":{{\"{MARKER_TAG_KEY}\":\"{t}\"}}}}]}}",
                t = token()
            )),
            "GetRoom" => ok(room_json("{}")),
            "UntagResource" => ok("{}"),
            other => panic!("unexpected {other}"),
        }
    });
    let out = h.client.create_room(|b| b.name("lobby")).await.unwrap();
    assert_eq!(out.arn(), Some(ROOM_ARN));
    assert_eq!(
        h.count("CreateRoom"),
        1,
        "never created again within the lag"
    );
    assert_eq!(h.count("ListRooms"), 4);
    assert_eq!(h.count("DeleteRoom"), 0);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_before_the_lag_has_passed_leaves_the_outcome_unknown() {
    let h = Harness::new(policy(5), |rec, _| match rec.operation().as_str() {
        "CreateRoom" => Outcome::Io,
        "ListRooms" => ok("{\"rooms\":[]}"),
        other => panic!("unexpected {other}"),
    });
    let err = h
        .client
        .with_deadline(tokio::time::Instant::now() + Duration::from_secs(5))
        .create_room(|b| b.name("lobby"))
        .await
        .unwrap_err();
    assert_eq!(
        h.count("CreateRoom"),
        1,
        "never created again before the lag passed"
    );
    assert!(err.ambiguous);
    for needle in ["is not known", "max_read_lag", MARKER_TAG_KEY] {
        assert!(err.message.contains(needle), "{needle}: {}", err.message);
    }
}

#[tokio::test(start_paused = true)]
async fn the_lag_to_wait_out_is_the_providers_max_read_lag() {
    let h = Harness::new(policy(5), |rec, prior| match rec.operation().as_str() {
        "CreateRoom" if prior.iter().all(|r| r.operation() != "CreateRoom") => Outcome::Closed,
        "CreateRoom" => ok(room_json("{}")),
        "ListRooms" => ok("{\"rooms\":[]}"),
        "TagResource" | "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let lag = Duration::from_secs(3);
    let client = h
        .client
        .clone()
        .with_read_lag(lag, Arc::new(super::ServerClock::default()));
    let started = tokio::time::Instant::now();
    client.create_room(|b| b.name("lobby")).await.unwrap();
    assert_eq!(h.count("CreateRoom"), 2);
    assert_retried_after_the_lag(&h.calls(), lag);
    assert!(
        started.elapsed() < DEFAULT_READ_LAG,
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_lookup_waits_the_backoff_first() {
    let h = Harness::new(policy(5), |rec, _| match rec.operation().as_str() {
        "CreateRoom" => Outcome::Io,
        "ListRooms" => ok("{\"rooms\":[]}"),
        "TagResource" | "UntagResource" => ok("{}"),
        other => panic!("unexpected {other}"),
    });
    let _ = h.client.create_room(|b| b.name("lobby")).await.unwrap_err();
    let calls = h.calls();
    let create = calls
        .iter()
        .find(|r| r.operation() == "CreateRoom")
        .unwrap()
        .at;
    let lookup = calls
        .iter()
        .find(|r| r.operation() == "ListRooms")
        .unwrap()
        .at;
    assert!(
        lookup - create >= RetryPolicy::default().ceiling(0) / 2,
        "{:?}",
        lookup - create
    );
    // Every create is followed by its lookup; never two creates in a row.
    let ops: Vec<String> = calls.iter().map(Recorded::operation).collect();
    for w in ops.windows(2) {
        assert!(!(w[0] == "CreateRoom" && w[1] == "CreateRoom"), "{ops:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_paginator_follows_next_tokens_and_stops_on_a_repeated_one() {
    let list_rooms = |c: aws_sdk_ivschat::Client, token: Option<String>| {
        c.list_rooms().set_next_token(token).send()
    };
    let h = Harness::new(policy(0), |_, prior| match prior.len() {
        0 => ok("{\"rooms\":[],\"nextToken\":\"a\"}"),
        1 => ok("{\"rooms\":[],\"nextToken\":\"b\"}"),
        _ => ok("{\"rooms\":[]}"),
    });
    let pages = h
        .client
        .all_pages(Operation::ListRooms, list_rooms)
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert!(
        h.calls()[2].body.contains("\"nextToken\":\"b\""),
        "{:?}",
        h.calls()
    );

    // a, b, a: a token handed out before never ends the loop.
    let h = Harness::new(policy(0), |_, prior| match prior.len() {
        1 => ok("{\"rooms\":[],\"nextToken\":\"b\"}"),
        _ => ok("{\"rooms\":[],\"nextToken\":\"a\"}"),
    });
    let err = h
        .client
        .all_pages(Operation::ListRooms, list_rooms)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some(REPEATED_NEXT_TOKEN));
    assert!(err.message.contains("same nextToken twice"), "{err}");
    assert_eq!(h.count("ListRooms"), 3);
}

/// The shared listing follows the paginator's rules: a repeated nextToken ends it as failed,
/// the waiting read falls back to GetRoom, and data sources list on their own.
#[tokio::test(start_paused = true)]
async fn a_repeated_next_token_ends_the_shared_listing_and_reads_use_get() {
    let h = Harness::new(policy(0), |rec, prior| match rec.operation().as_str() {
        // a, b, a: never the room, and a token handed out before.
        "ListRooms" => match prior
            .iter()
            .filter(|r| r.operation() == "ListRooms")
            .count()
        {
            1 => ok("{\"rooms\":[],\"nextToken\":\"b\"}"),
            _ => ok("{\"rooms\":[],\"nextToken\":\"a\"}"),
        },
        "GetRoom" => ok(room_json("{}")),
        other => panic!("unexpected {other}"),
    });
    // The GetRoom lane is busy for the next 10 s: the read waits for the listing.
    let inner = h.client.inner_for_tests();
    for _ in 0..50 {
        inner.pacer.reserve("us-east-1", Operation::GetRoom);
    }
    let read = h
        .client
        .read_listed::<crate::domain::room::RoomApi>(
            ROOM_ARN,
            None,
            Some(Version {
                update_time_ms: 1_000,
            }),
        )
        .await
        .unwrap();
    assert!(
        matches!(read, Read::Got(Fresh::Found(ref r)) if r.arn() == Some(ROOM_ARN)),
        "{read:?}"
    );
    assert_eq!(h.count("ListRooms"), 3, "{:?}", h.calls());
    assert_eq!(h.count("GetRoom"), 1);
    // A failed listing is never handed to a data source as the whole account.
    assert!(
        h.client
            .list_shared::<crate::domain::room::RoomApi>(Share::Join)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        h.count("ListRooms"),
        3,
        "a failed listing is not paged again"
    );
}

/// A read of a room absent from a complete listing uses GetRoom: the listing alone never
/// declares a room gone.
#[tokio::test(start_paused = true)]
async fn a_room_missing_from_a_complete_listing_is_read_with_get() {
    let h = Harness::new(policy(0), |rec, _| match rec.operation().as_str() {
        "ListRooms" => ok("{\"rooms\":[]}"),
        "GetRoom" => aws_error(404, "ResourceNotFoundException", "no such room"),
        other => panic!("unexpected {other}"),
    });
    let all = h
        .client
        .list_shared::<crate::domain::room::RoomApi>(Share::Join)
        .await
        .unwrap();
    assert_eq!(all.map(|a| a.len()), Some(0));
    let read = h
        .client
        .read_listed::<crate::domain::room::RoomApi>(
            ROOM_ARN,
            None,
            Some(Version {
                update_time_ms: 1_000,
            }),
        )
        .await
        .unwrap();
    assert!(matches!(read, Read::Got(Fresh::Gone)), "{read:?}");
    assert_eq!(h.count("ListRooms"), 1);
    assert_eq!(h.count("GetRoom"), 1);
}

/// A policy without ListRooms still refreshes: the denied listing ends as failed, the waiting
/// read uses GetRoom, and the listing is not asked again for the next read.
#[tokio::test(start_paused = true)]
async fn a_denied_listing_leaves_reads_to_get() {
    let h = Harness::new(policy(0), |rec, _| match rec.operation().as_str() {
        "ListRooms" => aws_error(403, "AccessDeniedException", "no ListRooms for you"),
        "GetRoom" => ok(room_json("{}")),
        other => panic!("unexpected {other}"),
    });
    // The GetRoom lane is busy for the next 10 s: the first read waits for the listing.
    let inner = h.client.inner_for_tests();
    for _ in 0..50 {
        inner.pacer.reserve("us-east-1", Operation::GetRoom);
    }
    let version = Some(Version {
        update_time_ms: 1_000,
    });
    for _ in 0..2 {
        let read = h
            .client
            .read_listed::<crate::domain::room::RoomApi>(ROOM_ARN, None, version)
            .await
            .unwrap();
        assert!(
            matches!(read, Read::Got(Fresh::Found(ref r)) if r.arn() == Some(ROOM_ARN)),
            "{read:?}"
        );
    }
    assert_eq!(h.count("ListRooms"), 1, "{:?}", h.calls());
    assert_eq!(h.count("GetRoom"), 2);
}
