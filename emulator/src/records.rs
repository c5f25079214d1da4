//! The records the store keeps and the wire model renders: rooms, logging configurations and
//! their destinations, states and forced failures. Plain data, below both [`crate::store`]
//! (which holds and changes them) and [`crate::model`] (which turns them into JSON).

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Message review handler of a room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageReviewHandler {
    /// Lambda ARN; empty once detached.
    pub uri: String,
    /// `ALLOW` or `DENY`.
    pub fallback_result: String,
}

/// A chat room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    /// ARN.
    pub arn: String,
    /// 12-character id.
    pub id: String,
    /// Region the room lives in.
    pub region: String,
    /// Name (may be empty).
    pub name: String,
    /// Creation time, ms since the epoch.
    pub create_time_ms: i64,
    /// Last update time, ms since the epoch.
    pub update_time_ms: i64,
    /// Ordering key: grows with every create or update.
    pub seq: u64,
    /// 1..100.
    pub maximum_message_rate_per_second: i64,
    /// 1..500.
    pub maximum_message_length: i64,
    /// Handler, if one was ever set.
    pub message_review_handler: Option<MessageReviewHandler>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Logging configuration ARNs (at most 3).
    pub logging_configuration_identifiers: Vec<String>,
}

/// Where a logging configuration sends messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Destination {
    /// S3 bucket.
    S3 {
        /// Bucket name.
        bucket_name: String,
    },
    /// CloudWatch Logs group.
    CloudWatchLogs {
        /// Log group name.
        log_group_name: String,
    },
    /// Firehose delivery stream.
    Firehose {
        /// Stream name.
        delivery_stream_name: String,
    },
}

/// State of a logging configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoggingState {
    /// Being created.
    Creating,
    /// Creation failed.
    CreateFailed,
    /// Being deleted.
    Deleting,
    /// Deletion failed.
    DeleteFailed,
    /// Being updated.
    Updating,
    /// Update failed.
    UpdateFailed,
    /// Ready.
    Active,
}

impl LoggingState {
    /// The wire name (`ACTIVE`, `CREATE_FAILED`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "CREATING",
            Self::CreateFailed => "CREATE_FAILED",
            Self::Deleting => "DELETING",
            Self::DeleteFailed => "DELETE_FAILED",
            Self::Updating => "UPDATING",
            Self::UpdateFailed => "UPDATE_FAILED",
            Self::Active => "ACTIVE",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "CREATING" => Self::Creating,
            "CREATE_FAILED" => Self::CreateFailed,
            "DELETING" => Self::Deleting,
            "DELETE_FAILED" => Self::DeleteFailed,
            "UPDATING" => Self::Updating,
            "UPDATE_FAILED" => Self::UpdateFailed,
            "ACTIVE" => Self::Active,
            _ => return None,
        })
    }

    pub(crate) fn transitional(self) -> bool {
        matches!(self, Self::Creating | Self::Updating | Self::Deleting)
    }
}

/// Which logging-configuration operation a forced failure applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoggingOperation {
    /// CreateLoggingConfiguration → CREATE_FAILED.
    Create,
    /// UpdateLoggingConfiguration → UPDATE_FAILED.
    Update,
    /// DeleteLoggingConfiguration → DELETE_FAILED.
    Delete,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pending {
    pub until_ms: i64,
    pub operation: LoggingOperation,
    pub fail: bool,
    /// Name and destination before an update, restored when the update fails.
    pub previous: Option<(String, Destination)>,
}

/// A logging configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggingConfiguration {
    /// ARN.
    pub arn: String,
    /// 12-character id.
    pub id: String,
    /// Region.
    pub region: String,
    /// Name (may be empty).
    pub name: String,
    /// Creation time, ms since the epoch.
    pub create_time_ms: i64,
    /// Last update time, ms since the epoch.
    pub update_time_ms: i64,
    /// Ordering key.
    pub seq: u64,
    /// Destination.
    pub destination: Destination,
    /// Current state.
    pub state: LoggingState,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) pending: Option<Pending>,
}

/// "Fail the next N create/update/delete of a logging configuration that matches".
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggingFailure {
    /// Operation to fail.
    pub operation: Option<LoggingOperation>,
    /// Regular expression the configuration's name must match (whole name).
    pub name_matches: Option<String>,
    /// Exact ARN (update / delete).
    pub arn: Option<String>,
    /// How many operations to fail (default 1).
    pub count: Option<u32>,
}

pub(crate) struct FailRule {
    pub(crate) operation: LoggingOperation,
    pub(crate) name: Option<Regex>,
    pub(crate) arn: Option<String>,
    pub(crate) remaining: u32,
}
