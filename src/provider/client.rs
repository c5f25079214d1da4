//! The IVS Chat client every resource uses: paced, retried, classified, and leak-safe on create.
//!
//! - Pacing: every attempt waits for its (region, operation) slot in the shared [`Pacer`].
//! - Retries: throttling, 5xx, timeouts and connection errors are retried with full-jitter
//!   exponential backoff, up to `max_retries`; the SDK's own retries are disabled so that
//!   classification and pacing are ours. Validation, access, not-found, quota and conflict
//!   errors are never retried.
//! - Leak safety: [`IvsChat::create_room`] and [`IvsChat::create_logging_configuration`] tag the
//!   new object with a hidden marker holding a per-create token. When an attempt fails in a way
//!   that leaves open whether the object was made (connection dropped or timed out after the
//!   request was sent, 5xx, unreadable response), the client waits the backoff, then looks the
//!   object up by its marker before any retry and adopts it if found; else it retries with the
//!   same marker, and once that succeeds deletes any other object carrying the marker (an
//!   earlier attempt that the list showed late). So a retried create never leaves a second
//!   object, and a failed one never leaves an untracked one behind.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationOutput;
use aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder;
use aws_sdk_ivschat::operation::create_room::CreateRoomOutput;
use aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder;
use aws_smithy_types::error::display::DisplayErrorContext;
use tokio_util::sync::CancellationToken;

use super::config::RateLimits;
use super::pacing::Pacer;
use crate::diagnostics::Diagnostic;

/// The tag key of the per-create marker. Hidden from `tags` and `tags_all` by the tag helpers.
pub const MARKER_TAG_KEY: &str = "terraform-provider-ivschat:create-token";

/// The most tags an IVS Chat object can carry.
pub const MAX_TAGS: usize = 50;

/// An IVS Chat API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    CreateRoom,
    GetRoom,
    UpdateRoom,
    DeleteRoom,
    ListRooms,
    CreateLoggingConfiguration,
    GetLoggingConfiguration,
    UpdateLoggingConfiguration,
    DeleteLoggingConfiguration,
    ListLoggingConfigurations,
    TagResource,
    UntagResource,
    ListTagsForResource,
    CreateChatToken,
    SendEvent,
    DeleteMessage,
    DisconnectUser,
}

/// The quota groups of the IVS Chat API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Room,
    LoggingConfiguration,
    Tags,
    ChatToken,
    Messaging,
}

impl Class {
    pub fn rate(self, rates: &RateLimits) -> f64 {
        match self {
            Class::Room => rates.room,
            Class::LoggingConfiguration => rates.logging_configuration,
            Class::Tags => rates.tags,
            Class::ChatToken => rates.chat_token,
            Class::Messaging => rates.messaging,
        }
    }
}

impl Operation {
    /// The API name, as in AWS documentation and CloudTrail.
    pub fn name(self) -> &'static str {
        use Operation::*;
        match self {
            CreateRoom => "CreateRoom",
            GetRoom => "GetRoom",
            UpdateRoom => "UpdateRoom",
            DeleteRoom => "DeleteRoom",
            ListRooms => "ListRooms",
            CreateLoggingConfiguration => "CreateLoggingConfiguration",
            GetLoggingConfiguration => "GetLoggingConfiguration",
            UpdateLoggingConfiguration => "UpdateLoggingConfiguration",
            DeleteLoggingConfiguration => "DeleteLoggingConfiguration",
            ListLoggingConfigurations => "ListLoggingConfigurations",
            TagResource => "TagResource",
            UntagResource => "UntagResource",
            ListTagsForResource => "ListTagsForResource",
            CreateChatToken => "CreateChatToken",
            SendEvent => "SendEvent",
            DeleteMessage => "DeleteMessage",
            DisconnectUser => "DisconnectUser",
        }
    }

    pub fn class(self) -> Class {
        use Operation::*;
        match self {
            CreateRoom | GetRoom | UpdateRoom | DeleteRoom | ListRooms => Class::Room,
            CreateLoggingConfiguration
            | GetLoggingConfiguration
            | UpdateLoggingConfiguration
            | DeleteLoggingConfiguration
            | ListLoggingConfigurations => Class::LoggingConfiguration,
            TagResource | UntagResource | ListTagsForResource => Class::Tags,
            CreateChatToken => Class::ChatToken,
            SendEvent | DeleteMessage | DisconnectUser => Class::Messaging,
        }
    }

    /// The verb of a diagnostic's summary: "Cannot {verb} {subject}".
    pub fn verb(self) -> &'static str {
        use Operation::*;
        match self {
            CreateRoom | CreateLoggingConfiguration => "create",
            GetRoom | GetLoggingConfiguration => "read",
            UpdateRoom | UpdateLoggingConfiguration => "update",
            DeleteRoom | DeleteLoggingConfiguration => "delete",
            ListRooms | ListLoggingConfigurations => "list",
            TagResource | UntagResource => "update the tags of",
            ListTagsForResource => "read the tags of",
            CreateChatToken => "create a chat token for",
            SendEvent => "send an event to",
            DeleteMessage => "delete a message in",
            DisconnectUser => "disconnect a user from",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of failure an API error is; decides retries and advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Validation,
    AccessDenied,
    Conflict,
    QuotaExceeded,
    Throttling,
    Internal,
    Transport,
    Timeout,
    Cancelled,
    Other,
}

impl ErrorKind {
    /// Worth another attempt (after backoff).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttling | ErrorKind::Internal | ErrorKind::Transport | ErrorKind::Timeout
        )
    }
}

/// A failed API call, after retries.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed ({kind:?}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
pub struct ApiError {
    pub operation: Operation,
    pub kind: ErrorKind,
    /// The AWS error code (`ValidationException`, ...), when the service answered.
    pub code: Option<String>,
    pub message: String,
    /// The HTTP status, when the service answered.
    pub status: Option<u16>,
    /// How many attempts were made.
    pub attempts: u32,
    /// The request may have been carried out although it failed (connection lost after
    /// sending, timeout, 5xx, unreadable answer).
    pub ambiguous: bool,
}

impl ApiError {
    pub fn new(operation: Operation, kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            operation,
            kind,
            code: None,
            message: message.into(),
            status: None,
            attempts: 1,
            ambiguous: false,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// Classifies an SDK error.
    pub fn from_sdk<E>(
        operation: Operation,
        err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> ApiError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut e = ApiError::new(operation, ErrorKind::Other, String::new());
        match err {
            SdkError::ConstructionFailure(_) => {
                e.kind = ErrorKind::Other;
                e.message = format!(
                    "the request could not be built: {}",
                    DisplayErrorContext(err)
                );
            }
            SdkError::TimeoutError(_) => {
                e.kind = ErrorKind::Timeout;
                e.ambiguous = true;
                e.message = format!("no answer in time: {}", DisplayErrorContext(err));
            }
            SdkError::DispatchFailure(d) => {
                let (connect_failed, tls_problem) = connection_failure(err);
                if let Some(tls) = tls_problem {
                    // A certificate the client does not trust: retrying cannot help.
                    e.kind = ErrorKind::Other;
                    e.code = Some("TlsCertificateError".to_owned());
                    e.message = format!(
                        "the endpoint's TLS certificate was refused ({tls}): {}. If the endpoint uses a private \
                         CA, set custom_ca_bundle (or AWS_CA_BUNDLE) to its PEM file",
                        DisplayErrorContext(err)
                    );
                    return e;
                }
                if d.is_timeout() {
                    e.kind = ErrorKind::Timeout;
                    e.ambiguous = true;
                } else if d.is_io() {
                    e.kind = ErrorKind::Transport;
                    // A connection that was never made carried no request.
                    e.ambiguous = !connect_failed;
                } else if d.is_user() {
                    e.kind = ErrorKind::Other;
                } else if let Some(what) = failed_before_sending(err) {
                    // Nothing was sent: credentials that could not be loaded, or an endpoint
                    // that could not be resolved. Retrying cannot help.
                    e.kind = if what == "CredentialsError" {
                        ErrorKind::AccessDenied
                    } else {
                        ErrorKind::Other
                    };
                    e.code = Some(what.to_owned());
                } else {
                    // A connection that broke without an I/O error of its own (hyper's
                    // "connection closed before message completed"): the request may have
                    // been carried out.
                    e.kind = ErrorKind::Transport;
                    e.ambiguous = true;
                }
                e.message = format!("{}", DisplayErrorContext(err));
            }
            SdkError::ResponseError(r) => {
                let status = r.raw().status().as_u16();
                e.status = Some(status);
                e.kind = if status == 429 {
                    ErrorKind::Throttling
                } else if status >= 500 {
                    ErrorKind::Internal
                } else {
                    ErrorKind::Transport
                };
                e.ambiguous = status != 429;
                e.message = format!("the answer could not be read: {}", DisplayErrorContext(err));
            }
            SdkError::ServiceError(s) => {
                let status = s.raw().status().as_u16();
                let service_err = s.err();
                e.status = Some(status);
                e.code = service_err.code().map(str::to_owned);
                e.message = service_err.message().unwrap_or("").to_owned();
                if e.message.is_empty() {
                    e.message = format!("{service_err}");
                }
                e.kind = classify_code(e.code.as_deref(), status);
                e.ambiguous = e.kind == ErrorKind::Internal;
            }
            _ => {
                e.message = format!("{}", DisplayErrorContext(err));
            }
        }
        e
    }

    /// An error diagnostic that names the operation, the object (`subject`, e.g.
    /// `room "lobby"`), the AWS error code and message, and what to do.
    pub fn diagnostic(&self, subject: &str) -> Diagnostic {
        let summary = format!("Cannot {} {subject}", self.operation.verb());
        let code = self
            .code
            .as_deref()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let status = self
            .status
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_default();
        let attempts = if self.attempts > 1 {
            format!(" after {} attempts", self.attempts)
        } else {
            String::new()
        };
        let mut detail = format!(
            "IVS Chat {} failed{attempts} with{code}{status}: {}",
            self.operation.name(),
            if self.message.is_empty() {
                "no message"
            } else {
                self.message.as_str()
            }
        );
        let advice = self.advice();
        if !advice.is_empty() {
            detail.push_str("\n\n");
            detail.push_str(advice);
        }
        let summary = capitalize_first(&summary);
        Diagnostic::error(summary, detail)
    }

    fn advice(&self) -> &'static str {
        match self.kind {
            ErrorKind::NotFound => {
                "The object no longer exists in AWS. If it was deleted outside Terraform, run `terraform apply` again to recreate it, or remove it from the configuration."
            }
            ErrorKind::Validation => {
                "AWS rejected an argument. Check the values in the configuration against the IVS Chat limits named in the message."
            }
            ErrorKind::AccessDenied => {
                "The credentials in use are not allowed to do this, or could not be loaded. Check the provider's credentials (access keys, profile, assume_role) and that their IAM policy allows this ivschat action on this resource."
            }
            ErrorKind::Conflict => {
                "The object is in use or being changed by another operation. Wait for the other change to finish (or remove the reference to it first), then apply again."
            }
            ErrorKind::QuotaExceeded => {
                "An IVS Chat service quota is reached for this account and region (for example 10 logging configurations, or 3 per room). Delete unused objects or request a quota increase in Service Quotas."
            }
            ErrorKind::Throttling => {
                "IVS Chat kept throttling the calls although the provider paces them at the quota. Another client probably shares this account's quota: lower the provider's rate_limits, raise max_retries, or run Terraform with a lower -parallelism."
            }
            ErrorKind::Internal => {
                "IVS Chat had an internal error that persisted across retries. Try again later; raise max_retries to wait longer."
            }
            ErrorKind::Transport | ErrorKind::Timeout => {
                "IVS Chat could not be reached. Check network access to the endpoint (proxy, custom_ca_bundle, endpoints.ivschat) and try again."
            }
            ErrorKind::Cancelled => "The operation was interrupted before it finished.",
            ErrorKind::Other => "",
        }
    }
}

/// What failed before a request was sent, found in the error's source chain: credentials
/// (`CredentialsError`) or endpoint resolution (`ResolveEndpointError`).
fn failed_before_sending(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            return Some("CredentialsError");
        }
        if e.downcast_ref::<aws_smithy_runtime_api::client::endpoint::error::ResolveEndpointError>()
            .is_some()
        {
            return Some("ResolveEndpointError");
        }
        cur = e.source();
    }
    None
}

/// Whether the error chain says the connection was never established (so nothing was sent),
/// and the TLS error that refused the server's certificate, if that is what happened.
fn connection_failure(err: &(dyn std::error::Error + 'static)) -> (bool, Option<String>) {
    let mut connect = false;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<hyper_util::client::legacy::Error>() {
            connect |= h.is_connect();
        }
        if let Some(
            t @ (rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented),
        ) = e.downcast_ref::<rustls::Error>()
        {
            return (true, Some(t.to_string()));
        }
        // An io::Error's source() skips the error it wraps; step into that error instead.
        cur = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    (connect, None)
}

fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The error kind of an AWS error code (and HTTP status when the code is unfamiliar).
pub fn classify_code(code: Option<&str>, status: u16) -> ErrorKind {
    match code.unwrap_or("") {
        "ResourceNotFoundException" | "NotFoundException" => ErrorKind::NotFound,
        "ValidationException" | "InvalidParameterException" | "SerializationException" => {
            ErrorKind::Validation
        }
        "AccessDeniedException"
        | "PendingVerification"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "ExpiredTokenException"
        | "ExpiredToken"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => ErrorKind::AccessDenied,
        "ConflictException" => ErrorKind::Conflict,
        "ServiceQuotaExceededException" | "LimitExceededException" => ErrorKind::QuotaExceeded,
        "ThrottlingException"
        | "Throttling"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown"
        | "ProvisionedThroughputExceededException"
        | "BandwidthLimitExceeded"
        | "EC2ThrottledException"
        | "PriorRequestNotComplete"
        | "TransactionInProgressException" => ErrorKind::Throttling,
        "InternalServerException"
        | "InternalFailure"
        | "InternalError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException" => ErrorKind::Internal,
        _ => match status {
            404 => ErrorKind::NotFound,
            400 => ErrorKind::Validation,
            401 | 403 => ErrorKind::AccessDenied,
            402 => ErrorKind::QuotaExceeded,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::Throttling,
            s if s >= 500 => ErrorKind::Internal,
            _ => ErrorKind::Other,
        },
    }
}

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
        half + Duration::from_micros(if spread == 0 {
            0
        } else {
            fastrand::u64(0..=spread)
        })
    }
}

pub(crate) struct Inner {
    pub(crate) sdk: aws_sdk_ivschat::Client,
    pub(crate) region: String,
    pub(crate) pacer: Arc<Pacer>,
    pub(crate) retry: RetryPolicy,
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

/// What a failed attempt means for the loop.
enum Next {
    RetryAfter(Duration),
    GiveUp,
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
            }),
            cancel: None,
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

    /// One attempt: wait for the pacing slot, then call.
    async fn attempt<T, E, F, Fut>(&self, op: Operation, f: &F) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if self
            .cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
        {
            return Err(self.cancelled(op));
        }
        let slot = self.inner.pacer.reserve(&self.inner.region, op);
        self.sleep_until(op, slot).await?;
        let result = f(self.inner.sdk.clone()).await;
        result.map_err(|e| {
            let err = ApiError::from_sdk(op, &e);
            tracing::debug!(operation = op.name(), kind = ?err.kind, code = ?err.code, "IVS Chat call failed: {}", err.message);
            err
        })
    }

    /// Decides whether to retry after `retry` earlier retries, pausing the operation's bucket on
    /// throttling when adaptive.
    fn next(&self, err: &ApiError, retry: u32) -> Next {
        // A refused connection (nothing listens, wrong port) rarely heals within minutes, unlike
        // throttling or a 5xx: give it a few quick retries, so a wrong endpoint surfaces in
        // seconds rather than after the whole max_retries budget.
        let budget = if err.kind == ErrorKind::Transport && !err.ambiguous {
            self.inner.retry.max_retries.min(CONNECT_RETRIES)
        } else {
            self.inner.retry.max_retries
        };
        if !err.kind.is_retryable() || retry >= budget {
            return Next::GiveUp;
        }
        let delay = self.inner.retry.backoff(retry);
        if err.kind == ErrorKind::Throttling && self.inner.retry.adaptive {
            self.inner
                .pacer
                .pause(&self.inner.region, err.operation, delay);
        }
        Next::RetryAfter(delay)
    }

    async fn wait(&self, op: Operation, delay: Duration) -> Result<(), ApiError> {
        self.sleep_until(op, tokio::time::Instant::now() + delay)
            .await
    }

    /// One paced, retried API call. `op` names the operation (for pacing class and
    /// diagnostics). Use only for idempotent calls: create calls go through the leak-safe
    /// `create_*` methods.
    pub async fn call<T, E, F, Fut>(&self, op: Operation, f: F) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut retry = 0;
        loop {
            match self.attempt(op, &f).await {
                Ok(v) => return Ok(v),
                Err(mut err) => match self.next(&err, retry) {
                    Next::GiveUp => {
                        err.attempts = retry + 1;
                        return Err(err);
                    }
                    Next::RetryAfter(delay) => {
                        self.wait(op, delay).await?;
                        retry += 1;
                    }
                },
            }
        }
    }

    /// The create loop shared by rooms and logging configurations. On an ambiguous failure it
    /// waits the backoff (so a create still being processed can finish and list calls can
    /// catch up), then looks the object up by its marker: found, it is adopted; not found, the
    /// create is retried with the same marker. When a retry succeeds after an ambiguous
    /// failure, any other object carrying the same marker (an earlier attempt that surfaced
    /// late) is deleted, so exactly one remains.
    async fn create_with_marker<T, E, F, Fut, L, LFut, D, DFut>(
        &self,
        op: Operation,
        create: F,
        lookup: L,
        dedupe: D,
    ) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        L: Fn() -> LFut,
        LFut: Future<Output = Result<Option<T>, ApiError>>,
        D: Fn(T) -> DFut,
        DFut: Future<Output = T>,
    {
        let mut retry = 0;
        let mut ambiguous_seen = false;
        loop {
            let mut err = match self.attempt(op, &create).await {
                Ok(v) if ambiguous_seen => return Ok(dedupe(v).await),
                Ok(v) => return Ok(v),
                Err(err) => err,
            };
            let next = self.next(&err, retry);
            if err.ambiguous {
                ambiguous_seen = true;
                let pause = match next {
                    Next::RetryAfter(d) => d,
                    Next::GiveUp => self.inner.retry.backoff(0),
                };
                self.wait(op, pause).await?;
                match lookup().await {
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

    /// CreateRoom that never leaks: see the module documentation. `input` fills in the
    /// request (name, limits, handler, tags, logging configurations).
    pub async fn create_room<F>(&self, input: F) -> Result<CreateRoomOutput, ApiError>
    where
        F: Fn(CreateRoomFluentBuilder) -> CreateRoomFluentBuilder,
    {
        let probe = input(self.inner.sdk.create_room());
        let name = probe.get_name().clone().filter(|n| !n.is_empty());
        let user_tags = probe.get_tags().as_ref().map_or(0, HashMap::len);
        let token = (user_tags < MAX_TAGS).then(new_token);
        let create = |c: aws_sdk_ivschat::Client| {
            let mut b = input(c.create_room());
            if let Some(t) = &token {
                b = b.tags(MARKER_TAG_KEY, t.clone());
            }
            b.send()
        };
        let (token_ref, name_ref) = (token.as_deref(), name.as_deref());
        let lookup = move || async move {
            let Some(t) = token_ref else { return Ok(None) };
            let arns = self.room_arns_with_marker(name_ref, t).await?;
            match arns.first() {
                Some(arn) => self.room_as_created(arn).await.map(Some),
                None => Ok(None),
            }
        };
        let dedupe = move |out: CreateRoomOutput| async move {
            if let (Some(t), Some(keep)) = (token_ref, out.arn()) {
                let found = self.room_arns_with_marker(name_ref, t).await;
                self.delete_duplicates(found, keep, "room", Operation::DeleteRoom, |c, arn| {
                    c.delete_room().identifier(arn).send()
                })
                .await;
            }
            out
        };
        self.create_with_marker(Operation::CreateRoom, create, lookup, dedupe)
            .await
    }

    /// After a retried create succeeded: deletes every other object carrying the same marker
    /// (`found`), which an earlier, interrupted attempt made. Best effort: failures are logged.
    async fn delete_duplicates<T, E, F, Fut>(
        &self,
        found: Result<Vec<String>, ApiError>,
        keep: &str,
        what: &str,
        op: Operation,
        delete: F,
    ) where
        F: Fn(aws_sdk_ivschat::Client, String) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let arns = match found {
            Ok(arns) => arns,
            Err(e) => {
                tracing::warn!("could not check for a duplicate {what}: {e}");
                return;
            }
        };
        for arn in arns.iter().filter(|a| a.as_str() != keep) {
            tracing::warn!(%arn, "deleting a duplicate {what} an interrupted create made");
            match self.call(op, |c| delete(c, arn.clone())).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => tracing::warn!(%arn, "could not delete a duplicate {what}: {e}"),
            }
        }
    }

    /// ARNs of the rooms (named `name`, when given) that carry the marker `token`.
    async fn room_arns_with_marker(
        &self,
        name: Option<&str>,
        token: &str,
    ) -> Result<Vec<String>, ApiError> {
        let mut next: Option<String> = None;
        let mut arns = Vec::new();
        loop {
            let page = self
                .call(Operation::ListRooms, |c| {
                    c.list_rooms()
                        .set_name(name.map(str::to_owned))
                        .max_results(50)
                        .set_next_token(next.clone())
                        .send()
                })
                .await?;
            arns.extend(
                page.rooms()
                    .iter()
                    .filter(|r| {
                        r.tags()
                            .and_then(|t| t.get(MARKER_TAG_KEY))
                            .is_some_and(|v| v == token)
                    })
                    .filter_map(|r| r.arn().map(str::to_owned)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_owned()),
                _ => return Ok(arns),
            }
        }
    }

    /// A room read back in the shape CreateRoom returns.
    async fn room_as_created(&self, arn: &str) -> Result<CreateRoomOutput, ApiError> {
        let room = self
            .call(Operation::GetRoom, |c| c.get_room().identifier(arn).send())
            .await?;
        Ok(CreateRoomOutput::builder()
            .set_arn(room.arn().map(str::to_owned))
            .set_id(room.id().map(str::to_owned))
            .set_name(room.name().map(str::to_owned))
            .set_create_time(room.create_time().copied())
            .set_update_time(room.update_time().copied())
            .set_maximum_message_rate_per_second(room.maximum_message_rate_per_second())
            .set_maximum_message_length(room.maximum_message_length())
            .set_message_review_handler(room.message_review_handler().cloned())
            .set_tags(room.tags().cloned())
            .set_logging_configuration_identifiers(Some(
                room.logging_configuration_identifiers().to_vec(),
            ))
            .build())
    }

    /// CreateLoggingConfiguration that never leaks (as [`IvsChat::create_room`]).
    pub async fn create_logging_configuration<F>(
        &self,
        input: F,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError>
    where
        F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder,
    {
        let probe = input(self.inner.sdk.create_logging_configuration());
        let user_tags = probe.get_tags().as_ref().map_or(0, HashMap::len);
        let token = (user_tags < MAX_TAGS).then(new_token);
        let create = |c: aws_sdk_ivschat::Client| {
            let mut b = input(c.create_logging_configuration());
            if let Some(t) = &token {
                b = b.tags(MARKER_TAG_KEY, t.clone());
            }
            b.send()
        };
        let token_ref = token.as_deref();
        let lookup = move || async move {
            let Some(t) = token_ref else { return Ok(None) };
            let arns = self.logging_configuration_arns_with_marker(t).await?;
            match arns.first() {
                Some(arn) => self.logging_configuration_as_created(arn).await.map(Some),
                None => Ok(None),
            }
        };
        let dedupe = move |out: CreateLoggingConfigurationOutput| async move {
            if let (Some(t), Some(keep)) = (token_ref, out.arn()) {
                let found = self.logging_configuration_arns_with_marker(t).await;
                self.delete_duplicates(
                    found,
                    keep,
                    "logging configuration",
                    Operation::DeleteLoggingConfiguration,
                    |c, arn| c.delete_logging_configuration().identifier(arn).send(),
                )
                .await;
            }
            out
        };
        self.create_with_marker(
            Operation::CreateLoggingConfiguration,
            create,
            lookup,
            dedupe,
        )
        .await
    }

    /// ARNs of the logging configurations that carry the marker `token`.
    async fn logging_configuration_arns_with_marker(
        &self,
        token: &str,
    ) -> Result<Vec<String>, ApiError> {
        let mut next: Option<String> = None;
        let mut arns = Vec::new();
        loop {
            let page = self
                .call(Operation::ListLoggingConfigurations, |c| {
                    c.list_logging_configurations()
                        .max_results(50)
                        .set_next_token(next.clone())
                        .send()
                })
                .await?;
            arns.extend(
                page.logging_configurations()
                    .iter()
                    .filter(|l| {
                        l.tags()
                            .and_then(|t| t.get(MARKER_TAG_KEY))
                            .is_some_and(|v| v == token)
                    })
                    .filter_map(|l| l.arn().map(str::to_owned)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_owned()),
                _ => return Ok(arns),
            }
        }
    }

    /// A logging configuration read back in the shape CreateLoggingConfiguration returns.
    async fn logging_configuration_as_created(
        &self,
        arn: &str,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError> {
        use aws_sdk_ivschat::types::CreateLoggingConfigurationState;
        let l = self
            .call(Operation::GetLoggingConfiguration, |c| {
                c.get_logging_configuration().identifier(arn).send()
            })
            .await?;
        Ok(CreateLoggingConfigurationOutput::builder()
            .set_arn(l.arn().map(str::to_owned))
            .set_id(l.id().map(str::to_owned))
            .set_name(l.name().map(str::to_owned))
            .set_create_time(l.create_time().copied())
            .set_update_time(l.update_time().copied())
            .set_destination_configuration(l.destination_configuration().cloned())
            .set_state(
                l.state()
                    .map(|s| CreateLoggingConfigurationState::from(s.as_str())),
            )
            .set_tags(l.tags().cloned())
            .build())
    }
}

/// A fresh per-create token (128 random bits, hex).
fn new_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

#[cfg(test)]
mod tests;
