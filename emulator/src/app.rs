//! Shared application state: the store behind one lock, quotas, faults, counters.

use crate::chat::log::ChatLog;
use crate::chat::payload::Payload;
use crate::chat::{Hub, RoomSignal};
use crate::config::{Config, TimestampPrecision};
use crate::error::ApiError;
use crate::faults::FaultInjector;
use crate::ids;
use crate::operation::Operation;
use crate::quota::Quotas;
use crate::requests::RequestLog;
use crate::store::{Ctx, State, Visibility};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

pub(crate) type App = Arc<Shared>;

pub(crate) struct Shared {
    pub config: Config,
    state: Mutex<State>,
    pub quotas: Quotas,
    pub faults: FaultInjector,
    /// Open chat connections.
    pub hub: Hub,
    /// Chat logging (when a directory was given).
    chat_log: Option<ChatLog>,
    /// Wakes the persister after a mutation.
    pub persist: Notify,
    counts: [AtomicU64; 17],
    /// The AWS API requests routed, latest last.
    pub requests: RequestLog,
}

/// Per-connection handle that drops the connection when fired.
#[derive(Clone)]
pub(crate) struct ConnAbort(pub Arc<Notify>);

impl ConnAbort {
    pub(crate) fn fire(&self) {
        self.0.notify_one();
    }
}

impl Shared {
    pub(crate) fn new(config: Config, mut state: State) -> Self {
        state.set_visibility(Visibility::new(config.consistency, config.faults.seed));
        Self {
            quotas: Quotas::new(config.quotas),
            faults: FaultInjector::new(config.faults.clone()),
            hub: Hub::default(),
            chat_log: config
                .chat_log_dir
                .clone()
                .map(|d| ChatLog::new(d, config.account_id.clone())),
            config,
            state: Mutex::new(state),
            persist: Notify::new(),
            counts: Default::default(),
            requests: RequestLog::new(),
        }
    }

    /// The emulator's clock: the machine's plus the configured skew.
    pub(crate) fn now_ms(&self) -> i64 {
        ids::now_ms().saturating_add(self.config.clock_skew_ms)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn count(&self, op: Operation) {
        self.counts[op.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Delivers a MESSAGE or EVENT to the room's clients and to its logging destinations.
    pub(crate) fn publish(&self, room_arn: &str, payload: &Payload) {
        self.hub.broadcast(room_arn, payload);
        if let Some(log) = &self.chat_log {
            let destinations = {
                let mut s = self.lock();
                s.settle(ids::now_ms());
                s.room_rules(room_arn)
                    .map(|r| s.logging_destinations(&r.logging_configuration_identifiers))
                    .unwrap_or_default()
            };
            if !destinations.is_empty() {
                log.write(room_arn, &destinations, payload, ids::now_ms());
            }
        }
    }

    pub(crate) fn counts(&self) -> Vec<(&'static str, u64)> {
        Operation::ALL
            .iter()
            .map(|o| (o.name(), self.counts[o.index()].load(Ordering::Relaxed)))
            .collect()
    }

    /// Runs one operation under the lock, after settling logging configurations.
    pub(crate) fn with_state<T>(
        &self,
        region: &str,
        f: impl FnOnce(&mut State, &Ctx) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let now = self.now_ms();
        let ctx = Ctx {
            region,
            account: &self.config.account_id,
            now,
            stamp: match self.config.timestamp_precision {
                TimestampPrecision::Millis => now,
                TimestampPrecision::Seconds => ids::whole_seconds(now),
            },
            settle_ms: i64::try_from(self.config.logging_settle.as_millis())
                .unwrap_or(i64::MAX / 4),
            token_ttl_ms: i64::try_from(self.config.chat_token_ttl.as_millis())
                .unwrap_or(i64::MAX / 4),
            max_rooms: self.config.max_rooms,
            max_logging: self.config.max_logging_configurations,
        };
        let (res, changed, signals) = {
            let mut s = self.lock();
            let before = s.version;
            s.settle(now);
            let res = f(&mut s, &ctx);
            (res, s.version != before, s.take_signals())
        };
        for signal in signals {
            match signal {
                RoomSignal::Push { room_arn, payload } => self.publish(&room_arn, &payload),
                other => self.hub.deliver(other),
            }
        }
        if changed {
            self.persist.notify_one();
        }
        res
    }
}
