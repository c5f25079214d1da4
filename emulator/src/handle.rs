//! Programmatic introspection and control, for tests.

use crate::app::App;
use crate::config::Faults;
use crate::error::Error;
use crate::store::{LoggingConfiguration, LoggingFailure, LoggingState, RecordedEvent, Room};
use crate::token::{ChatTokenClaims, TokenError};
use std::collections::BTreeMap;

/// A cheap, cloneable handle on a running emulator's state.
#[derive(Clone)]
pub struct Handle {
    pub(crate) app: App,
}

impl Handle {
    /// All rooms of every region, newest update first within a region.
    pub fn rooms(&self) -> Vec<Room> {
        let mut s = self.app.lock();
        s.settle(self.app.now_ms());
        s.rooms()
    }

    /// All logging configurations (with their current state).
    pub fn logging_configurations(&self) -> Vec<LoggingConfiguration> {
        let mut s = self.app.lock();
        s.settle(self.app.now_ms());
        s.logging_configurations()
    }

    /// Under eventual consistency: when Get* and List* will show the latest write to the
    /// room or logging configuration `arn`; `None` when they already do (or under strong
    /// consistency). By the machine's clock (the emulator's minus
    /// [`crate::Config::clock_skew_ms`]), so that a caller can sleep until then.
    pub fn visible_at(&self, arn: &str) -> Option<std::time::SystemTime> {
        let now = self.app.now_ms();
        let mut s = self.app.lock();
        s.settle(now);
        let ms = s
            .visible_at_ms(arn, now)?
            .saturating_sub(self.app.config.clock_skew_ms);
        std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_millis(u64::try_from(ms).ok()?))
    }

    /// Recorded messaging events, chat token issues and deletions, oldest first
    /// (the most recent 10,000).
    pub fn events(&self) -> Vec<RecordedEvent> {
        self.events_since(0)
    }

    /// Recorded events with `seq > since`.
    pub fn events_since(&self, since: u64) -> Vec<RecordedEvent> {
        self.app.lock().events_since(since)
    }

    /// Makes the next matching create / update / delete of a logging configuration end
    /// in CREATE_FAILED / UPDATE_FAILED / DELETE_FAILED after the settle time.
    pub fn fail_logging(&self, rule: LoggingFailure) -> Result<(), Error> {
        self.app.lock().add_failure(rule).map_err(Error::Invalid)
    }

    /// Puts a logging configuration into `state` at once (cancelling any transition).
    pub fn force_logging_state(&self, arn: &str, state: LoggingState) -> Result<(), Error> {
        let r = self.app.lock().force_logging_state(arn, state);
        self.app.persist.notify_one();
        r.map_err(|_| Error::NotFound(arn.to_owned()))
    }

    /// Checks a token returned by CreateChatToken: signature and expiry.
    pub fn verify_chat_token(&self, token: &str) -> Result<ChatTokenClaims, TokenError> {
        self.app.lock().verify_token(token, self.app.now_ms())
    }

    /// Open chat (WebSocket) connections to the room `room_arn`.
    pub fn chat_connections(&self, room_arn: &str) -> usize {
        self.app.hub.connections(room_arn)
    }

    /// Current fault settings.
    pub fn faults(&self) -> Faults {
        self.app.faults.get()
    }

    /// Replaces the fault settings (and reseeds the generator).
    pub fn set_faults(&self, faults: Faults) {
        self.app.faults.set(faults);
    }

    /// Number of requests routed to each operation so far (before quotas and faults).
    pub fn operation_counts(&self) -> BTreeMap<String, u64> {
        self.app
            .counts()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    /// The AWS API requests routed with `seq > since`, oldest first (the log keeps the
    /// most recent 20,000).
    pub fn requests_since(&self, since: u64) -> Vec<crate::RequestRecord> {
        self.app.requests.since(since)
    }

    /// The `seq` of the latest request record (0 before any request).
    pub fn last_request_seq(&self) -> u64 {
        self.app.requests.last_seq()
    }

    /// Now by the emulator's clock (the machine's plus [`crate::Config::clock_skew_ms`]).
    pub fn now(&self) -> std::time::SystemTime {
        let ms = u64::try_from(self.app.now_ms()).unwrap_or(0);
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms)
    }

    /// Deletes every resource, event and forced failure.
    pub fn reset(&self) {
        self.app.lock().reset();
        self.app.persist.notify_one();
    }
}
