//! Reads that never go back in time: IVS Chat's reads are eventually consistent, so for a while
//! after a write GetRoom / GetLoggingConfiguration may still serve the version before it (a new
//! object not found, an updated one with its old values and `updateTime`, a deleted one still
//! there).
//!
//! Every write this provider process makes is remembered per object ([`Written`]: the
//! `updateTime` the API returned). A resource also keeps it in its private state, so that a
//! later Terraform run expects it too. A read that serves something older than what is
//! expected (not found, or an earlier `updateTime`) is retried with backoff, for at most the
//! provider's `max_read_lag` ([`DEFAULT_READ_LAG`]) and never past the operation's deadline,
//! instead of being reported as drift or as a deleted object. Whether a write is recent enough
//! to wait for is judged on the server's clock ([`super::ServerClock`]), never the local one.
//! Reads of objects nobody just wrote cost exactly one call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

use super::{ApiError, IvsChat, Operation};
use crate::server::PrivateData;

/// The default of the provider's `max_read_lag`: how long a read keeps retrying a version older
/// than the provider's own last write. AWS's lag is usually well under a second; hashicorp/aws
/// tolerates 20 not-found reads after a create (about that long with its backoff).
pub const DEFAULT_READ_LAG: Duration = Duration::from_secs(30);

/// The first pause before re-reading; doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(2);

/// A write the provider made to an object: the `updateTime` the API answered with, in
/// milliseconds since the epoch. Kept in the object's private state under `last_write`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub update_time_ms: i64,
}

impl PrivateData for Written {
    const KEY: &'static str = "last_write";
}

impl Written {
    /// The write an API answer's `updateTime` records (`None`: the API gave none).
    pub fn at(update_time: Option<&DateTime>) -> Option<Written> {
        let t = update_time?;
        let ms = t
            .secs()
            .checked_mul(1000)?
            .checked_add(i64::from(t.subsec_nanos() / 1_000_000))?;
        Some(Written { update_time_ms: ms })
    }

    /// True when a read serving `update_time` shows this write (or a later one).
    pub fn seen_in(self, update_time: Option<&DateTime>) -> bool {
        // An answer without updateTime cannot be compared: take it as it is.
        Written::at(update_time).is_none_or(|served| served >= self)
    }
}

impl PartialOrd for Written {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Written {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.update_time_ms.cmp(&other.update_time_ms)
    }
}

/// What this process last did to an object.
#[derive(Clone, Copy, Debug)]
enum Last {
    /// Wrote; `true` once a read showed the write.
    Wrote(Written, bool),
    Deleted,
}

/// What this process did last to each object (by ARN), shared by every client of a region.
#[derive(Debug, Default)]
pub(crate) struct WriteLog {
    objects: Mutex<HashMap<String, Last>>,
}

impl WriteLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Last>> {
        self.objects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a fresh read found.
#[derive(Debug)]
pub enum Fresh<T> {
    /// The object, showing at least the expected write.
    Found(T),
    /// Not found, and no write of this provider says otherwise (or the lag budget ran out).
    Gone,
}

impl IvsChat {
    /// Remembers a write to `arn` (its answer's `updateTime`), so later reads in this process
    /// wait for it. Returns the write, to keep in private state.
    pub fn record_write(&self, arn: &str, update_time: Option<&DateTime>) -> Option<Written> {
        let written = Written::at(update_time)?;
        let mut log = self.inner.writes.lock();
        let latest = match log.get(arn) {
            Some(Last::Wrote(w, _)) => (*w).max(written),
            _ => written,
        };
        log.insert(arn.to_owned(), Last::Wrote(latest, false));
        drop(log);
        self.note_change(arn);
        Some(latest)
    }

    /// Remembers that `arn` was deleted: reads no longer expect it to exist.
    pub fn record_delete(&self, arn: &str) {
        self.inner
            .writes
            .lock()
            .insert(arn.to_owned(), Last::Deleted);
        self.note_change(arn);
    }

    /// Whether this process changed or deleted `arn`: reads may still show it as it was.
    pub fn touched(&self, arn: &str) -> bool {
        self.inner.writes.lock().contains_key(arn)
    }

    /// The latest write a read of `arn` must show: this process's, or `known` (from private
    /// state), whichever is later; none once this process deleted it.
    fn expected(&self, arn: &str, known: Option<Written>) -> Option<Written> {
        match self.inner.writes.lock().get(arn) {
            Some(Last::Deleted) => None,
            Some(Last::Wrote(w, _)) => Some(*w).max(known),
            None => known,
        }
    }

    /// Notes that reads show the write `seen` to `arn` (or a later one).
    pub fn confirm(&self, arn: &str, seen: Option<Written>) {
        let mut log = self.inner.writes.lock();
        if let (Some(Last::Wrote(w, confirmed)), Some(seen)) = (log.get_mut(arn), seen)
            && *w <= seen
        {
            *confirmed = true;
        }
    }

    /// Before a listing of type `L`: waits until reads show every write this process made to
    /// objects of the type that no read has shown yet, so that a data source listing them in
    /// the same apply sees them. One read per such object, usually none.
    pub async fn settle_writes<L: super::Listed>(&self) -> Result<(), ApiError> {
        let pending: Vec<String> = self
            .inner
            .writes
            .lock()
            .iter()
            .filter(|(arn, last)| {
                arn.contains(L::ARN_MARK) && matches!(last, Last::Wrote(_, false))
            })
            .map(|(arn, _)| arn.clone())
            .collect();
        for arn in pending {
            self.get_fresh::<L>(&arn, None, false).await?;
        }
        Ok(())
    }

    /// [`IvsChat::expected`], for pollers outside this module.
    pub fn expected_write(&self, arn: &str, known: Option<Written>) -> Option<Written> {
        self.expected(arn, known)
    }

    /// Reads until the answer shows the expected write, within `max_read_lag` and the deadline.
    pub(super) async fn fresh<T, R, RFut>(
        &self,
        op: Operation,
        arn: &str,
        known: Option<Written>,
        read: R,
        update_time: fn(&T) -> Option<&DateTime>,
    ) -> Result<Fresh<T>, ApiError>
    where
        R: Fn() -> RFut,
        RFut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let expected = self.expected(arn, known);
        let started = tokio::time::Instant::now();
        let mut delay = FIRST_POLL;
        loop {
            // Whether this read is sent once `expected` must be visible: then its answer is
            // the truth (someone else changed or deleted the object), else it may lag.
            let must_show = expected.is_some_and(|w| !self.till_visible(w, started).is_zero());
            let stale = match read().await {
                Ok(found) => match expected {
                    Some(w) if !w.seen_in(update_time(&found)) && must_show => {
                        Some(Fresh::Found(found))
                    }
                    _ => {
                        self.confirm(arn, expected.filter(|w| w.seen_in(update_time(&found))));
                        return Ok(Fresh::Found(found));
                    }
                },
                Err(e) if e.is_not_found() => match expected {
                    Some(_) if must_show => Some(Fresh::Gone),
                    _ => return Ok(Fresh::Gone),
                },
                Err(e) => return Err(e),
            };
            let Some(w) = expected else {
                return Ok(stale.unwrap_or(Fresh::Gone));
            };
            // The last poll is sent right when the write must be visible.
            let pause = delay.min(self.till_visible(w, started));
            tracing::debug!(%arn, operation = op.name(), "read older than the last write; reading again");
            self.pause(op, pause).await?;
            delay = (delay * 2).min(MAX_POLL);
        }
    }

    /// How long until reads must show `written`: `max_read_lag` after it by the server's clock
    /// (an older write is visible by then, so a read that does not show it means someone else
    /// changed or deleted the object); without a server time yet, `max_read_lag` after
    /// `started` by the local one, waiting being the safe side.
    fn till_visible(&self, written: Written, started: tokio::time::Instant) -> Duration {
        let lag = self.read_lag();
        match self.server_now_ms() {
            Some(now) => {
                let lag_ms = i64::try_from(lag.as_millis()).unwrap_or(i64::MAX);
                let left = written
                    .update_time_ms
                    .saturating_add(lag_ms)
                    .saturating_sub(now);
                Duration::from_millis(u64::try_from(left).unwrap_or(0))
            }
            None => lag.saturating_sub(started.elapsed()),
        }
    }
}

/// The pause before the first read after a delete: about the service's usual lag, so one read
/// usually suffices.
const FIRST_GONE_POLL: Duration = Duration::from_secs(1);

impl IvsChat {
    /// After a delete: reads until the API says not found, pausing [`FIRST_GONE_POLL`] and then
    /// backing off up to 5 s, until the deadline. `still` gets each answer that still shows the
    /// object and may stop the wait with an error (a failed deletion).
    /// After a write whose outcome is unknown (its answer lost, or a call failed after an
    /// earlier one of the same change went through): waits until a read sent then shows that
    /// write if it was carried out (`max_read_lag` after the failure), so that the state can
    /// record what the account holds. Err: stopped or out of time first.
    pub async fn settle_unknown_write(&self, op: Operation) -> Result<(), ApiError> {
        self.pause(op, self.read_lag()).await
    }

    pub async fn wait_gone<T, R, RFut>(
        &self,
        op: Operation,
        arn: &str,
        read: R,
        still: impl Fn(&T) -> Result<(), ApiError>,
    ) -> Result<(), ApiError>
    where
        R: Fn() -> RFut,
        RFut: std::future::Future<Output = Result<T, ApiError>>,
    {
        self.record_delete(arn);
        let mut delay = FIRST_GONE_POLL;
        loop {
            self.pause(op, delay).await?;
            match read().await {
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(e),
                Ok(found) => still(&found)?,
            }
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_seen_by_reads_at_or_after_it() {
        let t = |s: i64, ms: u32| DateTime::from_secs_and_nanos(s, ms * 1_000_000);
        let w = Written::at(Some(&t(100, 500))).unwrap();
        assert_eq!(w.update_time_ms, 100_500);
        assert!(w.seen_in(Some(&t(100, 500))));
        assert!(w.seen_in(Some(&t(101, 0))));
        assert!(!w.seen_in(Some(&t(100, 499))));
        assert!(w.seen_in(None));
        assert_eq!(Written::at(None), None);
        assert_eq!(Written::at(Some(&DateTime::from_secs(i64::MAX))), None);
    }
}
