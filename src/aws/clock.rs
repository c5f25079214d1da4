//! The server's clock, as this process can know it: every IVS Chat answer carries an HTTP
//! `Date` header (the server's time, whole seconds, at or before the moment it answered). The
//! latest such reading plus the local monotonic time elapsed since is a lower bound of the
//! server's time now, however far the local wall clock is off. Rules that compare a moment
//! with a server timestamp (`updateTime`) use this bound, never the local clock.

use std::sync::Mutex;

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

/// Feeds a [`ServerClock`] from the `Date` header of every answer, errors included.
#[derive(Debug)]
pub struct DateHeaders(pub std::sync::Arc<ServerClock>);

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
