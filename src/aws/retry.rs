//! How retries are spaced, and when to give up.

use std::time::Duration;

use super::{ApiError, ErrorKind, IvsChat, Operation};

/// Retries after a connection could not be made at all.
pub const CONNECT_RETRIES: u32 = 3;

/// How retries are spaced.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff's upper bound; doubles with each retry.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
    /// `adaptive`: a throttled operation also holds back every other caller of it.
    pub adaptive: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 25,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(20),
            adaptive: true,
        }
    }
}

impl RetryPolicy {
    /// The upper bound of the backoff before retry number `retry` (0-based).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(20));
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Full jitter: uniform in [ceiling/2, ceiling], so retries of parallel callers spread
    /// out while each still waits a meaningful time.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let half = ceiling / 2;
        let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX);
        half.saturating_add(Duration::from_micros(if spread == 0 {
            0
        } else {
            fastrand::u64(0..=spread)
        }))
    }
}

/// What a failed attempt means for the loop.
pub(super) enum Next {
    RetryAfter(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// Whether to retry after `retry` earlier retries, and after how long.
    pub(super) fn next(&self, err: &ApiError, retry: u32) -> Next {
        // A refused connection (nothing listens, wrong port) rarely heals within minutes, unlike
        // throttling or a 5xx: give it a few quick retries, so a wrong endpoint surfaces in
        // seconds rather than after the whole max_retries budget.
        let budget = if err.kind == ErrorKind::Transport && !err.ambiguous {
            self.max_retries.min(CONNECT_RETRIES)
        } else {
            self.max_retries
        };
        if !err.kind.is_retryable() || retry >= budget {
            return Next::GiveUp;
        }
        Next::RetryAfter(self.backoff(retry))
    }
}

impl IvsChat {
    /// Decides whether to retry after `retry` earlier retries, pausing the operation's lane on
    /// throttling when adaptive.
    pub(super) fn next(&self, err: &ApiError, retry: u32) -> Next {
        let next = self.inner.retry.next(err, retry);
        if let Next::RetryAfter(delay) = next
            && err.kind == ErrorKind::Throttling
            && self.inner.retry.adaptive
        {
            self.inner.lanes.pause(err.operation, delay);
        }
        next
    }

    pub(super) async fn wait(&self, op: Operation, delay: Duration) -> Result<(), ApiError> {
        let until = crate::duration::instant_after(tokio::time::Instant::now(), delay);
        self.sleep_until(op, until).await
    }
}
