//! The IVS Chat client every resource uses: paced, retried, classified, and leak-safe on create.
//!
//! - [`operation`]: the API operations, their quota lanes and diagnostic verbs.
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
mod operation;
mod paginate;
mod retry;

use std::fmt;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::pacing::Pacer;

pub use create::{
    AFTER_STOP_BOUND, CreateError, LeakSafeCreate, MARKER_TAG_KEY, MAX_TAGS, has_marker,
};
pub use error::{ApiError, ErrorKind, classify_code};
pub use operation::{Class, Operation};
pub use paginate::{PAGE_SIZE, Page, REPEATED_NEXT_TOKEN};
pub use retry::{CONNECT_RETRIES, RetryPolicy};

pub(crate) struct Inner {
    pub(crate) sdk: aws_sdk_ivschat::Client,
    pub(crate) region: String,
    pub(crate) pacer: Arc<Pacer>,
    pub(crate) retry: RetryPolicy,
    /// Creates carry a temporary marker tag, so an interrupted one can be found (see [`create`]).
    pub(crate) create_markers: bool,
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
                region,
                pacer,
                retry,
                create_markers: true,
            }),
            cancel: None,
        }
    }

    /// The same client, with or without create markers (the provider's `create_markers`).
    #[must_use]
    pub fn with_create_markers(self, on: bool) -> IvsChat {
        let inner = &self.inner;
        IvsChat {
            inner: Arc::new(Inner {
                sdk: inner.sdk.clone(),
                region: inner.region.clone(),
                pacer: inner.pacer.clone(),
                retry: inner.retry.clone(),
                create_markers: on,
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
