//! Routing of the AWS API (restJson1 bindings of the model) and the request pipeline:
//! body buffering, SigV4, fault injection, rate quotas, then the operation.

use crate::app::{App, ConnAbort};
use crate::error::ApiError;
use crate::ids;
use crate::model::*;
use crate::operation::Operation;
use crate::quota;
use crate::requests::{AppliedFault, RequestRecord};
use crate::sigv4;
use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// Per-request facts the pipeline hands to the handlers.
#[derive(Clone, Debug)]
pub(crate) struct ReqCtx {
    pub region: String,
}

/// JSON body extractor: an empty body reads as `{}`; bad JSON is a ValidationException.
pub(crate) struct AwsJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for AwsJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::validation_other("Could not read the request body."))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        serde_json::from_slice(&bytes).map(Self).map_err(|e| {
            ApiError::validation_other(format!("Could not parse the request body: {e}"))
        })
    }
}

/// The `{resourceArn}` URI label, percent-decoded; undecodable labels are a
/// ValidationException rather than axum's plain-text rejection.
pub(crate) struct ArnLabel(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ArnLabel {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(a)| Self(a))
            .map_err(|_| ApiError::validation_other("The resourceArn path label is not valid."))
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn create_room(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<CreateRoomIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.create_room(c, i))
        .map(Json)
}
async fn get_room(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<IdentifierIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.get_room(c, i))
        .map(Json)
}
async fn update_room(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<UpdateRoomIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.update_room(c, i))
        .map(Json)
}
async fn delete_room(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<IdentifierIn>,
) -> Result<StatusCode, ApiError> {
    app.with_state(&ctx.region, |s, c| s.delete_room(c, i))
        .map(|()| StatusCode::NO_CONTENT)
}
async fn list_rooms(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<ListRoomsIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.list_rooms(c, i))
        .map(Json)
}
async fn create_logging(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<CreateLoggingIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.create_logging(c, i))
        .map(Json)
}
async fn get_logging(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<IdentifierIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.get_logging(c, i))
        .map(Json)
}
async fn update_logging(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<UpdateLoggingIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.update_logging(c, i))
        .map(Json)
}
async fn delete_logging(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<IdentifierIn>,
) -> Result<StatusCode, ApiError> {
    app.with_state(&ctx.region, |s, c| s.delete_logging(c, i))
        .map(|()| StatusCode::NO_CONTENT)
}
async fn list_logging(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<ListLoggingIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.list_logging(c, i))
        .map(Json)
}
async fn tag_resource(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    arn: ArnLabel,
    AwsJson(i): AwsJson<TagResourceIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.tag_resource(c, &arn.0, i))
        .map(Json)
}
async fn untag_resource(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    arn: ArnLabel,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let keys = query_values(q.as_deref().unwrap_or(""), "tagKeys");
    app.with_state(&ctx.region, |s, c| s.untag_resource(c, &arn.0, keys))
        .map(Json)
}
async fn list_tags(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    arn: ArnLabel,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.list_tags(c, &arn.0))
        .map(Json)
}
async fn create_chat_token(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<CreateChatTokenIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.create_chat_token(c, i))
        .map(Json)
}
async fn send_event(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<SendEventIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.send_event(c, i))
        .map(Json)
}
async fn delete_message(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<DeleteMessageIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.delete_message(c, i))
        .map(Json)
}
async fn disconnect_user(
    State(app): State<App>,
    ctx: axum::Extension<ReqCtx>,
    AwsJson(i): AwsJson<DisconnectUserIn>,
) -> ApiResult {
    app.with_state(&ctx.region, |s, c| s.disconnect_user(c, i))
        .map(Json)
}

/// All values of a repeated query parameter; `None` when it is absent.
fn query_values(q: &str, name: &str) -> Option<Vec<String>> {
    let vals: Vec<String> = q
        .split('&')
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode_str(k).decode_utf8_lossy() == name)
                .then(|| percent_decode_str(v).decode_utf8_lossy().into_owned())
        })
        .collect();
    (!vals.is_empty()).then_some(vals)
}

async fn unknown_operation() -> ApiError {
    ApiError::unknown_operation()
}

/// The AWS API routes with the request pipeline.
pub(crate) fn aws_routes(app: App) -> Router<App> {
    Router::new()
        .route("/CreateRoom", post(create_room))
        .route("/GetRoom", post(get_room))
        .route("/UpdateRoom", post(update_room))
        .route("/DeleteRoom", post(delete_room))
        .route("/ListRooms", post(list_rooms))
        .route("/CreateLoggingConfiguration", post(create_logging))
        .route("/GetLoggingConfiguration", post(get_logging))
        .route("/UpdateLoggingConfiguration", post(update_logging))
        .route("/DeleteLoggingConfiguration", post(delete_logging))
        .route("/ListLoggingConfigurations", post(list_logging))
        .route(
            "/tags/{*resourceArn}",
            post(tag_resource)
                .delete(untag_resource)
                .merge(get(list_tags)),
        )
        .route("/CreateChatToken", post(create_chat_token))
        .route("/SendEvent", post(send_event))
        .route("/DeleteMessage", post(delete_message))
        .route("/DisconnectUser", post(disconnect_user))
        .fallback(unknown_operation)
        .method_not_allowed_fallback(unknown_operation)
        .layer(middleware::from_fn_with_state(app, pipeline))
}

async fn pipeline(State(app): State<App>, req: Request, next: Next) -> Response {
    let abort = req.extensions().get::<ConnAbort>().cloned();
    let rid = ids::request_id();
    let mut rec = RequestRecord {
        seq: 0,
        time_ms: app.now_ms(),
        operation: None,
        resource: None,
        answer_arn: None,
        fault: None,
        status: None,
    };
    let mut resp = match run(&app, req, next, &mut rec).await {
        Ok((resp, reset)) => {
            let (resp, arn) = answer_arn(resp).await;
            rec.answer_arn = arn;
            if resp.status().is_success()
                && let Some(abort) = abort
                && (reset
                    || rec
                        .operation
                        .as_deref()
                        .is_some_and(|op| app.faults.lose_answer(op)))
            {
                // The operation took effect; drop the connection without answering.
                rec.fault = Some(AppliedFault::AnswerLost);
                app.requests.push(rec.clone());
                abort.fire();
                std::future::pending::<()>().await;
            }
            resp
        }
        Err(e) => {
            if rec.fault.is_none() && matches!(e, ApiError::Throttling { .. }) {
                rec.fault = Some(AppliedFault::Throttled);
            }
            e.into_response()
        }
    };
    rec.status = Some(resp.status().as_u16());
    app.requests.push(rec);
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    resp
}

/// The `arn` of a JSON answer, and the answer rebuilt (answers are small).
async fn answer_arn(resp: Response) -> (Response, Option<String>) {
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY * 16).await else {
        return (Response::from_parts(parts, Body::empty()), None);
    };
    let arn = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("arn").and_then(Value::as_str).map(str::to_owned));
    (Response::from_parts(parts, Body::from(bytes)), arn)
}

/// The resource a request names: `identifier`, else the tags path's ARN, else `name`.
fn named_resource(path: &str, body: &[u8]) -> Option<String> {
    let v = serde_json::from_slice::<Value>(body).ok();
    let field = |k: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    field("identifier")
        .or_else(|| {
            path.strip_prefix("/tags/")
                .map(|a| percent_decode_str(a).decode_utf8_lossy().into_owned())
        })
        .or_else(|| field("roomIdentifier"))
        .or_else(|| field("name"))
}

/// Checks the request's SigV4 signature when credentials are configured; returns the
/// region the request is for (its credential scope, else the default region).
pub(crate) fn authenticate(
    app: &App,
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<String, ApiError> {
    let auth_header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let region = match (&app.config.credentials, auth_header) {
        (Some(_), None) => {
            return Err(ApiError::Auth {
                status: StatusCode::FORBIDDEN,
                error_type: "MissingAuthenticationTokenException",
                message: "Missing Authentication Token".to_owned(),
            });
        }
        (Some(creds), Some(h)) => {
            let auth = sigv4::parse_authorization(h)?;
            sigv4::verify(
                creds,
                &auth,
                &parts.method,
                &parts.uri,
                &parts.headers,
                body,
                app.now_ms() / 1000,
            )?;
            auth.region
        }
        (None, Some(h)) => sigv4::parse_authorization(h)
            .map(|a| a.region)
            .unwrap_or_default(),
        (None, None) => String::new(),
    };
    if !ids::region_name(&region) {
        return Ok(app.config.region.clone());
    }
    if !app.config.regions.contains(&region) {
        return Err(ApiError::Auth {
            status: StatusCode::FORBIDDEN,
            error_type: "InvalidSignatureException",
            message: format!(
                "Credential should be scoped to a valid region, not '{region}'. This endpoint serves: {}.",
                app.config.regions.join(", ")
            ),
        });
    }
    Ok(region)
}

/// Reads the whole body (at most [`MAX_BODY`]).
pub(crate) async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::validation_other("The request body is too large or could not be read.")
    })
}

async fn run(
    app: &App,
    req: Request,
    next: Next,
    rec: &mut RequestRecord,
) -> Result<(Response, bool), ApiError> {
    let (mut parts, body) = req.into_parts();
    let bytes = read_body(body).await?;
    rec.resource = named_resource(parts.uri.path(), &bytes);
    let region = authenticate(app, &parts, &bytes)?;
    let Some(op) = Operation::of(&parts.method, parts.uri.path()) else {
        return Err(ApiError::unknown_operation());
    };
    rec.operation = Some(op.name().to_owned());
    app.count(op);
    let d = app
        .faults
        .decide(op.name(), op.can_be_pending_verification());
    if !d.latency.is_zero() {
        tokio::time::sleep(d.latency).await;
    }
    if d.access_denied {
        rec.fault = Some(AppliedFault::AccessDenied);
        return Err(ApiError::AccessDenied(format!(
            "User is not authorized to perform: ivschat:{}",
            op.name()
        )));
    }
    if d.pending_verification {
        rec.fault = Some(AppliedFault::PendingVerification);
        return Err(ApiError::PendingVerification(
            "Your account is pending verification.".to_owned(),
        ));
    }
    if d.throttle {
        rec.fault = Some(AppliedFault::Throttled);
        return Err(quota::throttled(op, &app.config.account_id));
    }
    if d.internal_error {
        rec.fault = Some(AppliedFault::InternalError);
        return Err(ApiError::Internal(
            "Unexpected error during processing of request.".to_owned(),
        ));
    }
    app.quotas.check(&region, &app.config.account_id, op)?;
    parts.extensions.insert(ReqCtx { region });
    let req = Request::from_parts(parts, Body::from(bytes));
    Ok((next.run(req).await, d.reset_after_commit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn operations_bind_to_model_paths() {
        assert_eq!(
            Operation::of(&Method::POST, "/CreateRoom"),
            Some(Operation::CreateRoom)
        );
        assert_eq!(Operation::of(&Method::GET, "/CreateRoom"), None);
        assert_eq!(Operation::of(&Method::POST, "/TagResource"), None);
        assert_eq!(
            Operation::of(&Method::DELETE, "/tags/arn%3Ax"),
            Some(Operation::UntagResource)
        );
        assert_eq!(
            query_values("tagKeys=a&x=1&tagKeys=b%20c", "tagKeys"),
            Some(vec!["a".into(), "b c".into()])
        );
        for o in Operation::ALL {
            assert_eq!(Operation::ALL[o.index()], o);
        }
    }
}
