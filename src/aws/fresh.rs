//! Reads that never go back in time: IVS Chat's reads are eventually consistent, so for a while
//! after a write GetRoom / GetLoggingConfiguration may still serve the version before it (a new
//! object not found, an updated one with its old values and `updateTime`, a deleted one still
//! there).
//!
//! Every write this provider process makes is remembered per object ([`Written`]: the
//! `updateTime` the API returned; the bookkeeping is [`super::writes`]). A resource also keeps it with its state, so that a later
//! Terraform run expects it too. A read that serves something older than what is
//! expected (not found, or an earlier `updateTime`) is retried with backoff, for at most the
//! provider's `max_read_lag` ([`DEFAULT_READ_LAG`]) and never past the operation's deadline,
//! instead of being reported as drift or as a deleted object. Whether a write is recent enough
//! to wait for is judged on the server's clock ([`super::ServerClock`]), never the local one.
//! Reads of objects nobody just wrote cost exactly one call.

use std::time::Duration;

use aws_smithy_types::DateTime;

use super::{ApiError, IvsChat, Operation, Written};

/// The default of the provider's `max_read_lag`: how long a read keeps retrying a version older
/// than the provider's own last write. AWS's lag is usually well under a second; hashicorp/aws
/// tolerates 20 not-found reads after a create (about that long with its backoff).
pub const DEFAULT_READ_LAG: Duration = Duration::from_secs(30);

/// The first pause before re-reading; doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(2);

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
        Some(self.inner.writes.wrote(arn, Written::at(update_time)?))
    }

    /// Remembers that `arn` was deleted: reads no longer expect it to exist.
    pub fn record_delete(&self, arn: &str) {
        self.inner.writes.deleted(arn);
    }

    /// Whether this process changed or deleted `arn`: reads may still show it as it was.
    pub fn touched(&self, arn: &str) -> bool {
        self.inner.writes.touched(arn)
    }

    /// Notes that reads show the write `seen` to `arn` (or a later one).
    pub fn confirm(&self, arn: &str, seen: Option<Written>) {
        self.inner.writes.confirm(arn, seen);
    }

    /// Before a listing of type `L`: waits until reads show every write this process made to
    /// objects of the type that no read has shown yet, so that a data source listing them in
    /// the same apply sees them. One read per such object, usually none.
    pub async fn settle_writes<L: super::Listable>(&self) -> Result<(), ApiError> {
        for arn in self.inner.writes.unconfirmed(L::names) {
            self.get_fresh::<L>(&arn, None, false).await?;
        }
        Ok(())
    }

    /// The latest write a read of `arn` must show: this process's, or `known` (from private
    /// state), whichever is later; none once this process deleted it.
    pub fn expected_write(&self, arn: &str, known: Option<Written>) -> Option<Written> {
        self.inner.writes.expected(arn, known)
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
        let expected = self.expected_write(arn, known);
        let started = tokio::time::Instant::now();
        let mut delay = FIRST_POLL;
        loop {
            // Whether this read is sent once `expected` must be visible: then its answer is
            // the truth (someone else changed or deleted the object), else it may lag.
            let must_show = expected.is_some_and(|w| {
                !self
                    .inner
                    .lag
                    .till_visible(w.update_time_ms, started)
                    .is_zero()
            });
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
            let pause = delay.min(self.inner.lag.till_visible(w.update_time_ms, started));
            tracing::debug!(%arn, operation = op.name(), "read older than the last write; reading again");
            self.pause(op, pause).await?;
            delay = (delay * 2).min(MAX_POLL);
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
