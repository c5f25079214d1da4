//! Per-operation, per-region token buckets with the AWS rate quotas.

use crate::config::QuotaMode;
use crate::error::{ApiError, LOGGING_CONFIGURATION, ROOM};
use crate::operation::Operation;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub(crate) struct Quotas {
    mode: QuotaMode,
    buckets: Mutex<HashMap<(String, Operation), Bucket>>,
}

/// Requests per second allowed for an operation (the bucket also holds this many).
pub(crate) fn rate(op: Operation) -> u32 {
    use Operation::*;
    match op {
        CreateRoom | GetRoom | UpdateRoom | DeleteRoom | ListRooms => 5,
        CreateLoggingConfiguration
        | GetLoggingConfiguration
        | UpdateLoggingConfiguration
        | DeleteLoggingConfiguration
        | ListLoggingConfigurations => 3,
        TagResource | UntagResource | ListTagsForResource => 10,
        CreateChatToken => 200,
        SendEvent | DeleteMessage | DisconnectUser => 100,
    }
}

impl Quotas {
    pub(crate) fn new(mode: QuotaMode) -> Self {
        Self {
            mode,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn check(&self, region: &str, account: &str, op: Operation) -> Result<(), ApiError> {
        if self.mode == QuotaMode::Off {
            return Ok(());
        }
        let rate = f64::from(rate(op));
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let b = buckets.entry((region.to_owned(), op)).or_insert(Bucket {
            tokens: rate,
            last: now,
        });
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(rate);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return Ok(());
        }
        Err(throttled(op, account))
    }
}

pub(crate) fn throttled(op: Operation, account: &str) -> ApiError {
    let resource_type = if op.is_logging() {
        LOGGING_CONFIGURATION
    } else {
        ROOM
    };
    ApiError::Throttling {
        message: "Rate exceeded".to_owned(),
        resource_id: account.to_owned(),
        resource_type,
        limit: i64::from(rate(op)),
    }
}
