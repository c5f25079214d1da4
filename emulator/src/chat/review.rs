//! Message review: a room's `messageReviewHandler` Lambda ARN, mapped on the command line
//! (`--review-handler ARN=URL`) to a local HTTP endpoint, is POSTed the documented review
//! request for every SEND_MESSAGE; its answer allows, denies or rewrites the message. No
//! answer in time, an error or an invalid answer applies the room's `fallbackResult`.

use crate::records::MessageReviewHandler;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::net::TcpStream;

/// Largest handler answer read.
const MAX_ANSWER: usize = 64 * 1024;

/// The review request, as the IVS Chat user guide documents it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReviewRequest<'a> {
    pub content: &'a str,
    pub message_id: &'a str,
    pub room_arn: &'a str,
    pub attributes: &'a BTreeMap<String, String>,
    pub sender: ReviewSender<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReviewSender<'a> {
    pub attributes: &'a BTreeMap<String, String>,
    pub user_id: &'a str,
    pub ip: String,
}

/// The handler's answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReviewResponse {
    review_result: String,
    content: Option<String>,
    attributes: Option<BTreeMap<String, String>>,
}

/// What happens to a message.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Deliver, with these content and attributes.
    Allow {
        content: String,
        attributes: BTreeMap<String, String>,
    },
    /// Refuse (ERROR 406 to the sender), with the handler's `Reason` attribute if any.
    Deny { reason: Option<String> },
}

/// Why the fallback applied (logged, so that a person can see why).
fn fallback(
    handler: &MessageReviewHandler,
    why: &str,
    content: String,
    attributes: BTreeMap<String, String>,
) -> Verdict {
    tracing::warn!(
        "message review handler {}: {why}; applying fallbackResult {}",
        handler.uri,
        handler.fallback_result
    );
    if handler.fallback_result == "DENY" {
        Verdict::Deny { reason: None }
    } else {
        Verdict::Allow {
            content,
            attributes,
        }
    }
}

/// Reviews one message. `endpoint` is the URL the handler's ARN is mapped to (`None`:
/// unmapped, which counts as unreachable); `max_len` bounds rewritten content.
pub(crate) async fn review(
    handler: &MessageReviewHandler,
    endpoint: Option<&str>,
    timeout: Duration,
    request: &ReviewRequest<'_>,
    max_len: usize,
) -> Verdict {
    let content = request.content.to_owned();
    let attributes = request.attributes.clone();
    let Some(url) = endpoint else {
        return fallback(
            handler,
            "no --review-handler maps this ARN to a URL",
            content,
            attributes,
        );
    };
    let body = serde_json::to_vec(request).unwrap_or_default();
    let answer = match tokio::time::timeout(timeout, post(url, body)).await {
        Err(_) => return fallback(handler, "no answer in time", content, attributes),
        Ok(Err(e)) => return fallback(handler, &e, content, attributes),
        Ok(Ok(b)) => b,
    };
    let Ok(r) = serde_json::from_slice::<ReviewResponse>(&answer) else {
        return fallback(
            handler,
            "the answer is not a review response",
            content,
            attributes,
        );
    };
    match r.review_result.as_str() {
        "ALLOW" => {
            let content = r.content.unwrap_or(content);
            let attributes = r.attributes.unwrap_or(attributes);
            let len = content.chars().count();
            let size: usize = attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
            if len == 0 || len > max_len || size > crate::validate::MAX_ATTRIBUTES_BYTES {
                return fallback(
                    handler,
                    "the rewritten message breaks the room's limits",
                    request.content.to_owned(),
                    request.attributes.clone(),
                );
            }
            Verdict::Allow {
                content,
                attributes,
            }
        }
        "DENY" => Verdict::Deny {
            reason: r.attributes.and_then(|mut a| a.remove("Reason")),
        },
        other => fallback(
            handler,
            &format!("ReviewResult {other:?} is neither ALLOW nor DENY"),
            content,
            attributes,
        ),
    }
}

/// POSTs JSON to `url` (`http://HOST:PORT/PATH`), returns the body of a 2xx answer.
async fn post(url: &str, body: Vec<u8>) -> Result<Bytes, String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("{url}: only http:// endpoints are supported"));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("{url}: no host"))?
        .clone();
    let port = authority.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((authority.host(), port))
        .await
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| format!("{url}: {e}"))?;
    tokio::spawn(conn);
    let req = http::Request::post(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(http::header::HOST, authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("{url}: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status();
    let bytes = Limited::new(resp.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| format!("{url}: {e}"))?
        .to_bytes();
    if !status.is_success() {
        return Err(format!("{url} answered HTTP {status}"));
    }
    Ok(bytes)
}
