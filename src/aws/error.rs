//! How a failed call is classified (decides retries and advice) and explained to the user.

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use std::sync::Arc;

use aws_smithy_types::error::display::DisplayErrorContext;

use super::Operation;
use super::explain::{self, Cause, Failure, Reach};

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

/// A failed call in words, for an error message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// A short Title-Case headline.
    pub summary: String,
    /// What happened and what to do about it.
    pub detail: String,
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
    /// Why, in the classes a user can act on.
    pub cause: Cause,
    /// How the failing client reaches IVS Chat (settings and their origins), for the
    /// diagnostic; set by the client that made the call.
    pub reach: Option<Arc<Reach>>,
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
            cause: Cause::Service,
            reach: None,
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
        // The raw error, with the SDK's Debug rendering, is for the debug log only.
        tracing::debug!(
            operation = operation.name(),
            "IVS Chat call failed (raw SDK error): {}",
            DisplayErrorContext(err)
        );
        let mut e = ApiError::new(operation, ErrorKind::Other, String::new());
        match err {
            SdkError::ConstructionFailure(_) => {
                e.kind = ErrorKind::Other;
                e.message = format!(
                    "the request could not be built: {}",
                    explain::display_chain(err)
                );
                e.cause = Cause::Other {
                    detail: e.message.clone(),
                };
            }
            SdkError::TimeoutError(_) => {
                e.kind = ErrorKind::Timeout;
                e.ambiguous = true;
                e.message = "no answer in time".to_owned();
                e.cause = Cause::TimedOut;
            }
            SdkError::DispatchFailure(d) => {
                let (connect_failed, tls_problem) = connection_failure(err);
                if let Some(tls) = tls_problem {
                    // A certificate the client does not trust: retrying cannot help.
                    e.kind = ErrorKind::Other;
                    e.code = Some("TlsCertificateError".to_owned());
                    e.message = format!(
                        "the endpoint's TLS certificate was refused ({tls}). If the endpoint uses a private \
                         CA, set custom_ca_bundle (or AWS_CA_BUNDLE) to its PEM file"
                    );
                    e.cause = Cause::TlsUntrusted { detail: tls };
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
                e.cause = explain::transport_cause(err, d.is_timeout());
                e.message = match &e.cause {
                    Cause::CredentialsUnavailable { detail }
                    | Cause::Transport { detail }
                    | Cause::Other { detail }
                    | Cause::TlsUntrusted { detail } => detail.clone(),
                    _ => explain::display_chain(err),
                };
                if e.code.as_deref() == Some("ResolveEndpointError") {
                    e.cause = Cause::Other {
                        detail: e.message.clone(),
                    };
                }
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
                e.message = format!(
                    "the answer could not be read: {}",
                    explain::display_chain(err)
                );
                e.cause = Cause::Transport {
                    detail: e.message.clone(),
                };
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
                e.cause = explain::service_cause(e.code.as_deref());
            }
            _ => {
                e.message = explain::display_chain(err);
                e.cause = Cause::Other {
                    detail: e.message.clone(),
                };
            }
        }
        e
    }

    /// The error in words, a summary and a detail that name the operation, the object
    /// (`subject`, e.g. `room "lobby"`), the AWS error code and message, and what to do: the
    /// provider turns them into a Terraform diagnostic.
    pub fn explain(&self, subject: &str) -> Explained {
        let action = format!("{} {subject}", self.operation.verb());
        let reach = self.reach.as_deref().cloned().unwrap_or_default();
        let failure = Failure {
            operation: self.operation.name(),
            action: &action,
            attempts: self.attempts,
            region: &reach.region,
            region_origin: &reach.region_origin,
            code: self.code.as_deref(),
            message: &self.message,
            status: self.status,
        };
        if let Some((summary, detail)) = explain::explain(&self.cause, &failure, &reach.origins) {
            return Explained { summary, detail };
        }
        let summary = format!("Cannot {action}");
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
        let throttled;
        let advice = if self.kind == ErrorKind::Throttling {
            throttled = explain::throttled(&failure, &reach.origins);
            throttled.as_str()
        } else {
            self.advice()
        };
        if !advice.is_empty() {
            detail.push_str("\n\n");
            detail.push_str(advice);
        }
        Explained {
            summary: capitalize_first(&summary),
            detail,
        }
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
