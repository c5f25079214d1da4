//! The server's clock, as this process can know it: every IVS Chat answer carries an HTTP
//! `Date` header (the server's time, whole seconds, at or before the moment it answered). The
//! latest such reading plus the local monotonic time elapsed since is a lower bound of the
//! server's time now, however far the local wall clock is off. Rules that compare a moment
//! with a server timestamp (`updateTime`) use this bound, never the local clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::date_time::{DateTime, Format};
use tokio::time::Instant;

/// A lower bound of the server's time, in milliseconds since the epoch.
#[derive(Debug, Default)]
pub struct ServerClock {
    /// The reading that gives the highest bound: server milliseconds, and when it was seen.
    best: Mutex<Option<(i64, Instant)>>,
}

impl ServerClock {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(i64, Instant)>> {
        self.best
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes a reading: the server's time was at least `server_ms` now.
    pub fn observe(&self, server_ms: i64) {
        let now = Instant::now();
        let mut best = self.lock();
        let higher = match *best {
            Some((ms, seen)) => server_ms > bound(ms, seen, now),
            None => true,
        };
        if higher {
            *best = Some((server_ms, now));
        }
    }

    /// The server's time now, at least (`None` before the first answer).
    pub fn now_ms(&self) -> Option<i64> {
        let now = Instant::now();
        self.lock().map(|(ms, seen)| bound(ms, seen, now))
    }
}

fn bound(ms: i64, seen: Instant, now: Instant) -> i64 {
    let elapsed = i64::try_from(now.saturating_duration_since(seen).as_millis()).unwrap_or(0);
    ms.saturating_add(elapsed)
}

/// How long reads may lag writes (the provider's `max_read_lag`), judged on the server's clock.
#[derive(Clone, Debug)]
pub(crate) struct ReadLag {
    lag: Duration,
    clock: Arc<ServerClock>,
}

impl ReadLag {
    pub(crate) fn new(lag: Duration, clock: Arc<ServerClock>) -> ReadLag {
        ReadLag { lag, clock }
    }

    pub(crate) fn lag(&self) -> Duration {
        self.lag
    }

    /// The lag in milliseconds, the unit of `updateTime`s.
    pub(crate) fn read_lag_ms(&self) -> i64 {
        i64::try_from(self.lag.as_millis()).unwrap_or(i64::MAX)
    }

    /// The server's time now, at least (`None` before the first answer).
    pub(crate) fn server_now_ms(&self) -> Option<i64> {
        self.clock.now_ms()
    }

    /// How long until reads must show a write at `written_ms` (server time): `max_read_lag`
    /// after it by the server's clock (an older write is visible by then, so a read that does
    /// not show it means someone else changed or deleted the object); without a server time
    /// yet, `max_read_lag` after `started` by the local one, waiting being the safe side.
    pub(crate) fn till_visible(&self, written_ms: i64, started: Instant) -> Duration {
        match self.server_now_ms() {
            Some(now) => {
                let left = written_ms
                    .saturating_add(self.read_lag_ms())
                    .saturating_sub(now);
                Duration::from_millis(u64::try_from(left).unwrap_or(0))
            }
            None => self.lag.saturating_sub(started.elapsed()),
        }
    }
}

/// Feeds a [`ServerClock`] from the `Date` header of every answer, errors included.
#[derive(Debug)]
pub struct DateHeaders(pub Arc<ServerClock>);

impl Intercept for DateHeaders {
    fn name(&self) -> &'static str {
        "ServerClock"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // A missing or malformed header only leaves the bound where it was.
        if let Some(ms) = context
            .response()
            .headers()
            .get("date")
            .and_then(|d| DateTime::from_str(d, Format::HttpDate).ok())
            .and_then(|t| t.secs().checked_mul(1000))
        {
            self.0.observe(ms);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_bound_advances_with_local_time_and_keeps_the_highest_reading() {
        let clock = ServerClock::default();
        assert_eq!(clock.now_ms(), None);
        clock.observe(10_000);
        tokio::time::advance(std::time::Duration::from_millis(1_500)).await;
        assert_eq!(clock.now_ms(), Some(11_500));
        // An older reading (a slow answer's header) lowers nothing.
        clock.observe(10_000);
        assert_eq!(clock.now_ms(), Some(11_500));
        clock.observe(20_000);
        assert_eq!(clock.now_ms(), Some(20_000));
    }
}
