//! Creates that never leak an object.
//!
//! [`IvsChat::create_leak_safe`] tags the new object with a hidden marker holding a per-create
//! token. When an attempt fails in a way that leaves open whether the object was made
//! (connection dropped or timed out after the request was sent, 5xx, unreadable response), the
//! client waits the backoff, then looks the object up by its marker before any retry and adopts
//! it if found; else it retries with the same marker, and once that succeeds deletes any other
//! object carrying the marker (an earlier attempt that the list showed late). So a retried
//! create never leaves a second object, and a failed one never leaves an untracked one behind.
//! Each type supplies its create call and how to list its objects by marker
//! ([`LeakSafeCreate`]).

use std::collections::HashMap;
use std::future::Future;

use super::retry::Next;
use super::{ApiError, ErrorKind, IvsChat, Operation};

/// The tag key of the per-create marker. Hidden from `tags` and `tags_all` by the tag helpers.
pub const MARKER_TAG_KEY: &str = "terraform-provider-ivschat:create-token";

/// The most tags an IVS Chat object can carry.
pub const MAX_TAGS: usize = 50;

/// What the leak-safe create path needs from an object type: its create call and how to find
/// its objects by marker. Each resource type implements it next to its other calls.
pub trait LeakSafeCreate: Sync {
    /// What the create returns.
    type Output: Send;
    /// The object in words, for logs: `room`.
    const WHAT: &'static str;
    /// The create operation (pacing lane, diagnostics).
    const CREATE: Operation;

    /// How many tags the request carries already: the marker is added only below [`MAX_TAGS`].
    fn user_tags(&self) -> usize;

    /// Sends one create request, carrying the marker tag with value `marker` when given.
    fn send(
        &self,
        sdk: aws_sdk_ivschat::Client,
        marker: Option<String>,
    ) -> impl Future<Output = Result<Self::Output, ApiError>> + Send;

    /// The ARN in a create's output.
    fn arn(output: &Self::Output) -> Option<&str>;

    /// The ARNs of the objects that carry the marker `marker` (see [`has_marker`]).
    fn arns_with_marker(
        &self,
        client: &IvsChat,
        marker: &str,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;

    /// The object `arn` read back in the shape its create returns.
    fn read_as_created(
        &self,
        client: &IvsChat,
        arn: &str,
    ) -> impl Future<Output = Result<Self::Output, ApiError>> + Send;

    /// Deletes the object `arn`.
    fn delete(
        &self,
        client: &IvsChat,
        arn: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// Whether `tags` carry the create marker with value `marker`.
pub fn has_marker(tags: Option<&HashMap<String, String>>, marker: &str) -> bool {
    tags.and_then(|t| t.get(MARKER_TAG_KEY))
        .is_some_and(|v| v == marker)
}

impl IvsChat {
    /// A create that never leaks: see the module documentation. On an ambiguous failure it
    /// waits the backoff (so a create still being processed can finish and list calls can
    /// catch up), then looks the object up by its marker: found, it is adopted; not found, the
    /// create is retried with the same marker. When a retry succeeds after an ambiguous
    /// failure, any other object carrying the same marker (an earlier attempt that surfaced
    /// late) is deleted, so exactly one remains.
    pub async fn create_leak_safe<C: LeakSafeCreate>(
        &self,
        object: &C,
    ) -> Result<C::Output, ApiError> {
        let op = C::CREATE;
        let token = (object.user_tags() < MAX_TAGS).then(new_token);
        let mut retry = 0;
        let mut ambiguous_seen = false;
        loop {
            let attempt = self
                .attempt_classified(op, |sdk| object.send(sdk, token.clone()))
                .await;
            let mut err = match attempt {
                Ok(created) => {
                    if let (true, Some(t)) = (ambiguous_seen, &token) {
                        self.delete_duplicates(object, t, C::arn(&created)).await;
                    }
                    return Ok(created);
                }
                Err(err) => err,
            };
            if err.kind == ErrorKind::Cancelled {
                // Stopped or out of time: no lookup, no retry. Say what may exist.
                if err.ambiguous {
                    err.message = match token.as_deref() {
                        Some(t) => format!(
                            "{}, while the request was in flight: the object may have been created; \
                             if so it carries the tag {MARKER_TAG_KEY} = {t}: import it or delete it",
                            err.message
                        ),
                        None => format!(
                            "{}, while the request was in flight: the object may have been created",
                            err.message
                        ),
                    };
                }
                err.attempts = retry + 1;
                return Err(err);
            }
            let next = self.next(&err, retry);
            if err.ambiguous {
                ambiguous_seen = true;
                let pause = match next {
                    Next::RetryAfter(d) => d,
                    Next::GiveUp => self.inner.retry.backoff(0),
                };
                self.wait(op, pause).await?;
                match self.lookup(object, token.as_deref()).await {
                    Ok(Some(found)) => {
                        tracing::info!(
                            operation = op.name(),
                            "adopted the object an interrupted create had made"
                        );
                        return Ok(found);
                    }
                    Ok(None) => {}
                    Err(lookup_err) => {
                        err.attempts = retry + 1;
                        err.message = format!(
                            "{}; and whether the object was created could not be checked ({} failed: {}). \
                             If it exists, it carries the tag {MARKER_TAG_KEY}; import it or delete it",
                            err.message, lookup_err.operation, lookup_err.message
                        );
                        return Err(err);
                    }
                }
                match next {
                    Next::GiveUp => {
                        err.attempts = retry + 1;
                        return Err(err);
                    }
                    // Already waited before the lookup.
                    Next::RetryAfter(_) => retry += 1,
                }
                continue;
            }
            match next {
                Next::GiveUp => {
                    err.attempts = retry + 1;
                    return Err(err);
                }
                Next::RetryAfter(delay) => {
                    self.wait(op, delay).await?;
                    retry += 1;
                }
            }
        }
    }

    /// The object an interrupted create made, if the list shows one carrying `token`.
    async fn lookup<C: LeakSafeCreate>(
        &self,
        object: &C,
        token: Option<&str>,
    ) -> Result<Option<C::Output>, ApiError> {
        let Some(t) = token else { return Ok(None) };
        let arns = object.arns_with_marker(self, t).await?;
        match arns.first() {
            Some(arn) => object.read_as_created(self, arn).await.map(Some),
            None => Ok(None),
        }
    }

    /// After a retried create succeeded: deletes every other object carrying the same marker,
    /// which an earlier, interrupted attempt made. Best effort: failures are logged.
    async fn delete_duplicates<C: LeakSafeCreate>(
        &self,
        object: &C,
        token: &str,
        keep: Option<&str>,
    ) {
        let Some(keep) = keep else { return };
        let what = C::WHAT;
        let arns = match object.arns_with_marker(self, token).await {
            Ok(arns) => arns,
            Err(e) => {
                tracing::warn!("could not check for a duplicate {what}: {e}");
                return;
            }
        };
        for arn in arns.iter().filter(|a| a.as_str() != keep) {
            tracing::warn!(%arn, "deleting a duplicate {what} an interrupted create made");
            match object.delete(self, arn).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => tracing::warn!(%arn, "could not delete a duplicate {what}: {e}"),
            }
        }
    }
}

/// A fresh per-create token (128 random bits, hex).
fn new_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}
