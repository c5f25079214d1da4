//! The in-memory state and every operation's behaviour. Callers hold one lock around
//! [`State`] for the duration of one call; calls do no I/O.

use crate::error::{ApiError, LOGGING_CONFIGURATION, ROOM};
use crate::ids::{ResourceKind, arn, iso8601, new_id, parse_arn};
use crate::model::{self, *};
use crate::token::{self, ChatTokenClaims};
use crate::validate::{self as v, Validator};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Message review handler of a room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageReviewHandler {
    /// Lambda ARN; empty once detached.
    pub uri: String,
    /// `ALLOW` or `DENY`.
    pub fallback_result: String,
}

/// A chat room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    /// ARN.
    pub arn: String,
    /// 12-character id.
    pub id: String,
    /// Region the room lives in.
    pub region: String,
    /// Name (may be empty).
    pub name: String,
    /// Creation time, ms since the epoch.
    pub create_time_ms: i64,
    /// Last update time, ms since the epoch.
    pub update_time_ms: i64,
    /// Ordering key: grows with every create or update.
    pub seq: u64,
    /// 1..100.
    pub maximum_message_rate_per_second: i64,
    /// 1..500.
    pub maximum_message_length: i64,
    /// Handler, if one was ever set.
    pub message_review_handler: Option<MessageReviewHandler>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Logging configuration ARNs (at most 3).
    pub logging_configuration_identifiers: Vec<String>,
}

/// Where a logging configuration sends messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Destination {
    /// S3 bucket.
    S3 {
        /// Bucket name.
        bucket_name: String,
    },
    /// CloudWatch Logs group.
    CloudWatchLogs {
        /// Log group name.
        log_group_name: String,
    },
    /// Firehose delivery stream.
    Firehose {
        /// Stream name.
        delivery_stream_name: String,
    },
}

/// State of a logging configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoggingState {
    /// Being created.
    Creating,
    /// Creation failed.
    CreateFailed,
    /// Being deleted.
    Deleting,
    /// Deletion failed.
    DeleteFailed,
    /// Being updated.
    Updating,
    /// Update failed.
    UpdateFailed,
    /// Ready.
    Active,
}

impl LoggingState {
    /// The wire name (`ACTIVE`, `CREATE_FAILED`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "CREATING",
            Self::CreateFailed => "CREATE_FAILED",
            Self::Deleting => "DELETING",
            Self::DeleteFailed => "DELETE_FAILED",
            Self::Updating => "UPDATING",
            Self::UpdateFailed => "UPDATE_FAILED",
            Self::Active => "ACTIVE",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "CREATING" => Self::Creating,
            "CREATE_FAILED" => Self::CreateFailed,
            "DELETING" => Self::Deleting,
            "DELETE_FAILED" => Self::DeleteFailed,
            "UPDATING" => Self::Updating,
            "UPDATE_FAILED" => Self::UpdateFailed,
            "ACTIVE" => Self::Active,
            _ => return None,
        })
    }

    fn transitional(self) -> bool {
        matches!(self, Self::Creating | Self::Updating | Self::Deleting)
    }
}

/// Which logging-configuration operation a forced failure applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoggingOperation {
    /// CreateLoggingConfiguration → CREATE_FAILED.
    Create,
    /// UpdateLoggingConfiguration → UPDATE_FAILED.
    Update,
    /// DeleteLoggingConfiguration → DELETE_FAILED.
    Delete,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pending {
    pub until_ms: i64,
    pub operation: LoggingOperation,
    pub fail: bool,
    /// Name and destination before an update, restored when the update fails.
    pub previous: Option<(String, Destination)>,
}

/// A logging configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggingConfiguration {
    /// ARN.
    pub arn: String,
    /// 12-character id.
    pub id: String,
    /// Region.
    pub region: String,
    /// Name (may be empty).
    pub name: String,
    /// Creation time, ms since the epoch.
    pub create_time_ms: i64,
    /// Last update time, ms since the epoch.
    pub update_time_ms: i64,
    /// Ordering key.
    pub seq: u64,
    /// Destination.
    pub destination: Destination,
    /// Current state.
    pub state: LoggingState,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) pending: Option<Pending>,
}

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

/// "Fail the next N create/update/delete of a logging configuration that matches".
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggingFailure {
    /// Operation to fail.
    pub operation: Option<LoggingOperation>,
    /// Regular expression the configuration's name must match (whole name).
    pub name_matches: Option<String>,
    /// Exact ARN (update / delete).
    pub arn: Option<String>,
    /// How many operations to fail (default 1).
    pub count: Option<u32>,
}

struct FailRule {
    operation: LoggingOperation,
    name: Option<Regex>,
    arn: Option<String>,
    remaining: u32,
}

#[derive(Default)]
pub(crate) struct RegionState {
    rooms: HashMap<String, Room>,
    room_order: BTreeMap<u64, String>,
    configs: HashMap<String, LoggingConfiguration>,
    config_order: BTreeMap<u64, String>,
}

/// Limits and clock of one call.
pub(crate) struct Ctx<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub now: i64,
    pub settle_ms: i64,
    pub token_ttl_ms: i64,
    pub max_rooms: usize,
    pub max_logging: usize,
}

pub(crate) struct State {
    regions: BTreeMap<String, RegionState>,
    seq: u64,
    token_key: Vec<u8>,
    fail_rules: Vec<FailRule>,
    events: VecDeque<RecordedEvent>,
    event_seq: u64,
    /// Bumped by every mutation; the persister writes when it changed.
    pub version: u64,
}

const MAX_EVENTS: usize = 10_000;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Persisted {
    format: u32,
    seq: u64,
    token_key: String,
    rooms: Vec<Room>,
    logging_configurations: Vec<LoggingConfiguration>,
}

fn page_token(kind: &str, seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("ivschat-local:{kind}:{seq}"))
}

fn parse_page_token(kind: &str, token: &str) -> Result<u64, ApiError> {
    let bad = || ApiError::validation_other("The nextToken is invalid.");
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let s = String::from_utf8(raw).map_err(|_| bad())?;
    let rest = s
        .strip_prefix("ivschat-local:")
        .and_then(|r| r.strip_prefix(kind))
        .and_then(|r| r.strip_prefix(':'))
        .ok_or_else(bad)?;
    rest.parse().map_err(|_| bad())
}

impl State {
    pub(crate) fn new() -> Self {
        let key: [u8; 32] = rand::random();
        Self {
            regions: BTreeMap::new(),
            seq: 0,
            token_key: key.to_vec(),
            fail_rules: Vec::new(),
            events: VecDeque::new(),
            event_seq: 0,
            version: 0,
        }
    }

    pub(crate) fn to_persisted(&self) -> Persisted {
        let mut rooms = Vec::new();
        let mut configs = Vec::new();
        for r in self.regions.values() {
            rooms.extend(
                r.room_order
                    .values()
                    .filter_map(|id| r.rooms.get(id))
                    .cloned(),
            );
            configs.extend(
                r.config_order
                    .values()
                    .filter_map(|id| r.configs.get(id))
                    .cloned(),
            );
        }
        Persisted {
            format: 1,
            seq: self.seq,
            token_key: hex::encode(&self.token_key),
            rooms,
            logging_configurations: configs,
        }
    }

    pub(crate) fn from_persisted(p: Persisted) -> Self {
        let mut s = Self::new();
        s.seq = p.seq;
        if let Ok(k) = hex::decode(&p.token_key)
            && !k.is_empty()
        {
            s.token_key = k;
        }
        for r in p.rooms {
            s.seq = s.seq.max(r.seq);
            let reg = s.regions.entry(r.region.clone()).or_default();
            reg.room_order.insert(r.seq, r.id.clone());
            reg.rooms.insert(r.id.clone(), r);
        }
        for c in p.logging_configurations {
            s.seq = s.seq.max(c.seq);
            let reg = s.regions.entry(c.region.clone()).or_default();
            reg.config_order.insert(c.seq, c.id.clone());
            reg.configs.insert(c.id.clone(), c);
        }
        s
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn record(&mut self, region: &str, now: i64, kind: EventKind) {
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

    fn region_mut(&mut self, region: &str) -> &mut RegionState {
        if !self.regions.contains_key(region) {
            self.regions
                .insert(region.to_owned(), RegionState::default());
        }
        self.regions
            .get_mut(region)
            .expect("region inserted just above")
    }

    // ----- introspection -------------------------------------------------------

    pub(crate) fn rooms(&self) -> Vec<Room> {
        self.regions
            .values()
            .flat_map(|r| r.room_order.values().rev().filter_map(|id| r.rooms.get(id)))
            .cloned()
            .collect()
    }

    pub(crate) fn logging_configurations(&self) -> Vec<LoggingConfiguration> {
        self.regions
            .values()
            .flat_map(|r| {
                r.config_order
                    .values()
                    .rev()
                    .filter_map(|id| r.configs.get(id))
            })
            .cloned()
            .collect()
    }

    pub(crate) fn events_since(&self, since: u64) -> Vec<RecordedEvent> {
        self.events
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect()
    }

    pub(crate) fn add_failure(&mut self, f: LoggingFailure) -> Result<(), String> {
        let operation = f.operation.ok_or("operation is required")?;
        let name = match f.name_matches {
            Some(p) => Some(Regex::new(&format!("^(?:{p})$")).map_err(|e| e.to_string())?),
            None => None,
        };
        self.fail_rules.push(FailRule {
            operation,
            name,
            arn: f.arn,
            remaining: f.count.unwrap_or(1).max(1),
        });
        Ok(())
    }

    fn take_failure(&mut self, op: LoggingOperation, name: &str, arn: &str) -> bool {
        let pos = self.fail_rules.iter().position(|r| {
            r.operation == op
                && r.name.as_ref().is_none_or(|re| re.is_match(name))
                && r.arn.as_deref().is_none_or(|a| a == arn)
        });
        let Some(pos) = pos else { return false };
        let rule = &mut self.fail_rules[pos];
        rule.remaining -= 1;
        if rule.remaining == 0 {
            self.fail_rules.remove(pos);
        }
        true
    }

    pub(crate) fn force_logging_state(
        &mut self,
        arn_s: &str,
        state: LoggingState,
    ) -> Result<(), String> {
        let p = parse_arn(arn_s).ok_or("not an ivschat ARN")?;
        let reg = self
            .regions
            .get_mut(p.region)
            .ok_or("no such logging configuration")?;
        let c = reg
            .configs
            .get_mut(p.id)
            .filter(|c| c.arn == arn_s)
            .ok_or("no such logging configuration")?;
        c.state = state;
        c.pending = None;
        self.version += 1;
        Ok(())
    }

    pub(crate) fn verify_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<ChatTokenClaims, token::TokenError> {
        token::verify(&self.token_key, token, now)
    }

    pub(crate) fn reset(&mut self) {
        self.regions.clear();
        self.fail_rules.clear();
        self.events.clear();
        self.version += 1;
    }

    /// Moves logging configurations whose settle time has passed to their final state.
    pub(crate) fn settle(&mut self, now: i64) {
        let mut removed = Vec::new();
        for (region, reg) in &mut self.regions {
            let mut gone = Vec::new();
            for c in reg.configs.values_mut() {
                let Some(p) = &c.pending else { continue };
                if p.until_ms > now {
                    continue;
                }
                let p = c.pending.take().expect("checked above");
                match (p.operation, p.fail) {
                    (LoggingOperation::Create, false) | (LoggingOperation::Update, false) => {
                        c.state = LoggingState::Active
                    }
                    (LoggingOperation::Create, true) => c.state = LoggingState::CreateFailed,
                    (LoggingOperation::Update, true) => {
                        c.state = LoggingState::UpdateFailed;
                        if let Some((name, dest)) = p.previous {
                            c.name = name;
                            c.destination = dest;
                        }
                    }
                    (LoggingOperation::Delete, false) => gone.push(c.id.clone()),
                    (LoggingOperation::Delete, true) => c.state = LoggingState::DeleteFailed,
                }
            }
            for id in gone {
                if let Some(c) = reg.configs.remove(&id) {
                    reg.config_order.remove(&c.seq);
                    removed.push((region.clone(), c.arn));
                }
            }
        }
        if !removed.is_empty() {
            self.version += 1;
        }
        for (region, arn) in removed {
            self.record(&region, now, EventKind::LoggingConfigurationDeleted { arn });
        }
    }

    // ----- lookups -------------------------------------------------------------

    fn locate<'a>(
        &self,
        ctx: &Ctx,
        arn_s: &'a str,
        kind: ResourceKind,
    ) -> Result<&'a str, ApiError> {
        let rt = match kind {
            ResourceKind::Room => ROOM,
            ResourceKind::LoggingConfiguration => LOGGING_CONFIGURATION,
        };
        match parse_arn(arn_s) {
            Some(p)
                if p.region == ctx.region && p.account == ctx.account && p.kind == Some(kind) =>
            {
                Ok(p.id)
            }
            Some(p) => Err(ApiError::not_found(rt, p.id)),
            None => Err(ApiError::not_found(rt, arn_s)),
        }
    }

    fn room(&self, ctx: &Ctx, arn_s: &str) -> Result<&Room, ApiError> {
        let id = self.locate(ctx, arn_s, ResourceKind::Room)?;
        self.regions
            .get(ctx.region)
            .and_then(|r| r.rooms.get(id))
            .ok_or_else(|| ApiError::not_found(ROOM, id))
    }

    fn config(&self, ctx: &Ctx, arn_s: &str) -> Result<&LoggingConfiguration, ApiError> {
        let id = self.locate(ctx, arn_s, ResourceKind::LoggingConfiguration)?;
        self.regions
            .get(ctx.region)
            .and_then(|r| r.configs.get(id))
            .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, id))
    }

    /// Every identifier must name an existing configuration that is not being deleted.
    fn check_logging_refs(&self, ctx: &Ctx, ids: &[String]) -> Result<(), ApiError> {
        for a in ids {
            let c = self.config(ctx, a)?;
            if matches!(c.state, LoggingState::Deleting | LoggingState::CreateFailed) {
                return Err(ApiError::Conflict {
                    message: format!(
                        "Logging configuration {} is in state {} and cannot be attached",
                        c.id,
                        c.state.as_str()
                    ),
                    resource_id: c.id.clone(),
                    resource_type: LOGGING_CONFIGURATION,
                });
            }
        }
        Ok(())
    }

    // ----- rooms ---------------------------------------------------------------

    pub(crate) fn create_room(&mut self, ctx: &Ctx, i: CreateRoomIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        validate_room_fields(
            &mut val,
            &i.name,
            i.maximum_message_rate_per_second,
            i.maximum_message_length,
            &i.message_review_handler,
            &i.logging_configuration_identifiers,
        );
        if let Some(t) = &i.tags {
            val.tags("tags", t);
        }
        val.finish()?;
        let logging = i.logging_configuration_identifiers.unwrap_or_default();
        self.check_logging_refs(ctx, &logging)?;
        let count = self.regions.get(ctx.region).map_or(0, |r| r.rooms.len());
        if count >= ctx.max_rooms {
            return Err(ApiError::ServiceQuotaExceeded {
                message: format!("Maximum number of rooms ({}) reached", ctx.max_rooms),
                resource_id: ctx.account.to_owned(),
                resource_type: ROOM,
                limit: i64::try_from(ctx.max_rooms).unwrap_or(i64::MAX),
            });
        }
        let id = new_id();
        let seq = self.next_seq();
        let room = Room {
            arn: arn(ctx.region, ctx.account, ResourceKind::Room, &id),
            id: id.clone(),
            region: ctx.region.to_owned(),
            name: i.name.unwrap_or_default(),
            create_time_ms: ctx.now,
            update_time_ms: ctx.now,
            seq,
            maximum_message_rate_per_second: i.maximum_message_rate_per_second.unwrap_or(10),
            maximum_message_length: i.maximum_message_length.unwrap_or(500),
            message_review_handler: i.message_review_handler.map(handler),
            tags: i.tags.unwrap_or_default(),
            logging_configuration_identifiers: logging,
        };
        let out = model::room_json(&room, true);
        let reg = self.region_mut(ctx.region);
        reg.room_order.insert(seq, id.clone());
        reg.rooms.insert(id, room);
        self.version += 1;
        Ok(out)
    }

    pub(crate) fn get_room(&self, ctx: &Ctx, i: IdentifierIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("identifier", &i.identifier);
        val.finish()?;
        let r = self.room(ctx, i.identifier.as_deref().unwrap_or_default())?;
        Ok(model::room_json(r, true))
    }

    pub(crate) fn update_room(&mut self, ctx: &Ctx, i: UpdateRoomIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("identifier", &i.identifier);
        validate_room_fields(
            &mut val,
            &i.name,
            i.maximum_message_rate_per_second,
            i.maximum_message_length,
            &i.message_review_handler,
            &i.logging_configuration_identifiers,
        );
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let id = self.room(ctx, &arn_s)?.id.clone();
        if let Some(l) = &i.logging_configuration_identifiers {
            self.check_logging_refs(ctx, l)?;
        }
        let seq = self.next_seq();
        let reg = self.region_mut(ctx.region);
        let room = reg
            .rooms
            .get_mut(&id)
            .ok_or_else(|| ApiError::not_found(ROOM, &id))?;
        if let Some(n) = i.name {
            room.name = n;
        }
        if let Some(x) = i.maximum_message_rate_per_second {
            room.maximum_message_rate_per_second = x;
        }
        if let Some(x) = i.maximum_message_length {
            room.maximum_message_length = x;
        }
        if let Some(h) = i.message_review_handler {
            room.message_review_handler = Some(handler(h));
        }
        if let Some(l) = i.logging_configuration_identifiers {
            room.logging_configuration_identifiers = l;
        }
        let old_seq = room.seq;
        room.seq = seq;
        room.update_time_ms = ctx.now.max(room.update_time_ms);
        let out = model::room_json(room, true);
        reg.room_order.remove(&old_seq);
        reg.room_order.insert(seq, id);
        self.version += 1;
        Ok(out)
    }

    pub(crate) fn delete_room(&mut self, ctx: &Ctx, i: IdentifierIn) -> Result<(), ApiError> {
        let mut val = Validator::new();
        val.room_identifier("identifier", &i.identifier);
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let id = self.room(ctx, &arn_s)?.id.clone();
        let reg = self.region_mut(ctx.region);
        if let Some(r) = reg.rooms.remove(&id) {
            reg.room_order.remove(&r.seq);
        }
        self.version += 1;
        self.record(ctx.region, ctx.now, EventKind::RoomDeleted { arn: arn_s });
        Ok(())
    }

    pub(crate) fn list_rooms(&self, ctx: &Ctx, i: ListRoomsIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(n) = &i.name {
            val.string("name", n, v::NAME_LEN, Some(&v::NAME));
        }
        if let Some(u) = &i.message_review_handler_uri {
            val.string(
                "messageReviewHandlerUri",
                u,
                v::LAMBDA_ARN_LEN,
                Some(&v::LAMBDA_ARN),
            );
        }
        if let Some(l) = &i.logging_configuration_identifier {
            val.logging_identifier("loggingConfigurationIdentifier", l);
        }
        if let Some(m) = i.max_results {
            val.range("maxResults", m, v::MAX_RESULTS);
        }
        if let Some(t) = &i.next_token {
            val.length("nextToken", t, v::NEXT_TOKEN_LEN);
        }
        val.finish()?;
        let cursor = match i.next_token.as_deref() {
            Some(t) if !t.is_empty() => Some(parse_page_token("rooms", t)?),
            _ => None,
        };
        let max = usize::try_from(i.max_results.unwrap_or(50)).unwrap_or(50);
        let mut rooms = Vec::new();
        let mut next = None;
        if let Some(reg) = self.regions.get(ctx.region) {
            let iter = reg
                .room_order
                .range(..cursor.unwrap_or(u64::MAX))
                .rev()
                .filter_map(|(_, id)| reg.rooms.get(id))
                .filter(|r| i.name.as_ref().is_none_or(|n| &r.name == n))
                .filter(|r| {
                    i.message_review_handler_uri.as_ref().is_none_or(|u| {
                        r.message_review_handler
                            .as_ref()
                            .is_some_and(|h| &h.uri == u)
                    })
                })
                .filter(|r| {
                    i.logging_configuration_identifier
                        .as_ref()
                        .is_none_or(|l| r.logging_configuration_identifiers.contains(l))
                });
            let mut last = None;
            for r in iter {
                if rooms.len() == max {
                    next = last.map(|s| page_token("rooms", s));
                    break;
                }
                last = Some(r.seq);
                rooms.push(model::room_json(r, false));
            }
        }
        let mut out = json!({ "rooms": rooms });
        if let Some(n) = next {
            out["nextToken"] = json!(n);
        }
        Ok(out)
    }

    // ----- logging configurations ----------------------------------------------

    pub(crate) fn create_logging(
        &mut self,
        ctx: &Ctx,
        i: CreateLoggingIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(n) = &i.name {
            val.string("name", n, v::NAME_LEN, Some(&v::NAME));
        }
        let dest = match val.required("destinationConfiguration", &i.destination_configuration) {
            Some(d) => destination(&mut val, d),
            None => None,
        };
        if let Some(t) = &i.tags {
            val.tags("tags", t);
        }
        val.finish()?;
        let dest = dest.ok_or_else(|| ApiError::validation_other("destinationConfiguration"))?;
        let count = self.regions.get(ctx.region).map_or(0, |r| r.configs.len());
        if count >= ctx.max_logging {
            return Err(ApiError::ServiceQuotaExceeded {
                message: format!(
                    "Maximum number of logging configurations ({}) reached",
                    ctx.max_logging
                ),
                resource_id: ctx.account.to_owned(),
                resource_type: LOGGING_CONFIGURATION,
                limit: i64::try_from(ctx.max_logging).unwrap_or(i64::MAX),
            });
        }
        let id = new_id();
        let arn_s = arn(
            ctx.region,
            ctx.account,
            ResourceKind::LoggingConfiguration,
            &id,
        );
        let name = i.name.unwrap_or_default();
        let fail = self.take_failure(LoggingOperation::Create, &name, &arn_s);
        let seq = self.next_seq();
        let mut c = LoggingConfiguration {
            arn: arn_s,
            id: id.clone(),
            region: ctx.region.to_owned(),
            name,
            create_time_ms: ctx.now,
            update_time_ms: ctx.now,
            seq,
            destination: dest,
            state: LoggingState::Creating,
            tags: i.tags.unwrap_or_default(),
            pending: Some(Pending {
                until_ms: ctx.now + ctx.settle_ms,
                operation: LoggingOperation::Create,
                fail,
                previous: None,
            }),
        };
        if ctx.settle_ms == 0 {
            c.state = if fail {
                LoggingState::CreateFailed
            } else {
                LoggingState::Active
            };
            c.pending = None;
        }
        // The model's CreateLoggingConfigurationState has the single value ACTIVE.
        let out = model::logging_json(&c, "ACTIVE");
        let reg = self.region_mut(ctx.region);
        reg.config_order.insert(seq, id.clone());
        reg.configs.insert(id, c);
        self.version += 1;
        Ok(out)
    }

    pub(crate) fn get_logging(&self, ctx: &Ctx, i: IdentifierIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(id) = val.required("identifier", &i.identifier) {
            val.logging_identifier("identifier", id);
        }
        val.finish()?;
        let c = self.config(ctx, i.identifier.as_deref().unwrap_or_default())?;
        Ok(model::logging_json(c, c.state.as_str()))
    }

    pub(crate) fn update_logging(
        &mut self,
        ctx: &Ctx,
        i: UpdateLoggingIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(id) = val.required("identifier", &i.identifier) {
            val.logging_identifier("identifier", id);
        }
        if let Some(n) = &i.name {
            val.string("name", n, v::NAME_LEN, Some(&v::NAME));
        }
        let dest = i
            .destination_configuration
            .as_ref()
            .and_then(|d| destination(&mut val, d));
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let c = self.config(ctx, &arn_s)?;
        if c.state.transitional() {
            return Err(conflict_state(c));
        }
        let id = c.id.clone();
        let new_name = i.name.clone().unwrap_or_else(|| c.name.clone());
        let fail = self.take_failure(LoggingOperation::Update, &new_name, &arn_s);
        let seq = self.next_seq();
        let reg = self.region_mut(ctx.region);
        let c = reg
            .configs
            .get_mut(&id)
            .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, &id))?;
        let previous = (c.name.clone(), c.destination.clone());
        c.name = new_name;
        if let Some(d) = dest {
            c.destination = d;
        }
        let old_seq = c.seq;
        c.seq = seq;
        c.update_time_ms = ctx.now.max(c.update_time_ms);
        let out = model::logging_json(c, "ACTIVE");
        if ctx.settle_ms == 0 {
            c.pending = None;
            if fail {
                c.state = LoggingState::UpdateFailed;
                c.name = previous.0;
                c.destination = previous.1;
            } else {
                c.state = LoggingState::Active;
            }
        } else {
            c.state = LoggingState::Updating;
            c.pending = Some(Pending {
                until_ms: ctx.now + ctx.settle_ms,
                operation: LoggingOperation::Update,
                fail,
                previous: Some(previous),
            });
        }
        reg.config_order.remove(&old_seq);
        reg.config_order.insert(seq, id);
        self.version += 1;
        Ok(out)
    }

    pub(crate) fn delete_logging(&mut self, ctx: &Ctx, i: IdentifierIn) -> Result<(), ApiError> {
        let mut val = Validator::new();
        if let Some(id) = val.required("identifier", &i.identifier) {
            val.logging_identifier("identifier", id);
        }
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let c = self.config(ctx, &arn_s)?;
        if c.state.transitional() {
            return Err(conflict_state(c));
        }
        let id = c.id.clone();
        let name = c.name.clone();
        if let Some(reg) = self.regions.get(ctx.region)
            && let Some(user) = reg
                .room_order
                .values()
                .rev()
                .filter_map(|rid| reg.rooms.get(rid))
                .find(|r| r.logging_configuration_identifiers.contains(&arn_s))
        {
            return Err(ApiError::Conflict {
                message: format!(
                    "Logging configuration {id} is used by room {} and cannot be deleted",
                    user.id
                ),
                resource_id: id,
                resource_type: LOGGING_CONFIGURATION,
            });
        }
        let fail = self.take_failure(LoggingOperation::Delete, &name, &arn_s);
        let reg = self.region_mut(ctx.region);
        let Some(c) = reg.configs.get_mut(&id) else {
            return Err(ApiError::not_found(LOGGING_CONFIGURATION, &id));
        };
        c.pending = Some(Pending {
            until_ms: ctx.now + ctx.settle_ms,
            operation: LoggingOperation::Delete,
            fail,
            previous: None,
        });
        c.state = LoggingState::Deleting;
        self.version += 1;
        if ctx.settle_ms == 0 {
            self.settle(ctx.now);
        }
        Ok(())
    }

    pub(crate) fn list_logging(&self, ctx: &Ctx, i: ListLoggingIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(m) = i.max_results {
            val.range("maxResults", m, v::MAX_RESULTS);
        }
        if let Some(t) = &i.next_token {
            val.length("nextToken", t, v::NEXT_TOKEN_LEN);
        }
        val.finish()?;
        let cursor = match i.next_token.as_deref() {
            Some(t) if !t.is_empty() => Some(parse_page_token("logging", t)?),
            _ => None,
        };
        let max = usize::try_from(i.max_results.unwrap_or(50)).unwrap_or(50);
        let mut list = Vec::new();
        let mut next = None;
        if let Some(reg) = self.regions.get(ctx.region) {
            let mut last = None;
            for c in reg
                .config_order
                .range(..cursor.unwrap_or(u64::MAX))
                .rev()
                .filter_map(|(_, id)| reg.configs.get(id))
            {
                if list.len() == max {
                    next = last.map(|s| page_token("logging", s));
                    break;
                }
                last = Some(c.seq);
                list.push(model::logging_json(c, c.state.as_str()));
            }
        }
        let mut out = json!({ "loggingConfigurations": list });
        if let Some(n) = next {
            out["nextToken"] = json!(n);
        }
        Ok(out)
    }

    // ----- tags ----------------------------------------------------------------

    fn validate_resource_arn(val: &mut Validator, arn_s: &str) {
        val.string(
            "resourceArn",
            arn_s,
            v::IDENTIFIER_LEN,
            Some(&v::RESOURCE_ARN),
        );
    }

    fn tags_mut(
        &mut self,
        ctx: &Ctx,
        arn_s: &str,
    ) -> Result<&mut BTreeMap<String, String>, ApiError> {
        let p = parse_arn(arn_s);
        let kind = p.as_ref().and_then(|p| p.kind);
        match kind {
            Some(ResourceKind::Room) => {
                let id = self.room(ctx, arn_s)?.id.clone();
                self.region_mut(ctx.region)
                    .rooms
                    .get_mut(&id)
                    .map(|r| &mut r.tags)
                    .ok_or_else(|| ApiError::not_found(ROOM, &id))
            }
            Some(ResourceKind::LoggingConfiguration) => {
                let id = self.config(ctx, arn_s)?.id.clone();
                self.region_mut(ctx.region)
                    .configs
                    .get_mut(&id)
                    .map(|c| &mut c.tags)
                    .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, &id))
            }
            None => Err(ApiError::not_found(ROOM, p.map_or(arn_s, |p| p.id))),
        }
    }

    pub(crate) fn tag_resource(
        &mut self,
        ctx: &Ctx,
        arn_s: &str,
        i: TagResourceIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        Self::validate_resource_arn(&mut val, arn_s);
        if let Some(t) = val.required("tags", &i.tags) {
            val.tags("tags", t);
        }
        val.finish()?;
        let new = i.tags.unwrap_or_default();
        let tags = self.tags_mut(ctx, arn_s)?;
        let merged = new.keys().filter(|k| !tags.contains_key(*k)).count() + tags.len();
        if merged > v::MAX_TAGS {
            let mut val = Validator::new();
            val.fail(
                "tags",
                format!("A resource can have at most {} tags", v::MAX_TAGS),
            );
            val.finish()?;
        }
        tags.extend(new);
        self.version += 1;
        Ok(json!({}))
    }

    pub(crate) fn untag_resource(
        &mut self,
        ctx: &Ctx,
        arn_s: &str,
        keys: Option<Vec<String>>,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        Self::validate_resource_arn(&mut val, arn_s);
        if let Some(keys) = val.required("tagKeys", &keys) {
            if keys.len() > v::MAX_TAGS {
                val.fail(
                    "tagKeys",
                    format!(
                        "Member must have length less than or equal to {}",
                        v::MAX_TAGS
                    ),
                );
            }
            for k in keys {
                val.tag_key("tagKeys", k);
            }
        }
        val.finish()?;
        let tags = self.tags_mut(ctx, arn_s)?;
        for k in keys.unwrap_or_default() {
            tags.remove(&k);
        }
        self.version += 1;
        Ok(json!({}))
    }

    pub(crate) fn list_tags(&mut self, ctx: &Ctx, arn_s: &str) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        Self::validate_resource_arn(&mut val, arn_s);
        val.finish()?;
        let tags = self.tags_mut(ctx, arn_s)?;
        Ok(json!({ "tags": tags }))
    }

    // ----- messaging -----------------------------------------------------------

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

fn conflict_state(c: &LoggingConfiguration) -> ApiError {
    ApiError::Conflict {
        message: format!(
            "Logging configuration {} is in state {}; try again later",
            c.id,
            c.state.as_str()
        ),
        resource_id: c.id.clone(),
        resource_type: LOGGING_CONFIGURATION,
    }
}

fn handler(h: HandlerIn) -> MessageReviewHandler {
    MessageReviewHandler {
        uri: h.uri.unwrap_or_default(),
        fallback_result: h.fallback_result.unwrap_or_else(|| "ALLOW".to_owned()),
    }
}

fn validate_room_fields(
    val: &mut Validator,
    name: &Option<String>,
    rate: Option<i64>,
    len: Option<i64>,
    handler: &Option<HandlerIn>,
    logging: &Option<Vec<String>>,
) {
    if let Some(n) = name {
        val.string("name", n, v::NAME_LEN, Some(&v::NAME));
    }
    if let Some(r) = rate {
        val.range("maximumMessageRatePerSecond", r, v::MAX_MESSAGE_RATE);
    }
    if let Some(l) = len {
        val.range("maximumMessageLength", l, v::MAX_MESSAGE_LENGTH);
    }
    if let Some(h) = handler {
        if let Some(u) = &h.uri {
            val.string(
                "messageReviewHandler.uri",
                u,
                v::LAMBDA_ARN_LEN,
                Some(&v::LAMBDA_ARN),
            );
        }
        if let Some(f) = &h.fallback_result {
            val.one_of(
                "messageReviewHandler.fallbackResult",
                f,
                v::FALLBACK_RESULTS,
            );
        }
    }
    if let Some(l) = logging {
        val.logging_identifiers("loggingConfigurationIdentifiers", l);
    }
}

/// Validates the destination union; returns it when valid.
fn destination(val: &mut Validator, d: &DestinationIn) -> Option<Destination> {
    let set = usize::from(d.s3.is_some())
        + usize::from(d.cloud_watch_logs.is_some())
        + usize::from(d.firehose.is_some())
        + d.other.len();
    if set != 1 {
        val.fail(
            "destinationConfiguration",
            "Member must have exactly one of s3, cloudWatchLogs, firehose set",
        );
        return None;
    }
    if let Some(s3) = &d.s3 {
        let name = val.required("destinationConfiguration.s3.bucketName", &s3.bucket_name)?;
        val.string(
            "destinationConfiguration.s3.bucketName",
            name,
            v::BUCKET_NAME_LEN,
            Some(&v::BUCKET_NAME),
        );
        return Some(Destination::S3 {
            bucket_name: name.clone(),
        });
    }
    if let Some(cw) = &d.cloud_watch_logs {
        let f = "destinationConfiguration.cloudWatchLogs.logGroupName";
        let name = val.required(f, &cw.log_group_name)?;
        val.string(f, name, v::LOG_GROUP_NAME_LEN, Some(&v::LOG_GROUP_NAME));
        return Some(Destination::CloudWatchLogs {
            log_group_name: name.clone(),
        });
    }
    if let Some(fh) = &d.firehose {
        let f = "destinationConfiguration.firehose.deliveryStreamName";
        let name = val.required(f, &fh.delivery_stream_name)?;
        val.string(
            f,
            name,
            v::DELIVERY_STREAM_NAME_LEN,
            Some(&v::DELIVERY_STREAM_NAME),
        );
        return Some(Destination::Firehose {
            delivery_stream_name: name.clone(),
        });
    }
    val.fail(
        "destinationConfiguration",
        "Member must have exactly one of s3, cloudWatchLogs, firehose set",
    );
    None
}
