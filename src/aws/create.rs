//! Creates that never leak an object and leave nothing behind.
//!
//! [`IvsChat::create_leak_safe`] tags the new object with a temporary marker holding a
//! per-create token. When an attempt fails in a way that leaves open whether the object was
//! made (connection dropped or timed out after the request was sent, 5xx, unreadable
//! response), the client waits the backoff, then looks the object up by its marker before any
//! retry and adopts it if found; else it retries with the same marker. Once a create is
//! confirmed after such a failure, every other object carrying the marker (made by an earlier
//! attempt, or listed next to the adopted one) is deleted. Then the marker is removed
//! (UntagResource, on the 10 TPS tags quota, not the 5 TPS room lane). An object with the full
//! 50 user tags is created with the marker and 49 of them; the last is added once the marker is
//! gone. A stop (Ctrl-C) during the backoff still runs a bounded lookup.
//!
//! With `create_markers = false` no marker is sent: an ambiguous create is then not retried,
//! and the error says how to find the object.
//!
//! Each object type implements the one trait [`LeakSafeCreate`] next to its other calls: its
//! create request, and how to find, read back and delete its objects.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::retry::Next;
use super::{ApiError, ErrorKind, IvsChat, Operation};

/// The tag key of the per-create marker. Hidden from `tags` and `tags_all` by the tag helpers.
pub const MARKER_TAG_KEY: &str = "terraform-provider-ivschat:create-token";

/// The most tags an IVS Chat object can carry.
pub const MAX_TAGS: usize = 50;

/// How long the lookup and clean-up of an interrupted create may take once Terraform asked the
/// provider to stop: long enough for a few paced calls, short enough not to hold Ctrl-C up.
pub const AFTER_STOP_BOUND: Duration = Duration::from_secs(15);

/// What the leak-safe create path needs from a create: its request and how to find, read back
/// and delete objects of its type. Each resource type implements it for its create request,
/// next to its other calls.
pub trait LeakSafeCreate: Sync {
    /// What the create returns.
    type Output: Send;
    /// The object in words, for logs and errors: `room`.
    const WHAT: &'static str;
    /// The create operation (pacing lane, diagnostics).
    const CREATE: Operation;

    /// The tags the caller asked for (user and default tags).
    fn user_tags(&self) -> &HashMap<String, String>;

    /// Sends one create request carrying exactly `tags`.
    fn send(
        &self,
        sdk: aws_sdk_ivschat::Client,
        tags: HashMap<String, String>,
    ) -> impl Future<Output = Result<Self::Output, ApiError>> + Send;

    /// The ARN in a create's output.
    fn arn(output: &Self::Output) -> Option<&str>;

    /// The tags in a create's output, set to what the object carries once finished.
    fn tags_mut(output: &mut Self::Output) -> &mut Option<HashMap<String, String>>;

    /// The AWS CLI command that lists objects like this one, for errors that ask the user to
    /// look: `aws ivschat list-rooms --name lobby`.
    fn find_command(&self) -> String;

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

/// A failed leak-safe create. `created` is the object when it exists anyway (made, but a
/// clean-up step failed): the caller keeps it in state so that it is not lost.
#[derive(Debug)]
pub struct CreateError<T> {
    pub error: ApiError,
    pub created: Option<T>,
}

impl<T> From<ApiError> for CreateError<T> {
    fn from(error: ApiError) -> Self {
        CreateError {
            error,
            created: None,
        }
    }
}

/// Whether `tags` carry the create marker with value `marker`.
pub fn has_marker(tags: Option<&HashMap<String, String>>, marker: &str) -> bool {
    tags.and_then(|t| t.get(MARKER_TAG_KEY))
        .is_some_and(|v| v == marker)
}

/// One create's marker: its token, and the user tag held back until the marker is removed
/// (when the user's tags fill all 50 slots).
struct Marker {
    token: String,
    held_back: Option<(String, String)>,
}

impl Marker {
    fn new(user_tags: &HashMap<String, String>) -> Marker {
        let held_back = (user_tags.len() >= MAX_TAGS)
            .then(|| user_tags.iter().max_by(|a, b| a.0.cmp(b.0)))
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()));
        Marker {
            token: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            held_back,
        }
    }

    /// The tags of the create request: the user's, less the held-back one, plus the marker.
    fn request_tags(&self, user_tags: &HashMap<String, String>) -> HashMap<String, String> {
        let mut tags = user_tags.clone();
        if let Some((k, _)) = &self.held_back {
            tags.remove(k);
        }
        tags.insert(MARKER_TAG_KEY.to_owned(), self.token.clone());
        tags
    }

    /// How to find the object by hand when it is not known whether it exists.
    fn how_to_find<C: LeakSafeCreate>(&self, object: &C) -> String {
        format!(
            "If the {what} was created, it carries the tag {MARKER_TAG_KEY} = {token}: find it with `{cmd}`, \
             then import it or delete it",
            what = C::WHAT,
            token = self.token,
            cmd = object.find_command()
        )
    }
}

/// A confirmed create, and the other objects the lookup that adopted it listed with its
/// marker.
struct Confirmed<T> {
    output: T,
    others: Vec<String>,
}

/// What looking for an object by its marker found.
enum Sought<T> {
    /// The object, and the ARNs of any others carrying the marker.
    Found(T, Vec<String>),
    /// None, in a listing requested once any object made must have been visible.
    Absent,
    /// None yet, but the wait ended (stop, deadline) before the object must be visible.
    NotYetVisible(ApiError),
    LookupFailed(ApiError),
}

/// The first pause between lookups for a create whose outcome is unknown; doubles up to
/// [`MAX_LOOK`].
const FIRST_LOOK: Duration = Duration::from_millis(250);
const MAX_LOOK: Duration = Duration::from_secs(2);

impl IvsChat {
    /// A create that never leaks and leaves no marker: see the module documentation.
    pub async fn create_leak_safe<C: LeakSafeCreate>(
        &self,
        object: &C,
    ) -> Result<C::Output, CreateError<C::Output>> {
        if !self.inner.create_markers {
            self.note_create(C::CREATE);
            return Ok(self.create_without_marker(object).await?);
        }
        self.note_create(C::CREATE);
        let marker = Marker::new(object.user_tags());
        let confirmed = self.create_with_marker(object, &marker).await?;
        self.finish(object, &marker, confirmed).await
    }

    /// Creates, retrying with the same marker when an attempt's outcome is unknown only once
    /// the object it may have made must be visible and is not; returns the object made or
    /// adopted.
    async fn create_with_marker<C: LeakSafeCreate>(
        &self,
        object: &C,
        marker: &Marker,
    ) -> Result<Confirmed<C::Output>, ApiError> {
        let op = C::CREATE;
        let tags = marker.request_tags(object.user_tags());
        let mut retry = 0;
        loop {
            let attempt = self
                .attempt_classified(op, |sdk| object.send(sdk, tags.clone()))
                .await;
            let mut err = match attempt {
                // Every earlier attempt whose outcome was unknown was shown to have made
                // nothing before this one was sent: no other object carries the marker.
                Ok(output) => {
                    return Ok(Confirmed {
                        output,
                        others: Vec::new(),
                    });
                }
                Err(err) => err,
            };
            let next = self.next(&err, retry);
            err.attempts = retry + 1;
            if !err.ambiguous {
                match next {
                    Next::RetryAfter(pause) => {
                        self.wait(op, pause).await?;
                        retry += 1;
                        continue;
                    }
                    Next::GiveUp => return Err(err),
                }
            }
            // The attempt may have made the object: find it, or wait until it must be
            // visible, before anything else.
            let failed_at = tokio::time::Instant::now();
            match self.look_until_visible(object, marker, failed_at).await {
                Sought::Found(output, others) => {
                    tracing::info!(
                        operation = op.name(),
                        "adopted the {} an interrupted create had made",
                        C::WHAT
                    );
                    return Ok(Confirmed { output, others });
                }
                Sought::LookupFailed(lookup_err) => {
                    err.message = format!(
                        "{}; and whether the {} was created could not be checked ({} failed: {}). {}",
                        err.message,
                        C::WHAT,
                        lookup_err.operation,
                        lookup_err.message,
                        marker.how_to_find(object)
                    );
                    return Err(err);
                }
                Sought::NotYetVisible(why) => {
                    let mut why = why;
                    why.message = format!(
                        "{}; {}. Whether the {what} was created is not known: IVS Chat's reads may lag a \
                         write by up to {lag} (the provider's max_read_lag), and no {what} carrying this \
                         create's marker showed in the {waited} waited. {find}",
                        err.message,
                        why.message,
                        what = C::WHAT,
                        lag = crate::duration::format_go_duration(self.read_lag()),
                        waited =
                            crate::duration::format_go_duration(std::time::Duration::from_millis(
                                u64::try_from(failed_at.elapsed().as_millis()).unwrap_or(u64::MAX)
                            )),
                        find = marker.how_to_find(object)
                    );
                    why.ambiguous = true;
                    return Err(why);
                }
                Sought::Absent => {}
            }
            match next {
                Next::RetryAfter(pause) => {
                    // The wait for visibility may already have been longer than the backoff.
                    self.wait(op, pause.saturating_sub(failed_at.elapsed()))
                        .await?;
                    retry += 1;
                }
                Next::GiveUp => {
                    err.message = format!(
                        "{}. No {} carrying this create's marker showed once IVS Chat's reads had had the \
                         time to show it (max_read_lag {}), so none was made",
                        err.message,
                        C::WHAT,
                        crate::duration::format_go_duration(self.read_lag())
                    );
                    return Err(err);
                }
            }
        }
    }

    /// After an attempt that may have made the object failed at `failed_at`: looks for it by
    /// its marker, in listings requested after the failure (never a shared or older one),
    /// until it is found or a listing requested `max_read_lag` after the failure, when any
    /// object made must be visible, shows none. A stop or the deadline before then still
    /// runs one bounded lookup, and leaves the outcome unknown if that finds nothing.
    async fn look_until_visible<C: LeakSafeCreate>(
        &self,
        object: &C,
        marker: &Marker,
        failed_at: tokio::time::Instant,
    ) -> Sought<C::Output> {
        let visible_by = crate::duration::instant_after(failed_at, self.read_lag());
        let mut delay = FIRST_LOOK;
        loop {
            // First give a create still being processed the time to show in the list.
            let pause =
                delay.min(visible_by.saturating_duration_since(tokio::time::Instant::now()));
            if let Err(why) = self.wait(C::CREATE, pause).await {
                // Past the deadline no lookup can run either.
                if self
                    .deadline()
                    .is_some_and(|d| tokio::time::Instant::now() >= d)
                {
                    return Sought::NotYetVisible(why);
                }
                // Stopping: one last look, bounded.
                return match self.lookup(object, marker).await {
                    Ok(Some((output, others))) => Sought::Found(output, others),
                    Ok(None) => Sought::NotYetVisible(why),
                    Err(e) => Sought::LookupFailed(e),
                };
            }
            let listed_at = tokio::time::Instant::now();
            match self.lookup(object, marker).await {
                Ok(Some((output, others))) => return Sought::Found(output, others),
                Ok(None) if listed_at >= visible_by => return Sought::Absent,
                Ok(None) => {}
                Err(e) => return Sought::LookupFailed(e),
            }
            delay = (delay * 2).min(MAX_LOOK);
        }
    }

    /// The object carrying `marker`, if the list shows one, and the ARNs of any others. Runs
    /// even when Terraform is stopping (bounded), so an interrupted create is still found.
    async fn lookup<C: LeakSafeCreate>(
        &self,
        object: &C,
        marker: &Marker,
    ) -> Result<Option<(C::Output, Vec<String>)>, ApiError> {
        self.even_if_stopping(C::CREATE, |client| async move {
            let mut arns = object.arns_with_marker(&client, &marker.token).await?;
            if arns.is_empty() {
                return Ok(None);
            }
            let kept = arns.remove(0);
            let output = object.read_as_created(&client, &kept).await?;
            Ok(Some((output, arns)))
        })
        .await
    }

    /// After a confirmed create: deletes the other objects carrying the marker, removes the
    /// marker, and adds the held-back tag. A failure here leaves the object made: it is
    /// returned with the error so that the caller keeps it in state.
    async fn finish<C: LeakSafeCreate>(
        &self,
        object: &C,
        marker: &Marker,
        confirmed: Confirmed<C::Output>,
    ) -> Result<C::Output, CreateError<C::Output>> {
        let mut output = confirmed.output;
        let Some(arn) = C::arn(&output).map(str::to_owned) else {
            return Ok(output);
        };
        let failed = |output, error| {
            Err(CreateError {
                error,
                created: Some(output),
            })
        };
        if let Err(e) = self
            .delete_duplicates(object, &arn, &confirmed.others)
            .await
        {
            return failed(output, e);
        }
        let untag = self
            .even_if_stopping(Operation::UntagResource, |client| {
                let arn = arn.clone();
                async move {
                    client
                        .call(Operation::UntagResource, |c| {
                            c.untag_resource()
                                .resource_arn(arn.clone())
                                .tag_keys(MARKER_TAG_KEY)
                                .send()
                        })
                        .await
                }
            })
            .await;
        if let Err(mut e) = untag {
            e.message = format!(
                "the {} {arn} was created, but its temporary tag {MARKER_TAG_KEY} could not be removed: {}. \
                 Allow ivschat:UntagResource, or set the provider's create_markers = false",
                C::WHAT,
                e.message
            );
            return failed(output, e);
        }
        if let Some((key, value)) = &marker.held_back {
            let tag = self
                .even_if_stopping(Operation::TagResource, |client| {
                    let arn = arn.clone();
                    async move {
                        client
                            .call(Operation::TagResource, |c| {
                                c.tag_resource()
                                    .resource_arn(arn.clone())
                                    .tags(key.clone(), value.clone())
                                    .send()
                            })
                            .await
                    }
                })
                .await;
            if let Err(mut e) = tag {
                e.message = format!(
                    "the {} {arn} was created, but its tag {key:?} could not be added: {}",
                    C::WHAT,
                    e.message
                );
                let tags = C::tags_mut(&mut output);
                if let Some(t) = tags.as_mut() {
                    t.remove(MARKER_TAG_KEY);
                }
                return failed(output, e);
            }
        }
        *C::tags_mut(&mut output) = Some(object.user_tags().clone());
        Ok(output)
    }

    /// Deletes `duplicates`, objects an interrupted attempt made next to `keep`.
    async fn delete_duplicates<C: LeakSafeCreate>(
        &self,
        object: &C,
        keep: &str,
        duplicates: &[String],
    ) -> Result<(), ApiError> {
        let what = C::WHAT;
        for arn in duplicates {
            tracing::warn!(%arn, "deleting a duplicate {what} an interrupted create made");
            let deleted = self
                .even_if_stopping(C::CREATE, |client| async move {
                    object.delete(&client, arn).await
                })
                .await;
            match deleted {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(mut e) => {
                    e.message = format!(
                        "the {what} {keep} was created, but a duplicate an interrupted attempt made, {arn}, \
                         could not be deleted: {}. Delete it by hand",
                        e.message
                    );
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// A create without a marker (`create_markers = false`): an attempt whose outcome is
    /// unknown cannot be checked, so it is not retried.
    async fn create_without_marker<C: LeakSafeCreate>(
        &self,
        object: &C,
    ) -> Result<C::Output, ApiError> {
        let op = C::CREATE;
        let mut retry = 0;
        loop {
            let sent_at = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
            let attempt = self
                .attempt_classified(op, |sdk| object.send(sdk, object.user_tags().clone()))
                .await;
            let mut err = match attempt {
                Ok(output) => return Ok(output),
                Err(err) => err,
            };
            err.attempts = retry + 1;
            if err.ambiguous {
                let at = sent_at
                    .fmt(aws_smithy_types::date_time::Format::DateTime)
                    .unwrap_or_default();
                err.message = format!(
                    "{}. The outcome is unknown: the {what} may have been created. It was not retried, since \
                     create_markers = false leaves no way to tell a second {what} from the first. Look for one \
                     created at about {at} with `{cmd}`, then import it or delete it",
                    err.message,
                    what = C::WHAT,
                    cmd = object.find_command()
                );
                return Err(err);
            }
            match self.next(&err, retry) {
                Next::GiveUp => return Err(err),
                Next::RetryAfter(delay) => {
                    self.wait(op, delay).await?;
                    retry += 1;
                }
            }
        }
    }

    /// Runs `f` with this client; when Terraform is stopping, again with a client that ignores
    /// the stop, for at most [`AFTER_STOP_BOUND`]: for work that must not be left half done.
    async fn even_if_stopping<T, F, Fut>(&self, op: Operation, f: F) -> Result<T, ApiError>
    where
        F: Fn(IvsChat) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let stopping = || {
            self.cancel
                .as_ref()
                .is_some_and(CancellationToken::is_cancelled)
        };
        match f(self.clone()).await {
            // Terraform is stopping: finish the work, bounded. Past the operation's own time
            // limit instead, the timeout is the user's bound: report what may exist at once.
            Err(e) if e.kind == ErrorKind::Cancelled && stopping() => {}
            done => return done,
        }
        let unstoppable = self.detached();
        match tokio::time::timeout(AFTER_STOP_BOUND, f(unstoppable)).await {
            Ok(done) => done,
            Err(_) => Err(ApiError::new(
                op,
                ErrorKind::Cancelled,
                format!(
                    "Terraform is stopping, and the call did not finish within {} s",
                    AFTER_STOP_BOUND.as_secs()
                ),
            )),
        }
    }
}
