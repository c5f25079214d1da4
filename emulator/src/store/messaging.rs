//! Messaging and its record: CreateChatToken, SendEvent, DeleteMessage, DisconnectUser,
//! and the event log (which also records deletions).

use super::{Ctx, State};
use crate::chat::RoomSignal;
use crate::chat::payload::{self, Payload};
use crate::error::ApiError;
use crate::ids::{ResourceKind, iso8601, new_id, parse_arn};
use crate::model::*;
use crate::records::MessageReviewHandler;
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

/// What the messaging plane needs to know about a room, read for every request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RoomRules {
    pub region: String,
    pub maximum_message_length: i64,
    pub maximum_message_rate_per_second: i64,
    pub message_review_handler: Option<MessageReviewHandler>,
    pub logging_configuration_identifiers: Vec<String>,
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

    /// The rules of the room `arn` as writes left them (the messaging plane does not lag).
    pub(crate) fn room_rules(&self, arn: &str) -> Option<RoomRules> {
        let p = parse_arn(arn).filter(|p| p.kind == Some(ResourceKind::Room))?;
        let room = self.regions.get(p.region)?.rooms.get(p.id)?;
        (room.arn == arn).then(|| RoomRules {
            region: room.region.clone(),
            maximum_message_length: room.maximum_message_length,
            maximum_message_rate_per_second: room.maximum_message_rate_per_second,
            message_review_handler: room.message_review_handler.clone(),
            logging_configuration_identifiers: room.logging_configuration_identifiers.clone(),
        })
    }

    /// Destinations of the ACTIVE logging configurations among `arns`.
    pub(crate) fn logging_destinations(&self, arns: &[String]) -> Vec<crate::records::Destination> {
        arns.iter()
            .filter_map(|arn| {
                let p = parse_arn(arn)
                    .filter(|p| p.kind == Some(ResourceKind::LoggingConfiguration))?;
                let c = self.regions.get(p.region)?.configs.get(p.id)?;
                (c.arn == *arn && c.state == crate::records::LoggingState::Active)
                    .then(|| c.destination.clone())
            })
            .collect()
    }

    /// What control-plane calls since the last take asked of connected clients.
    pub(crate) fn take_signals(&mut self) -> Vec<RoomSignal> {
        std::mem::take(&mut self.signals)
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
        let event_name = i.event_name.unwrap_or_default();
        let attributes = i.attributes.unwrap_or_default();
        self.signals.push(RoomSignal::Push {
            room_arn: room_arn.clone(),
            payload: Payload::Event {
                id: id.clone(),
                request_id: None,
                event_name: event_name.clone(),
                attributes: attributes.clone(),
                send_time: iso8601(ctx.now),
            },
        });
        self.record(
            ctx.region,
            ctx.now,
            EventKind::SendEvent {
                room_arn,
                id: id.clone(),
                event_name,
                attributes,
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
        let message_id = i.id.unwrap_or_default();
        let mut attributes = BTreeMap::from([
            ("MessageId".to_owned(), message_id.clone()),
            // Deprecated spelling that clients (the JS SDK among them) still read.
            ("MessageID".to_owned(), message_id.clone()),
        ]);
        if let Some(r) = &i.reason {
            attributes.insert("Reason".to_owned(), r.clone());
        }
        self.signals.push(RoomSignal::Push {
            room_arn: room_arn.clone(),
            payload: Payload::Event {
                id: id.clone(),
                request_id: None,
                event_name: payload::EVENT_DELETE_MESSAGE.to_owned(),
                attributes,
                send_time: iso8601(ctx.now),
            },
        });
        self.record(
            ctx.region,
            ctx.now,
            EventKind::DeleteMessage {
                room_arn,
                id: id.clone(),
                message_id,
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
        let user_id = i.user_id.unwrap_or_default();
        let mut attributes = BTreeMap::from([("UserId".to_owned(), user_id.clone())]);
        if let Some(r) = &i.reason {
            attributes.insert("Reason".to_owned(), r.clone());
        }
        self.signals.push(RoomSignal::Push {
            room_arn: room_arn.clone(),
            payload: Payload::Event {
                id: new_id(),
                request_id: None,
                event_name: payload::EVENT_DISCONNECT_USER.to_owned(),
                attributes,
                send_time: iso8601(ctx.now),
            },
        });
        self.signals.push(RoomSignal::Disconnect {
            room_arn: room_arn.clone(),
            user_id: user_id.clone(),
        });
        self.record(
            ctx.region,
            ctx.now,
            EventKind::DisconnectUser {
                room_arn,
                user_id,
                reason: i.reason,
            },
        );
        Ok(json!({}))
    }
}
