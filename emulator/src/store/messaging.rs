//! Messaging and its record: CreateChatToken, SendEvent, DeleteMessage, DisconnectUser,
//! and the event log (which also records deletions).

use super::{Ctx, State};
use crate::error::ApiError;
use crate::ids::{iso8601, new_id};
use crate::model::*;
use crate::token::{self, ChatTokenClaims};
use crate::validate::{self as v, Validator};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Something the messaging operations (and deletions) did, kept for introspection.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedEvent {
    /// Increasing sequence number (use it with `events_since`).
    pub seq: u64,
    /// When, ISO 8601.
    pub time: String,
    /// Region of the request.
    pub region: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Kinds of [`RecordedEvent`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum EventKind {
    /// SendEvent.
    SendEvent {
        /// Room ARN.
        room_arn: String,
        /// Returned id.
        id: String,
        /// eventName.
        event_name: String,
        /// attributes.
        attributes: BTreeMap<String, String>,
    },
    /// DeleteMessage.
    DeleteMessage {
        /// Room ARN.
        room_arn: String,
        /// Returned operation id.
        id: String,
        /// Id of the deleted message.
        message_id: String,
        /// reason.
        reason: Option<String>,
    },
    /// DisconnectUser.
    DisconnectUser {
        /// Room ARN.
        room_arn: String,
        /// userId.
        user_id: String,
        /// reason.
        reason: Option<String>,
    },
    /// CreateChatToken.
    ChatTokenCreated {
        /// Room ARN.
        room_arn: String,
        /// userId.
        user_id: String,
        /// capabilities.
        capabilities: Vec<String>,
        /// Token id (see [`ChatTokenClaims::token_id`]).
        token_id: String,
    },
    /// DeleteRoom.
    RoomDeleted {
        /// Room ARN.
        arn: String,
    },
    /// A logging configuration left the store.
    LoggingConfigurationDeleted {
        /// ARN.
        arn: String,
    },
}

/// Events kept for introspection.
const MAX_EVENTS: usize = 10_000;

impl State {
    pub(super) fn record(&mut self, region: &str, now: i64, kind: EventKind) {
        self.event_seq += 1;
        self.events.push_back(RecordedEvent {
            seq: self.event_seq,
            time: iso8601(now),
            region: region.to_owned(),
            kind,
        });
        while self.events.len() > MAX_EVENTS {
            self.events.pop_front();
        }
    }

    pub(crate) fn events_since(&self, since: u64) -> Vec<RecordedEvent> {
        self.events
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect()
    }

    pub(crate) fn verify_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<ChatTokenClaims, token::TokenError> {
        token::verify(&self.token_key, token, now)
    }

    pub(crate) fn create_chat_token(
        &mut self,
        ctx: &Ctx,
        i: CreateChatTokenIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("roomIdentifier", &i.room_identifier);
        if let Some(u) = val.required("userId", &i.user_id) {
            val.length("userId", u, v::USER_ID_LEN);
        }
        for c in i.capabilities.iter().flatten() {
            val.one_of("capabilities", c, v::CAPABILITIES);
        }
        if let Some(d) = i.session_duration_in_minutes {
            val.range("sessionDurationInMinutes", d, v::SESSION_DURATION);
        }
        if let Some(a) = &i.attributes {
            val.attributes("attributes", a);
        }
        val.finish()?;
        let room_arn = self
            .room(ctx, i.room_identifier.as_deref().unwrap_or_default())?
            .arn
            .clone();
        let minutes = i.session_duration_in_minutes.unwrap_or(60);
        let claims = ChatTokenClaims {
            room_arn: room_arn.clone(),
            user_id: i.user_id.unwrap_or_default(),
            capabilities: i.capabilities.unwrap_or_default(),
            attributes: i.attributes.unwrap_or_default(),
            session_duration_in_minutes: minutes,
            issued_at_ms: ctx.now,
            token_expires_at_ms: ctx.now + ctx.token_ttl_ms,
            session_expires_at_ms: ctx.now + minutes * 60_000,
            token_id: new_id(),
        };
        let tok = token::sign(&self.token_key, &claims);
        let out = json!({
            "token": tok,
            "tokenExpirationTime": iso8601(claims.token_expires_at_ms),
            "sessionExpirationTime": iso8601(claims.session_expires_at_ms),
        });
        self.record(
            ctx.region,
            ctx.now,
            EventKind::ChatTokenCreated {
                room_arn,
                user_id: claims.user_id,
                capabilities: claims.capabilities,
                token_id: claims.token_id,
            },
        );
        Ok(out)
    }

    pub(crate) fn send_event(&mut self, ctx: &Ctx, i: SendEventIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("roomIdentifier", &i.room_identifier);
        if let Some(n) = val.required("eventName", &i.event_name) {
            val.length("eventName", n, v::EVENT_NAME_LEN);
        }
        if let Some(a) = &i.attributes {
            val.attributes("attributes", a);
        }
        val.finish()?;
        let room_arn = self
            .room(ctx, i.room_identifier.as_deref().unwrap_or_default())?
            .arn
            .clone();
        let id = new_id();
        self.record(
            ctx.region,
            ctx.now,
            EventKind::SendEvent {
                room_arn,
                id: id.clone(),
                event_name: i.event_name.unwrap_or_default(),
                attributes: i.attributes.unwrap_or_default(),
            },
        );
        Ok(json!({ "id": id }))
    }

    pub(crate) fn delete_message(
        &mut self,
        ctx: &Ctx,
        i: DeleteMessageIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("roomIdentifier", &i.room_identifier);
        if let Some(m) = val.required("id", &i.id) {
            val.string("id", m, v::ID_LEN, Some(&v::ID));
        }
        if let Some(r) = &i.reason {
            val.length("reason", r, v::REASON_LEN);
        }
        val.finish()?;
        let room_arn = self
            .room(ctx, i.room_identifier.as_deref().unwrap_or_default())?
            .arn
            .clone();
        let id = new_id();
        self.record(
            ctx.region,
            ctx.now,
            EventKind::DeleteMessage {
                room_arn,
                id: id.clone(),
                message_id: i.id.unwrap_or_default(),
                reason: i.reason,
            },
        );
        Ok(json!({ "id": id }))
    }

    pub(crate) fn disconnect_user(
        &mut self,
        ctx: &Ctx,
        i: DisconnectUserIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("roomIdentifier", &i.room_identifier);
        if let Some(u) = val.required("userId", &i.user_id) {
            val.length("userId", u, v::USER_ID_LEN);
        }
        if let Some(r) = &i.reason {
            val.length("reason", r, v::REASON_LEN);
        }
        val.finish()?;
        let room_arn = self
            .room(ctx, i.room_identifier.as_deref().unwrap_or_default())?
            .arn
            .clone();
        self.record(
            ctx.region,
            ctx.now,
            EventKind::DisconnectUser {
                room_arn,
                user_id: i.user_id.unwrap_or_default(),
                reason: i.reason,
            },
        );
        Ok(json!({}))
    }
}
