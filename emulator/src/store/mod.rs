//! The in-memory state and every operation's behaviour. Callers hold one lock around
//! [`State`] for the duration of one call; calls do no I/O.
//!
//! One file per concern: rooms, logging configurations, tags, messaging (chat tokens,
//! events), the state file's form; this file holds what they share (regions, sequence
//! numbers, lookups by ARN, page tokens). The records themselves are in [`crate::records`].

mod consistency;
mod logging;
mod messaging;
mod persisted;
mod rooms;
mod tags;

pub(crate) use consistency::Visibility;
pub(crate) use messaging::RoomRules;
pub use messaging::{EventKind, RecordedEvent};
pub(crate) use persisted::Persisted;

use crate::error::{ApiError, LOGGING_CONFIGURATION, ROOM};
use crate::ids::{ResourceKind, parse_arn};
use crate::records::FailRule;
pub use crate::records::{
    Destination, LoggingConfiguration, LoggingFailure, LoggingOperation, LoggingState,
    MessageReviewHandler, Room,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use consistency::Lagged;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

#[derive(Default)]
pub(crate) struct RegionState {
    rooms: HashMap<String, Room>,
    room_order: BTreeMap<u64, String>,
    configs: HashMap<String, LoggingConfiguration>,
    config_order: BTreeMap<u64, String>,
    /// Rooms and configurations whose latest write reads do not all see yet.
    room_lag: HashMap<String, Lagged<Room>>,
    config_lag: HashMap<String, Lagged<LoggingConfiguration>>,
}

/// Limits and clock of one call.
pub(crate) struct Ctx<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub now: i64,
    /// `now` at the precision of createTime / updateTime.
    pub stamp: i64,
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
    visibility: Visibility,
    /// What the last calls asked of connected clients (drained after each call).
    signals: Vec<crate::chat::RoomSignal>,
    /// Bumped by every mutation; the persister writes when it changed.
    pub version: u64,
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
            visibility: Visibility::default(),
            signals: Vec::new(),
            version: 0,
        }
    }

    /// Sets the read consistency (the state file does not keep it).
    pub(crate) fn set_visibility(&mut self, visibility: Visibility) {
        self.visibility = visibility;
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
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

    pub(crate) fn reset(&mut self) {
        self.regions.clear();
        self.fail_rules.clear();
        self.events.clear();
        self.version += 1;
    }

    /// When reads will see the latest write to the room or logging configuration `arn_s`
    /// (ms since the epoch); `None` when they already do.
    pub(crate) fn visible_at_ms(&self, arn_s: &str, now: i64) -> Option<i64> {
        let p = parse_arn(arn_s)?;
        let reg = self.regions.get(p.region)?;
        let at = match p.kind? {
            ResourceKind::Room => reg.room_lag.get(p.id)?.visible_at(),
            ResourceKind::LoggingConfiguration => reg.config_lag.get(p.id)?.visible_at(),
        };
        (at > now).then_some(at)
    }

    // ----- consistency ---------------------------------------------------------

    fn eventual(&self) -> bool {
        self.visibility.eventual()
    }

    /// Records a write to room `id` at `at`; `before` is the room before it (taken only
    /// under eventual consistency).
    fn note_room(&mut self, region: &str, id: &str, before: Option<Room>, at: i64) {
        if !self.eventual() {
            return;
        }
        let Some(reg) = self.regions.get_mut(region) else {
            return;
        };
        let after = reg.rooms.get(id).cloned();
        consistency::note_write(
            &mut self.visibility,
            &mut reg.room_lag,
            id,
            before,
            after,
            at,
        );
    }

    /// As [`Self::note_room`], for a logging configuration.
    fn note_config(
        &mut self,
        region: &str,
        id: &str,
        before: Option<LoggingConfiguration>,
        at: i64,
    ) {
        if !self.eventual() {
            return;
        }
        let Some(reg) = self.regions.get_mut(region) else {
            return;
        };
        let after = reg.configs.get(id).cloned();
        consistency::note_write(
            &mut self.visibility,
            &mut reg.config_lag,
            id,
            before,
            after,
            at,
        );
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

    /// The room as reads see it now (writes use [`Self::room`]).
    fn visible_room(&self, ctx: &Ctx, arn_s: &str) -> Result<Cow<'_, Room>, ApiError> {
        let id = self.locate(ctx, arn_s, ResourceKind::Room)?;
        self.regions
            .get(ctx.region)
            .and_then(|r| consistency::visible(&r.rooms, &r.room_lag, id, ctx.now))
            .ok_or_else(|| ApiError::not_found(ROOM, id))
    }

    /// The logging configuration as reads see it now (writes use [`Self::config`]).
    fn visible_config(
        &self,
        ctx: &Ctx,
        arn_s: &str,
    ) -> Result<Cow<'_, LoggingConfiguration>, ApiError> {
        let id = self.locate(ctx, arn_s, ResourceKind::LoggingConfiguration)?;
        self.regions
            .get(ctx.region)
            .and_then(|r| consistency::visible(&r.configs, &r.config_lag, id, ctx.now))
            .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, id))
    }

    fn config(&self, ctx: &Ctx, arn_s: &str) -> Result<&LoggingConfiguration, ApiError> {
        let id = self.locate(ctx, arn_s, ResourceKind::LoggingConfiguration)?;
        self.regions
            .get(ctx.region)
            .and_then(|r| r.configs.get(id))
            .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, id))
    }
}
