//! The IVS Chat client every resource uses: paced, retried, classified, and leak-safe on create.
//!
//! - [`error`]: how a failed call is classified ([`ApiError`], [`ErrorKind`]) and explained.
//! - [`retry`]: how retries are spaced ([`RetryPolicy`]).
//! - [`call`]: one paced, retried call; [`paginate`]: every page of a List call.
//! - [`create`]: creates that never leak an object.
//!
//! Pacing: every attempt waits for its (region, operation) slot in the shared [`Pacer`].
//! Retries: throttling, 5xx, timeouts and connection errors are retried with full-jitter
//! exponential backoff, up to `max_retries`; the SDK's own retries are disabled so that
//! classification and pacing are ours. Validation, access, not-found, quota and conflict
//! errors are never retried.

mod call;
mod create;
mod error;
mod explain;
mod paginate;
mod retry;

use std::fmt;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::pacing::Pacer;

pub use super::operation::{Class, Operation};
pub use create::{LeakSafeCreate, MARKER_TAG_KEY, MAX_TAGS, has_marker};
pub use error::{ApiError, ErrorKind, classify_code};
pub use explain::{Cause, Reach};
pub use paginate::{PAGE_SIZE, Page, REPEATED_NEXT_TOKEN};
pub use retry::{CONNECT_RETRIES, RetryPolicy};

pub(crate) struct Inner {
    pub(crate) sdk: aws_sdk_ivschat::Client,
    pub(crate) region: String,
    pub(crate) pacer: Arc<Pacer>,
    pub(crate) retry: RetryPolicy,
    /// The settings (and their origins) that decide how this client reaches IVS Chat, for
    /// error messages.
    pub(crate) reach: Arc<Reach>,
}

/// An IVS Chat client for one region. Cheap to clone.
#[derive(Clone)]
pub struct IvsChat {
    inner: Arc<Inner>,
    cancel: Option<CancellationToken>,
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
                region,
                pacer,
                retry,
            }),
            cancel: None,
        }
    }

    /// The same client, naming `reach` (settings and their origins) in its errors. Call right
    /// after [`IvsChat::new`].
    #[must_use]
    pub(crate) fn with_reach(self, reach: Reach) -> IvsChat {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            sdk: shared.sdk.clone(),
            region: shared.region.clone(),
            pacer: shared.pacer.clone(),
            retry: shared.retry.clone(),
            reach: shared.reach.clone(),
        });
        IvsChat {
            inner: Arc::new(Inner {
                reach: Arc::new(reach),
                ..inner
            }),
            cancel: self.cancel,
        }
    }

    pub fn region(&self) -> &str {
        &self.inner.region
    }

    #[cfg(test)]
    pub(crate) fn inner_for_tests(&self) -> Arc<Inner> {
        self.inner.clone()
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
            inner: self.inner.clone(),
            cancel: Some(token.clone()),
        }
    }

    fn cancelled(&self, op: Operation) -> ApiError {
        ApiError::new(
            op,
            ErrorKind::Cancelled,
            "the operation was cancelled (Terraform is stopping)",
        )
    }

    /// Sleeps until `deadline`, or fails if cancelled first.
    async fn sleep_until(
        &self,
        op: Operation,
        deadline: tokio::time::Instant,
    ) -> Result<(), ApiError> {
        match &self.cancel {
            None => {
                tokio::time::sleep_until(deadline).await;
                Ok(())
            }
            Some(token) => tokio::select! {
                () = tokio::time::sleep_until(deadline) => Ok(()),
                () = token.cancelled() => Err(self.cancelled(op)),
            },
        }
    }
}

#[cfg(test)]
mod tests;
