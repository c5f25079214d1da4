//! Client-side pacing: one token bucket per (region, operation), so that all the resources of
//! one Terraform run, whatever their parallelism, call each operation at most at its quota.
//!
//! IVS Chat's rate quotas are per account, region and operation ("5 TPS each") and cannot be
//! raised. The bucket holds a single token: calls are spaced `1/rate` apart, which never
//! exceeds a server-side bucket of any burst size, and still runs an apply at the quota.
//! A slot is reserved under the lock and waited for outside it, so waiters are served in the
//! order they arrived and never wake up only to find the slot taken.
//!
//! Time comes from `tokio::time`, so tests run on a paused clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::operation::{Operation, RateLimits};
use crate::duration::{instant_after, interval_of_rate};

#[derive(Debug)]
struct Bucket {
    /// The earliest instant the next call may start.
    next: Instant,
}

/// Paces calls per region and operation.
#[derive(Debug)]
pub struct Pacer {
    rates: RateLimits,
    buckets: Mutex<HashMap<(String, Operation), Bucket>>,
}

impl Pacer {
    pub fn new(rates: RateLimits) -> Pacer {
        Pacer {
            rates,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn rates(&self) -> &RateLimits {
        &self.rates
    }

    /// The spacing between two calls of `op`.
    pub fn interval(&self, op: Operation) -> Duration {
        let rate = self.rates.rate(op.lane());
        // The slowest valid rate (RateLimits::MIN) spaces calls 100 s apart; a rate that slipped past validation
        // is clamped there rather than panicking.
        interval_of_rate(rate, Duration::from_secs(100))
    }

    /// Runs `f` on the bucket of `op` in `region` (new ones start free at `start`), under the
    /// lock.
    fn with_bucket<R>(
        &self,
        region: &str,
        op: Operation,
        start: Instant,
        f: impl FnOnce(&mut Bucket) -> R,
    ) -> R {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(buckets
            .entry((region.to_owned(), op))
            .or_insert(Bucket { next: start }))
    }

    /// Reserves the next slot for `op` in `region` and returns when it starts (now or later).
    pub fn reserve(&self, region: &str, op: Operation) -> Instant {
        let now = Instant::now();
        let interval = self.interval(op);
        self.with_bucket(region, op, now, |bucket| {
            let start = bucket.next.max(now);
            bucket.next = instant_after(start, interval);
            start
        })
    }

    /// Reserves a slot for `op` in `region` only if one starts now; otherwise leaves the lane
    /// untouched and returns when its next slot starts. Callers that may not need the call
    /// (a read the listing may answer first) take slots this way, so the lane never fills
    /// with reservations nobody uses.
    pub fn try_reserve_now(&self, region: &str, op: Operation) -> Result<(), Instant> {
        let now = Instant::now();
        let interval = self.interval(op);
        self.with_bucket(region, op, now, |bucket| {
            if bucket.next > now {
                return Err(bucket.next);
            }
            bucket.next = instant_after(now, interval);
            Ok(())
        })
    }

    /// Waits for the next slot of `op` in `region`.
    pub async fn acquire(&self, region: &str, op: Operation) {
        let start = self.reserve(region, op);
        tokio::time::sleep_until(start).await;
    }

    /// After the service throttled `op` anyway (another client shares the account, or the
    /// quota is lower than configured), holds every caller of `op` back for `pause`, so the
    /// whole process slows down rather than each caller retrying on its own.
    pub fn pause(&self, region: &str, op: Operation, pause: Duration) {
        let until = instant_after(Instant::now(), pause);
        self.with_bucket(region, op, until, |bucket| {
            if bucket.next < until {
                bucket.next = until;
            }
        });
    }
}

/// The pacing lanes of one region: a client's view of the shared [`Pacer`].
#[derive(Clone, Debug)]
pub(crate) struct Lanes {
    pacer: Arc<Pacer>,
    region: String,
}

impl Lanes {
    pub(crate) fn new(pacer: Arc<Pacer>, region: String) -> Lanes {
        Lanes { pacer, region }
    }

    /// Reserves the next slot of `op` (see [`Pacer::reserve`]).
    pub(crate) fn reserve(&self, op: Operation) -> Instant {
        self.pacer.reserve(&self.region, op)
    }

    /// A slot of `op` now, or when the next one starts (see [`Pacer::try_reserve_now`]).
    pub(crate) fn try_reserve_now(&self, op: Operation) -> Result<(), Instant> {
        self.pacer.try_reserve_now(&self.region, op)
    }

    /// Holds every caller of `op` back for `pause` (see [`Pacer::pause`]).
    pub(crate) fn pause(&self, op: Operation, pause: Duration) {
        self.pacer.pause(&self.region, op, pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_of_one_operation_are_spaced_at_the_quota() {
        let pacer = std::sync::Arc::new(Pacer::new(RateLimits::default()));
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let p = pacer.clone();
            tasks.push(tokio::spawn(async move {
                p.acquire("us-east-1", Operation::CreateRoom).await;
                Instant::now()
            }));
        }
        let mut starts = Vec::new();
        for t in tasks {
            starts.push(t.await.unwrap() - t0);
        }
        starts.sort();
        // 10 CreateRoom calls at 5 TPS: 0, 200 ms, ..., 1.8 s.
        assert_eq!(starts[0], Duration::ZERO);
        assert_eq!(starts[9], Duration::from_millis(1800));
        for w in starts.windows(2) {
            assert_eq!(w[1] - w[0], Duration::from_millis(200));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_is_taken_now_or_not_at_all() {
        let pacer = Pacer::new(RateLimits::default());
        assert_eq!(pacer.try_reserve_now("r", Operation::GetRoom), Ok(()));
        let next = pacer.try_reserve_now("r", Operation::GetRoom).unwrap_err();
        assert_eq!(next - Instant::now(), Duration::from_millis(200));
        // A refusal reserves nothing: the next queued call still starts at that slot.
        assert_eq!(pacer.reserve("r", Operation::GetRoom), next);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(pacer.try_reserve_now("r", Operation::GetRoom), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn operations_and_regions_have_their_own_buckets() {
        let pacer = Pacer::new(RateLimits::default());
        let a = pacer.reserve("us-east-1", Operation::CreateRoom);
        let b = pacer.reserve("us-east-1", Operation::GetRoom);
        let c = pacer.reserve("eu-west-1", Operation::CreateRoom);
        assert_eq!(a, b);
        assert_eq!(a, c);
        let d = pacer.reserve("us-east-1", Operation::CreateRoom);
        assert_eq!(d - a, Duration::from_millis(200));
        // Logging configurations at 3 TPS, tags at 10 TPS.
        let l1 = pacer.reserve("us-east-1", Operation::CreateLoggingConfiguration);
        let l2 = pacer.reserve("us-east-1", Operation::CreateLoggingConfiguration);
        assert_eq!((l2 - l1).as_millis(), 333);
        let t1 = pacer.reserve("us-east-1", Operation::TagResource);
        let t2 = pacer.reserve("us-east-1", Operation::TagResource);
        assert_eq!(t2 - t1, Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn configured_rates_override_the_quotas() {
        let pacer = Pacer::new(RateLimits::default().with(Operation::UpdateRoom.lane(), 2.0));
        assert_eq!(
            pacer.interval(Operation::UpdateRoom),
            Duration::from_millis(500)
        );
        assert_eq!(
            pacer.interval(Operation::TagResource),
            Duration::from_millis(100)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_bucket_does_not_bank_a_burst() {
        let pacer = Pacer::new(RateLimits::default());
        pacer.reserve("r", Operation::GetRoom);
        tokio::time::advance(Duration::from_secs(10)).await;
        let a = pacer.reserve("r", Operation::GetRoom);
        let b = pacer.reserve("r", Operation::GetRoom);
        assert_eq!(a, Instant::now());
        assert_eq!(b - a, Duration::from_millis(200));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_every_caller() {
        let pacer = Pacer::new(RateLimits::default());
        pacer.pause("r", Operation::CreateRoom, Duration::from_secs(2));
        let a = pacer.reserve("r", Operation::CreateRoom);
        assert_eq!(a - Instant::now(), Duration::from_secs(2));
        // A shorter pause never shortens a longer one.
        pacer.pause("r", Operation::CreateRoom, Duration::from_millis(10));
        let b = pacer.reserve("r", Operation::CreateRoom);
        assert_eq!(b - a, Duration::from_millis(200));
    }

    /// Issue 14: `rate_limits { room = 1e-30 }` panicked converting float seconds to a Duration.
    #[tokio::test(start_paused = true)]
    async fn a_tiny_or_huge_rate_or_pause_never_panics() {
        let pacer = Pacer::new(RateLimits::default().with(Operation::CreateRoom.lane(), 1e-30));
        assert_eq!(
            pacer.interval(Operation::CreateRoom),
            Duration::from_secs(100)
        );
        let a = pacer.reserve("r", Operation::CreateRoom);
        let b = pacer.reserve("r", Operation::CreateRoom);
        assert_eq!(b - a, Duration::from_secs(100));
        pacer.pause("r", Operation::GetRoom, Duration::MAX);
        assert!(pacer.reserve("r", Operation::GetRoom) > Instant::now());
    }
}
