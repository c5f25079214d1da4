//! Typed errors: the AWS error responses (`ApiError`) and the library error (`Error`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Errors of the library API (start, state file, introspection).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Serving the socket failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The state file exists but could not be read, or its directory does not exist.
    #[error("cannot read the state file {path}: {source}")]
    StateFileRead {
        /// Path of the state file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The state file could not be parsed.
    #[error("state file {path}: {source}")]
    StateFile {
        /// Path of the state file.
        path: String,
        /// Parse error.
        source: serde_json::Error,
    },
    /// The configuration cannot work (e.g. a default region that is not served).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The state file parses but cannot be used (unknown format, malformed token key).
    #[error("state file {path}: {reason}")]
    StateFileInvalid {
        /// Path of the state file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An ARN given to an introspection call does not name a known resource.
    #[error("no such resource: {0}")]
    NotFound(String),
    /// An argument to an introspection call is invalid.
    #[error("invalid argument: {0}")]
    Invalid(String),
}

/// `reason` of a ValidationException.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValidationReason {
    UnknownOperation,
    FieldValidationFailed,
    Other,
}

impl ValidationReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownOperation => "UNKNOWN_OPERATION",
            Self::FieldValidationFailed => "FIELD_VALIDATION_FAILED",
            Self::Other => "OTHER",
        }
    }
}

/// One entry of a ValidationException `fieldList`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub name: String,
    pub message: String,
}

/// An AWS error response.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("ValidationException: {message}")]
    Validation {
        message: String,
        reason: ValidationReason,
        fields: Vec<FieldError>,
    },
    #[error("AccessDeniedException: {0}")]
    AccessDenied(String),
    #[error("ResourceNotFoundException: {message}")]
    ResourceNotFound {
        message: String,
        resource_id: String,
        resource_type: &'static str,
    },
    #[error("ConflictException: {message}")]
    Conflict {
        message: String,
        resource_id: String,
        resource_type: &'static str,
    },
    #[error("ServiceQuotaExceededException: {message}")]
    ServiceQuotaExceeded {
        message: String,
        resource_id: String,
        resource_type: &'static str,
        limit: i64,
    },
    #[error("ThrottlingException: {message}")]
    Throttling {
        message: String,
        resource_id: String,
        resource_type: &'static str,
        limit: i64,
    },
    #[error("PendingVerification: {0}")]
    PendingVerification(String),
    #[error("InternalServerException: {0}")]
    Internal(String),
    /// Authentication failures raised by the front end (not modelled shapes).
    #[error("{error_type}: {message}")]
    Auth {
        status: StatusCode,
        error_type: &'static str,
        message: String,
    },
}

pub(crate) const ROOM: &str = "ROOM";
pub(crate) const LOGGING_CONFIGURATION: &str = "LOGGING_CONFIGURATION";

impl ApiError {
    pub(crate) fn validation_other(message: impl Into<String>) -> Self {
        Self::Validation {
            message: message.into(),
            reason: ValidationReason::Other,
            fields: Vec::new(),
        }
    }

    pub(crate) fn unknown_operation() -> Self {
        Self::Validation {
            message: "The requested operation is not supported by this service.".to_owned(),
            reason: ValidationReason::UnknownOperation,
            fields: Vec::new(),
        }
    }

    pub(crate) fn not_found(resource_type: &'static str, id: &str) -> Self {
        let kind = if resource_type == ROOM {
            "room"
        } else {
            "logging configuration"
        };
        Self::ResourceNotFound {
            message: format!("Resource not found: {kind} {id} does not exist"),
            resource_id: sanitize_id(id),
            resource_type,
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::BAD_REQUEST,
            Self::AccessDenied(_) | Self::PendingVerification(_) => StatusCode::FORBIDDEN,
            Self::ResourceNotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::ServiceQuotaExceeded { .. } => StatusCode::PAYMENT_REQUIRED,
            Self::Throttling { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Auth { status, .. } => *status,
        }
    }

    pub(crate) fn error_type(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "ValidationException",
            Self::AccessDenied(_) => "AccessDeniedException",
            Self::PendingVerification(_) => "PendingVerification",
            Self::ResourceNotFound { .. } => "ResourceNotFoundException",
            Self::Conflict { .. } => "ConflictException",
            Self::ServiceQuotaExceeded { .. } => "ServiceQuotaExceededException",
            Self::Throttling { .. } => "ThrottlingException",
            Self::Internal(_) => "InternalServerException",
            Self::Auth { error_type, .. } => error_type,
        }
    }

    pub(crate) fn body(&self) -> Value {
        let mut m = Map::new();
        match self {
            Self::Validation {
                message,
                reason,
                fields,
            } => {
                m.insert("message".into(), json!(message));
                m.insert("reason".into(), json!(reason.as_str()));
                if !fields.is_empty() {
                    let list: Vec<Value> = fields
                        .iter()
                        .map(|f| json!({"name": f.name, "message": f.message}))
                        .collect();
                    m.insert("fieldList".into(), Value::Array(list));
                }
            }
            Self::AccessDenied(message)
            | Self::PendingVerification(message)
            | Self::Internal(message) => {
                m.insert("message".into(), json!(message));
            }
            Self::Auth { message, .. } => {
                m.insert("message".into(), json!(message));
            }
            Self::ResourceNotFound {
                message,
                resource_id,
                resource_type,
            }
            | Self::Conflict {
                message,
                resource_id,
                resource_type,
            } => {
                m.insert("message".into(), json!(message));
                m.insert("resourceId".into(), json!(resource_id));
                m.insert("resourceType".into(), json!(resource_type));
            }
            Self::ServiceQuotaExceeded {
                message,
                resource_id,
                resource_type,
                limit,
            }
            | Self::Throttling {
                message,
                resource_id,
                resource_type,
                limit,
            } => {
                m.insert("message".into(), json!(message));
                m.insert("resourceId".into(), json!(resource_id));
                m.insert("resourceType".into(), json!(resource_type));
                m.insert("limit".into(), json!(limit));
            }
        }
        Value::Object(m)
    }
}

/// Keeps only the `[a-zA-Z0-9]` characters the model allows in `resourceId`.
fn sanitize_id(id: &str) -> String {
    let s: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if s.is_empty() {
        "unknown".to_owned()
    } else {
        s
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut resp = (self.status(), body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(
            "x-amzn-ErrorType",
            HeaderValue::from_static(self.error_type()),
        );
        resp
    }
}
