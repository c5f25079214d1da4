//! One WebSocket connection: the upgrade (token checks), then requests in and payloads out.

use super::payload::{self, Payload, Refusal, Request, Sender};
use super::review::{self, ReviewRequest, ReviewSender, Verdict};
use super::{Out, PeerAddr, Registration};
use crate::app::App;
use crate::config::QuotaMode;
use crate::error::ApiError;
use crate::ids::{iso8601, new_id, now_ms};
use crate::store::RoomRules;
use crate::token::{ChatTokenClaims, TokenError};
use crate::validate as v;
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Largest request frame read at all; larger ones end the connection.
const MAX_FRAME: usize = 64 * 1024;
/// Largest request answered normally; larger ones get ERROR 413.
const MAX_REQUEST: usize = 8 * 1024;

/// A refused upgrade: plain HTTP, with a JSON body saying why.
fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "ErrorCode": status.as_u16(), "ErrorMessage": message }).to_string(),
    )
        .into_response()
}

/// The token a client offers: the first value of `Sec-WebSocket-Protocol`.
fn offered_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .map(str::trim)
        .find(|t| !t.is_empty())
}

/// Leaves the hub when the connection ends, or when the upgrade never completes.
struct Membership {
    app: App,
    region: String,
    room_arn: String,
    id: u64,
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.app.hub.leave(&self.region, &self.room_arn, self.id);
    }
}

/// `GET /` with `Upgrade: websocket`: checks the chat token and joins its room. Any other
/// request to `/` is an unknown operation, as before.
pub(crate) async fn upgrade(
    State(app): State<App>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        return ApiError::unknown_operation().into_response();
    };
    let Some(token) = offered_token(&headers) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Missing chat token: pass it as the WebSocket subprotocol.",
        );
    };
    let claims = match app.lock().verify_token(token, now_ms()) {
        Ok(c) => c,
        Err(TokenError::Expired) => {
            return refuse(StatusCode::UNAUTHORIZED, "The chat token has expired.");
        }
        Err(TokenError::Invalid) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "The chat token is not valid for this endpoint.",
            );
        }
    };
    let Some(rules) = app.lock().room_rules(&claims.room_arn) else {
        return refuse(StatusCode::NOT_FOUND, "The room cannot be found.");
    };
    let limit = (app.config.quotas == QuotaMode::Aws).then_some(app.config.max_chat_connections);
    let Some(Registration { id, rx }) =
        app.hub
            .join(&rules.region, &claims.room_arn, &claims.user_id, limit)
    else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many concurrent chat connections for this account.",
        );
    };
    let membership = Membership {
        app: app.clone(),
        region: rules.region,
        room_arn: claims.room_arn.clone(),
        id,
    };
    let token = token.to_owned();
    ws.protocols([token])
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| {
            let peer = peer.map(|Extension(PeerAddr(a))| a.ip().to_string());
            serve(
                app,
                claims,
                peer.unwrap_or_default(),
                membership,
                rx,
                socket,
            )
        })
}

async fn serve(
    app: App,
    claims: ChatTokenClaims,
    ip: String,
    membership: Membership,
    mut rx: tokio::sync::mpsc::Receiver<Out>,
    socket: WebSocket,
) {
    // The session ends at the sessionExpirationTime CreateChatToken reported.
    let left_ms = u64::try_from(claims.session_expires_at_ms.saturating_sub(now_ms())).unwrap_or(0);
    let session_end =
        tokio::time::Instant::now() + Duration::from_millis(left_ms.min(180 * 60_000));
    let (mut sink, mut stream) = socket.split();
    let conn = Connection { app, claims, ip };
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Out::Text(t)) => {
                    if sink.send(Message::Text(t)).await.is_err() {
                        break;
                    }
                }
                Some(Out::Close(code, reason)) => {
                    let frame = CloseFrame { code, reason: reason.into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
                // Dropped by the hub: too slow to keep up.
                None => {
                    let frame = CloseFrame { code: 1008, reason: "Client too slow".into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
            },
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    if let Err((request_id, r)) = conn.handle(t.as_str()).await {
                        let gone = r.code == 404;
                        let e = error_payload(request_id, r);
                        if sink.send(Message::Text(e.to_json().into())).await.is_err() || gone {
                            break;
                        }
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let e = error_payload(None, Refusal::new(400, "Requests are JSON text frames."));
                    if sink.send(Message::Text(e.to_json().into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            () = tokio::time::sleep_until(session_end) => {
                let e = error_payload(None, Refusal::new(401, "The connection has expired."));
                let _ = sink.send(Message::Text(e.to_json().into())).await;
                let frame = CloseFrame { code: super::CLOSE_NORMAL, reason: "Session expired".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
        }
    }
    drop(membership);
}

fn error_payload(request_id: Option<String>, r: Refusal) -> Payload {
    Payload::Error {
        error_code: r.code,
        error_message: r.message,
        id: new_id(),
        request_id,
    }
}

/// Total size of attributes as the control plane counts it (keys and values, bytes).
fn attributes_size(a: &BTreeMap<String, String>) -> usize {
    a.iter().map(|(k, v)| k.len() + v.len()).sum()
}

struct Connection {
    app: App,
    claims: ChatTokenClaims,
    /// Client IP address (the review request's Sender.Ip).
    ip: String,
}

type Handled = Result<(), (Option<String>, Refusal)>;

impl Connection {
    fn may(&self, capability: &str) -> bool {
        self.claims.capabilities.iter().any(|c| c == capability)
    }

    fn rules(&self) -> Result<RoomRules, Refusal> {
        self.app
            .lock()
            .room_rules(&self.claims.room_arn)
            .ok_or_else(|| Refusal::new(404, "The room cannot be found."))
    }

    async fn handle(&self, text: &str) -> Handled {
        if text.len() > MAX_REQUEST {
            return Err((
                None,
                Refusal::new(413, format!("Requests are limited to {MAX_REQUEST} bytes.")),
            ));
        }
        let req: Request = serde_json::from_str(text).map_err(|e| {
            (
                None,
                Refusal::new(400, format!("The request is not valid JSON: {e}")),
            )
        })?;
        let rid = req.request_id.clone();
        let fail = |r: Refusal| (rid.clone(), r);
        let action = req
            .action
            .as_deref()
            .ok_or_else(|| fail(Refusal::new(400, "Action is required.")))?;
        let needed = match action {
            payload::SEND_MESSAGE | payload::DELETE_MESSAGE | payload::DISCONNECT_USER => action,
            other => {
                return Err(fail(Refusal::new(
                    400,
                    format!(
                        "Unknown Action {other:?}: expected SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER."
                    ),
                )));
            }
        };
        if !self.may(needed) {
            return Err(fail(Refusal::new(
                403,
                format!("The chat token does not grant the {needed} capability."),
            )));
        }
        if self.app.faults.decide(needed, false).internal_error {
            return Err(fail(Refusal::new(
                500,
                "Unexpected error during processing of request.",
            )));
        }
        let rules = self.rules().map_err(fail)?;
        match action {
            payload::SEND_MESSAGE => self.send_message(req, &rules).await.map_err(fail),
            payload::DELETE_MESSAGE => self.delete_message(req).map_err(fail),
            _ => self.disconnect_user(req).map_err(fail),
        }
    }

    async fn send_message(&self, req: Request, rules: &RoomRules) -> Result<(), Refusal> {
        let content = req
            .content
            .ok_or_else(|| Refusal::new(400, "Content is required."))?;
        let max = usize::try_from(rules.maximum_message_length).unwrap_or(0);
        let len = content.chars().count();
        if len == 0 {
            return Err(Refusal::new(400, "Content must not be empty."));
        }
        if len > max {
            return Err(Refusal::new(
                400,
                format!("Messages must be at most {max} characters; this one has {len}."),
            ));
        }
        let attributes = req.attributes.unwrap_or_default();
        if attributes_size(&attributes) > v::MAX_ATTRIBUTES_BYTES {
            return Err(Refusal::new(
                413,
                format!(
                    "Attributes are limited to {} bytes in total.",
                    v::MAX_ATTRIBUTES_BYTES
                ),
            ));
        }
        if !self.app.hub.admit(
            &self.claims.room_arn,
            rules.maximum_message_rate_per_second,
            Instant::now(),
        ) {
            return Err(Refusal::new(
                429,
                format!(
                    "The room's maximumMessageRatePerSecond ({}) is exceeded.",
                    rules.maximum_message_rate_per_second
                ),
            ));
        }
        let id = new_id();
        let (content, attributes) = match rules
            .message_review_handler
            .as_ref()
            .filter(|h| !h.uri.is_empty())
        {
            None => (content, attributes),
            Some(handler) => {
                let request = ReviewRequest {
                    content: &content,
                    message_id: &id,
                    room_arn: &self.claims.room_arn,
                    attributes: &attributes,
                    sender: ReviewSender {
                        attributes: &self.claims.attributes,
                        user_id: &self.claims.user_id,
                        ip: self.ip.clone(),
                    },
                };
                let endpoint = self.app.config.review_handlers.get(&handler.uri);
                match review::review(
                    handler,
                    endpoint.map(String::as_str),
                    self.app.config.review_timeout,
                    &request,
                    max,
                )
                .await
                {
                    Verdict::Allow {
                        content,
                        attributes,
                    } => (content, attributes),
                    Verdict::Deny { reason } => {
                        let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
                        return Err(Refusal::new(
                            406,
                            format!("The message was rejected by message review{why}."),
                        ));
                    }
                }
            }
        };
        let message = Payload::Message {
            id,
            request_id: req.request_id,
            content,
            attributes,
            sender: Sender {
                user_id: self.claims.user_id.clone(),
                attributes: self.claims.attributes.clone(),
            },
            send_time: iso8601(now_ms()),
        };
        self.app.publish(&self.claims.room_arn, &message);
        Ok(())
    }

    fn delete_message(&self, req: Request) -> Result<(), Refusal> {
        let id = req.id.ok_or_else(|| Refusal::new(400, "Id is required."))?;
        if id.is_empty() || id.len() > 128 {
            return Err(Refusal::new(400, "Id is not a message id."));
        }
        let mut attributes = BTreeMap::from([
            ("MessageId".to_owned(), id.clone()),
            // Deprecated spelling that clients (the JS SDK among them) still read.
            ("MessageID".to_owned(), id),
        ]);
        if let Some(r) = req.reason {
            check_reason(&r)?;
            attributes.insert("Reason".to_owned(), r);
        }
        let event = Payload::Event {
            id: new_id(),
            request_id: req.request_id,
            event_name: payload::EVENT_DELETE_MESSAGE.to_owned(),
            attributes,
            send_time: iso8601(now_ms()),
        };
        self.app.publish(&self.claims.room_arn, &event);
        Ok(())
    }

    fn disconnect_user(&self, req: Request) -> Result<(), Refusal> {
        let user_id = req
            .user_id
            .ok_or_else(|| Refusal::new(400, "UserId is required."))?;
        let (min, max) = v::USER_ID_LEN;
        if !(min..=max).contains(&user_id.chars().count()) {
            return Err(Refusal::new(
                400,
                format!("UserId must be {min} to {max} characters."),
            ));
        }
        let mut attributes = BTreeMap::from([("UserId".to_owned(), user_id.clone())]);
        if let Some(r) = req.reason {
            check_reason(&r)?;
            attributes.insert("Reason".to_owned(), r);
        }
        let event = Payload::Event {
            id: new_id(),
            request_id: req.request_id,
            event_name: payload::EVENT_DISCONNECT_USER.to_owned(),
            attributes,
            send_time: iso8601(now_ms()),
        };
        self.app.publish(&self.claims.room_arn, &event);
        self.app
            .hub
            .disconnect_user(&self.claims.room_arn, &user_id);
        Ok(())
    }
}

fn check_reason(r: &str) -> Result<(), Refusal> {
    let (_, max) = v::REASON_LEN;
    if r.chars().count() > max {
        return Err(Refusal::new(
            413,
            format!("Reason is limited to {max} characters."),
        ));
    }
    Ok(())
}
