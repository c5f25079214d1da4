//! Introspection over HTTP, outside the AWS paths: `/_emulator/...`.

use crate::app::App;
use crate::config::{Faults, LoseAnswer};
use crate::handle::Handle;
use crate::router;
use crate::store::{LoggingFailure, LoggingState};
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

fn handle(app: &App) -> Handle {
    Handle { app: app.clone() }
}

fn bad(msg: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"message": msg.to_string()})),
    )
        .into_response()
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn state(State(app): State<App>) -> Json<serde_json::Value> {
    let h = handle(&app);
    Json(json!({
        "rooms": h.rooms(),
        "loggingConfigurations": h.logging_configurations(),
    }))
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

async fn events(State(app): State<App>, Query(q): Query<Since>) -> Json<serde_json::Value> {
    Json(json!({ "events": handle(&app).events_since(q.since.unwrap_or(0)) }))
}

#[derive(Deserialize)]
struct ArnQuery {
    arn: String,
}

/// When reads will show the latest write to `arn` (`null`: they already do).
async fn visibility(State(app): State<App>, Query(q): Query<ArnQuery>) -> Json<serde_json::Value> {
    let at = handle(&app).visible_at(&q.arn).map(|t| {
        let ms = t
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        crate::ids::iso8601(ms)
    });
    Json(json!({ "arn": q.arn, "visibleAt": at }))
}

async fn requests(State(app): State<App>, Query(q): Query<Since>) -> Json<serde_json::Value> {
    Json(json!({ "requests": handle(&app).requests_since(q.since.unwrap_or(0)) }))
}

async fn operations(State(app): State<App>) -> Json<serde_json::Value> {
    Json(json!({ "operations": handle(&app).operation_counts() }))
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct FaultsJson {
    throttle_rate: f64,
    internal_error_rate: f64,
    latency_ms: u64,
    reset_after_commit_rate: f64,
    seed: Option<u64>,
    deny_operations: Vec<String>,
    pending_verification: bool,
    lose_answers: Vec<LoseAnswerJson>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LoseAnswerJson {
    operation: String,
    count: u32,
    rate: f64,
}

fn faults_json(f: Faults) -> FaultsJson {
    FaultsJson {
        throttle_rate: f.throttle_rate,
        internal_error_rate: f.internal_error_rate,
        latency_ms: u64::try_from(f.latency.as_millis()).unwrap_or(u64::MAX),
        reset_after_commit_rate: f.reset_after_commit_rate,
        seed: f.seed,
        deny_operations: f.deny_operations,
        pending_verification: f.pending_verification,
        lose_answers: f
            .lose_answers
            .into_iter()
            .map(|l| LoseAnswerJson {
                operation: l.operation,
                count: l.count,
                rate: l.rate,
            })
            .collect(),
    }
}

async fn get_faults(State(app): State<App>) -> Json<FaultsJson> {
    Json(faults_json(handle(&app).faults()))
}

async fn set_faults(State(app): State<App>, Json(f): Json<FaultsJson>) -> Response {
    let rates = [
        f.throttle_rate,
        f.internal_error_rate,
        f.reset_after_commit_rate,
    ];
    if rates
        .iter()
        .chain(f.lose_answers.iter().map(|l| &l.rate))
        .any(|r| !(0.0..=1.0).contains(r))
    {
        return bad("rates must be between 0 and 1");
    }
    let faults = Faults {
        throttle_rate: f.throttle_rate,
        internal_error_rate: f.internal_error_rate,
        latency: Duration::from_millis(f.latency_ms),
        reset_after_commit_rate: f.reset_after_commit_rate,
        seed: f.seed,
        deny_operations: f.deny_operations,
        pending_verification: f.pending_verification,
        lose_answers: f
            .lose_answers
            .into_iter()
            .map(|l| LoseAnswer {
                operation: l.operation,
                count: l.count,
                rate: l.rate,
            })
            .collect(),
    };
    handle(&app).set_faults(faults.clone());
    Json(faults_json(faults)).into_response()
}

async fn logging_failures(State(app): State<App>, Json(rule): Json<LoggingFailure>) -> Response {
    match handle(&app).fail_logging(rule) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => bad(e),
    }
}

#[derive(Deserialize)]
struct ForceState {
    arn: String,
    state: String,
}

async fn logging_state(State(app): State<App>, Json(f): Json<ForceState>) -> Response {
    let Some(state) = LoggingState::parse(&f.state) else {
        return bad("unknown state");
    };
    match handle(&app).force_logging_state(&f.arn, state) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": e.to_string()})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct TokenReq {
    token: String,
}

async fn verify_token(State(app): State<App>, Json(t): Json<TokenReq>) -> Response {
    match handle(&app).verify_chat_token(&t.token) {
        Ok(c) => Json(json!({"valid": true, "claims": c})).into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"valid": false, "message": e.to_string()})),
        )
            .into_response(),
    }
}

async fn reset(State(app): State<App>) -> StatusCode {
    handle(&app).reset();
    StatusCode::NO_CONTENT
}

/// With credentials configured, the admin routes need the same SigV4 signature as the
/// AWS API (service `ivschat`): they can reset or fault the emulator.
async fn authenticated(State(app): State<App>, req: Request, next: Next) -> Response {
    if app.config.credentials.is_none() {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let checked = match router::read_body(body).await {
        Ok(bytes) => router::authenticate(&app, &parts, &bytes).map(|_| bytes),
        Err(e) => Err(e),
    };
    match checked {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => e.into_response(),
    }
}

pub(crate) fn admin_routes(app: App) -> Router<App> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/state", get(state))
        .route("/_emulator/events", get(events))
        .route("/_emulator/operations", get(operations))
        .route("/_emulator/requests", get(requests))
        .route("/_emulator/visibility", get(visibility))
        .route("/_emulator/faults", get(get_faults).post(set_faults))
        .route("/_emulator/logging-failures", post(logging_failures))
        .route("/_emulator/logging-state", post(logging_state))
        .route("/_emulator/verify-token", post(verify_token))
        .route("/_emulator/reset", post(reset))
        .layer(middleware::from_fn_with_state(app, authenticated))
}
