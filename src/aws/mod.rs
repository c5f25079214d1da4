//! The IVS Chat client every resource uses: paced, retried, classified, and leak-safe on create.
//! It knows AWS, never Terraform: the provider block builds it from plain settings, and the
//! Terraform side (server, values, schema, resources) sits above it.
//!
//! - [`operation`]: what an API operation and a quota lane are (each type declares its own).
//! - [`pacing`]: token buckets per region and operation; [`region`]: where IVS Chat runs.
//! - [`error`]: how a failed call is classified ([`ApiError`], [`ErrorKind`]) and explained.
//! - [`retry`]: how retries are spaced ([`RetryPolicy`]).
//! - [`call`]: one paced, retried call; [`paginate`]: every page of a List call.
//! - [`create`]: creates that never leak an object.
//! - [`fresh`]: reads that never go back in time, after this process's [`writes`];
//!   [`listing`]: reads answered by a shared List.
//!
//! A client is composed of parts that each own their state: its pacing [`pacing::Lanes`], its
//! [`RetryPolicy`], the bookkeeping of its writes ([`writes::Writes`]), its listings
//! ([`listing::Listings`]) and how long reads may lag ([`clock::ReadLag`]).
//!
//! Pacing: every attempt waits for its (region, operation) slot in the shared [`Pacer`].
//! Retries: throttling, 5xx, timeouts and connection errors are retried with full-jitter
//! exponential backoff, up to `max_retries`; the SDK's own retries are disabled so that
//! classification and pacing are ours. Validation, access, not-found, quota and conflict
//! errors are never retried.

mod call;
mod clock;
mod create;
mod error;
mod explain;
mod fresh;
mod listing;
pub mod operation;
pub mod pacing;
mod paginate;
pub mod region;
mod retry;
pub mod tagging;
mod writes;

use std::fmt;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

pub use clock::{DateHeaders, ServerClock};
pub use create::{CreateError, LeakSafeCreate, MARKER_TAG_KEY, MAX_TAGS, has_marker};
pub use error::{ApiError, ErrorKind, Explained};
pub use explain::{Origins, Reach};
pub use fresh::{DEFAULT_READ_LAG, Fresh};
pub use listing::{Listable, Read, Share, Version};
pub use operation::{Lane, Operation, RateLimits, Scope, Spec, lanes_of};
pub use pacing::Pacer;
pub use paginate::{ListPage, PAGE_SIZE};
pub use retry::RetryPolicy;
pub use writes::Written;
// For the client's tests, which go through the resources' creates (src/resources).
#[cfg(test)]
pub(crate) use {
    create::AFTER_STOP_BOUND, error::classify_code, explain::Cause, paginate::REPEATED_NEXT_TOKEN,
    retry::CONNECT_RETRIES,
};

/// The parts of a client, shared by its clones (bound or not to a stop signal and deadline).
struct Inner {
    sdk: aws_sdk_ivschat::Client,
    region: String,
    lanes: pacing::Lanes,
    retry: RetryPolicy,
    /// The settings (and their origins) that decide how this client reaches IVS Chat, for
    /// error messages.
    reach: Arc<Reach>,
    /// Creates carry a temporary marker tag, so an interrupted one can be found (see [`create`]).
    create_markers: bool,
    writes: writes::Writes,
    listings: listing::Listings,
    lag: clock::ReadLag,
}

impl Inner {
    /// The same settings with no writes nor listings: for the `with_*` builders, which run
    /// right after [`IvsChat::new`], before any write was recorded.
    fn copy_settings(&self) -> Inner {
        Inner {
            sdk: self.sdk.clone(),
            region: self.region.clone(),
            lanes: self.lanes.clone(),
            retry: self.retry.clone(),
            reach: self.reach.clone(),
            create_markers: self.create_markers,
            writes: writes::Writes::default(),
            listings: listing::Listings::default(),
            lag: self.lag.clone(),
        }
    }
}

/// An IVS Chat client for one region. Cheap to clone.
///
/// Resources, data sources and the other types get theirs from their `Context`
/// (`ctx.client(region)`), bound to the operation's stop signal and deadline: every pacing
/// wait, backoff and call in flight then ends at once on StopProvider (as `Cancelled`) or at
/// the deadline (as `Cancelled`, "time limit reached"). In-flight creates are the exception to
/// StopProvider: they run to their answer so that an object made is never lost.
#[derive(Clone)]
pub struct IvsChat {
    inner: Arc<Inner>,
    cancel: Option<CancellationToken>,
    deadline: Option<tokio::time::Instant>,
}

/// Why a bounded client stopped waiting.
enum Interrupted {
    Cancelled,
    Deadline,
}

impl fmt::Debug for IvsChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IvsChat")
            .field("region", &self.inner.region)
            .finish_non_exhaustive()
    }
}

impl IvsChat {
    pub(crate) fn new(
        sdk: aws_sdk_ivschat::Client,
        region: String,
        pacer: Arc<Pacer>,
        retry: RetryPolicy,
    ) -> IvsChat {
        IvsChat {
            inner: Arc::new(Inner {
                sdk,
                reach: Arc::new(Reach {
                    region: region.clone(),
                    ..Reach::default()
                }),
                lanes: pacing::Lanes::new(pacer, region.clone()),
                region,
                retry,
                create_markers: true,
                writes: writes::Writes::default(),
                listings: listing::Listings::default(),
                lag: clock::ReadLag::new(DEFAULT_READ_LAG, Arc::default()),
            }),
            cancel: None,
            deadline: None,
        }
    }

    /// The same client, naming `reach` (settings and their origins) in its errors. Call right
    /// after [`IvsChat::new`].
    #[must_use]
    pub(crate) fn with_reach(self, reach: Reach) -> IvsChat {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| shared.copy_settings());
        IvsChat {
            inner: Arc::new(Inner {
                reach: Arc::new(reach),
                ..inner
            }),
            cancel: self.cancel,
            deadline: self.deadline,
        }
    }

    /// The same client, with or without create markers (the provider's `create_markers`).
    #[must_use]
    pub fn with_create_markers(self, on: bool) -> IvsChat {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| shared.copy_settings());
        IvsChat {
            inner: Arc::new(Inner {
                create_markers: on,
                ..inner
            }),
            cancel: self.cancel,
            deadline: self.deadline,
        }
    }

    /// The same client, with the provider's `max_read_lag`, reading the server's time from
    /// `clock` (fed by the SDK client's [`DateHeaders`] interceptor).
    #[must_use]
    pub fn with_read_lag(self, read_lag: std::time::Duration, clock: Arc<ServerClock>) -> IvsChat {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| shared.copy_settings());
        IvsChat {
            inner: Arc::new(Inner {
                lag: clock::ReadLag::new(read_lag, clock),
                ..inner
            }),
            cancel: self.cancel,
            deadline: self.deadline,
        }
    }

    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The longest reads may lag writes (the provider's `max_read_lag`).
    pub fn read_lag(&self) -> std::time::Duration {
        self.inner.lag.lag()
    }

    /// The server's time now, at least, in milliseconds since the epoch (`None` before the
    /// first answer): see [`ServerClock`].
    pub fn server_now_ms(&self) -> Option<i64> {
        self.inner.lag.server_now_ms()
    }

    /// Whether both are the same client (one cache, one write log), bound or not.
    #[cfg(test)]
    pub(crate) fn is_same_client(&self, other: &IvsChat) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The underlying SDK client, for calls that need no pacing (none in this provider).
    pub fn sdk(&self) -> &aws_sdk_ivschat::Client {
        &self.inner.sdk
    }

    /// The same client, giving up promptly (as `Cancelled`) once `token` is cancelled:
    /// pass `ctx.cancel` so Ctrl-C interrupts waits for pacing and backoff.
    #[must_use]
    pub fn with_cancel(&self, token: &CancellationToken) -> IvsChat {
        IvsChat {
            cancel: Some(token.clone()),
            ..self.clone()
        }
    }

    /// The same client, giving up (as `Cancelled`, "time limit reached") at `deadline`.
    #[must_use]
    pub fn with_deadline(&self, deadline: tokio::time::Instant) -> IvsChat {
        IvsChat {
            deadline: Some(deadline),
            ..self.clone()
        }
    }

    /// The same client, bound to no stop signal nor deadline: for work that must not be left
    /// half done, and for the background pager.
    fn detached(&self) -> IvsChat {
        IvsChat {
            inner: self.inner.clone(),
            cancel: None,
            deadline: None,
        }
    }

    /// The deadline this client gives up at, if bound to one.
    pub fn deadline(&self) -> Option<tokio::time::Instant> {
        self.deadline
    }

    fn cancelled(&self, op: Operation) -> ApiError {
        ApiError::new(
            op,
            ErrorKind::Cancelled,
            "the operation was cancelled (Terraform is stopping)",
        )
    }

    fn deadline_reached(&self, op: Operation) -> ApiError {
        ApiError::new(
            op,
            ErrorKind::Cancelled,
            "the operation's time limit was reached",
        )
    }

    fn interrupted(&self, op: Operation, why: &Interrupted) -> ApiError {
        match why {
            Interrupted::Cancelled => self.cancelled(op),
            Interrupted::Deadline => self.deadline_reached(op),
        }
    }

    /// Resolves when the stop signal fires or the deadline passes (never, for an unbound client).
    async fn interruption(&self, watch_cancel: bool) -> Interrupted {
        let cancel = async {
            match &self.cancel {
                Some(t) if watch_cancel => t.cancelled().await,
                _ => std::future::pending().await,
            }
        };
        let deadline = async {
            match self.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = cancel => Interrupted::Cancelled,
            () = deadline => Interrupted::Deadline,
        }
    }

    /// Fails at once when already cancelled or past the deadline.
    fn check(&self, op: Operation) -> Result<(), ApiError> {
        if self
            .cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
        {
            return Err(self.cancelled(op));
        }
        if self
            .deadline
            .is_some_and(|d| tokio::time::Instant::now() >= d)
        {
            return Err(self.deadline_reached(op));
        }
        Ok(())
    }

    /// Sleeps until `until`, or fails if cancelled or past the deadline first.
    async fn sleep_until(
        &self,
        op: Operation,
        until: tokio::time::Instant,
    ) -> Result<(), ApiError> {
        tokio::select! {
            () = tokio::time::sleep_until(until) => Ok(()),
            why = self.interruption(true) => Err(self.interrupted(op, &why)),
        }
    }

    /// Sleeps for `delay` under the same rules: pollers use it between reads.
    pub async fn pause(&self, op: Operation, delay: std::time::Duration) -> Result<(), ApiError> {
        self.check(op)?;
        self.sleep_until(
            op,
            crate::duration::instant_after(tokio::time::Instant::now(), delay),
        )
        .await
    }
}
