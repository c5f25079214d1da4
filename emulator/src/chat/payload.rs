//! The messaging plane's JSON: requests clients send, and the MESSAGE / EVENT / ERROR
//! payloads the service pushes (field names as in the IVS Chat Messaging API reference).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `Action` values clients may send.
pub(crate) const SEND_MESSAGE: &str = "SEND_MESSAGE";
pub(crate) const DELETE_MESSAGE: &str = "DELETE_MESSAGE";
pub(crate) const DISCONNECT_USER: &str = "DISCONNECT_USER";

/// System event names.
pub(crate) const EVENT_DELETE_MESSAGE: &str = "aws:DELETE_MESSAGE";
pub(crate) const EVENT_DISCONNECT_USER: &str = "aws:DISCONNECT_USER";

/// A client request, before validation: every field optional so that a missing one is
/// answered with ERROR 400 naming it, not with a parse failure.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Request {
    pub action: Option<String>,
    pub request_id: Option<String>,
    pub content: Option<String>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub id: Option<String>,
    pub user_id: Option<String>,
    pub reason: Option<String>,
}

/// `Sender` of a MESSAGE.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sender {
    /// userId of the sender's chat token.
    pub user_id: String,
    /// attributes of the sender's chat token.
    pub attributes: BTreeMap<String, String>,
}

/// What the service pushes to clients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Type", rename_all = "UPPERCASE")]
pub enum Payload {
    /// A chat message.
    #[serde(rename_all = "PascalCase")]
    Message {
        /// Service-generated message id.
        id: String,
        /// The sender's RequestId, if it gave one.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        request_id: Option<String>,
        /// Message text.
        content: String,
        /// Message attributes.
        attributes: BTreeMap<String, String>,
        /// Who sent it.
        sender: Sender,
        /// ISO 8601, milliseconds.
        send_time: String,
    },
    /// An event: SendEvent, or a system event (`aws:DELETE_MESSAGE`, `aws:DISCONNECT_USER`).
    #[serde(rename_all = "PascalCase")]
    Event {
        /// Event id.
        id: String,
        /// RequestId of the request that caused it, if any.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        request_id: Option<String>,
        /// Event name.
        event_name: String,
        /// Event attributes.
        attributes: BTreeMap<String, String>,
        /// ISO 8601, milliseconds.
        send_time: String,
    },
    /// A failed request.
    #[serde(rename_all = "PascalCase")]
    Error {
        /// HTTP-like code: 400, 401, 403, 404, 406, 413, 429, 500.
        error_code: u16,
        /// What went wrong.
        error_message: String,
        /// Id of the failed operation.
        id: String,
        /// RequestId of the failed request, if it gave one.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        request_id: Option<String>,
    },
}

impl Payload {
    pub(crate) fn to_json(&self) -> String {
        // Maps of strings and strings only: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An ERROR answered to one request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Refusal {
    pub code: u16,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
