//! The request log: one record per AWS API request routed, in a bounded ring.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Records kept (the oldest are dropped first).
pub(crate) const CAPACITY: usize = 20_000;

/// The fault the emulator applied to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AppliedFault {
    /// Answered ThrottlingException (429) before running (injected, or a rate quota).
    Throttled,
    /// Answered InternalServerException (500) before running.
    InternalError,
    /// Answered AccessDeniedException (403) before running (`deny_operations`).
    AccessDenied,
    /// Answered PendingVerification (403) before running.
    PendingVerification,
    /// Ran, then its connection was dropped without an answer (reset after commit or
    /// a lost answer on the operation).
    AnswerLost,
}

/// One AWS API request as the emulator routed it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// Position in the log, from 1.
    pub seq: u64,
    /// When the request arrived, by the emulator's clock (milliseconds since the epoch).
    pub time_ms: i64,
    /// Operation name (e.g. `CreateRoom`); `None` for a path that names none.
    pub operation: Option<String>,
    /// The resource the request names: its `identifier`, else the tags path's ARN,
    /// else the `name` it gives.
    pub resource: Option<String>,
    /// The `arn` of the answer (the object a create made), when the answer has one.
    pub answer_arn: Option<String>,
    /// The fault applied, if any.
    pub fault: Option<AppliedFault>,
    /// The HTTP status answered; `None` when the answer was lost.
    pub status: Option<u16>,
}

pub(crate) struct RequestLog {
    inner: Mutex<(u64, VecDeque<RequestRecord>)>,
}

impl RequestLog {
    pub(crate) fn new() -> Self {
        Self {
            inner: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Appends `r` (its `seq` is assigned here).
    pub(crate) fn push(&self, mut r: RequestRecord) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        r.seq = g.0;
        if g.1.len() >= CAPACITY {
            g.1.pop_front();
        }
        g.1.push_back(r);
    }

    /// Records with `seq > since`, oldest first.
    pub(crate) fn since(&self, since: u64) -> Vec<RequestRecord> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.1.iter().filter(|r| r.seq > since).cloned().collect()
    }

    /// The `seq` of the latest record (0 when none).
    pub(crate) fn last_seq(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_latest() {
        let log = RequestLog::new();
        for i in 0..(CAPACITY + 5) {
            log.push(RequestRecord {
                seq: 0,
                time_ms: i64::try_from(i).unwrap(),
                operation: None,
                resource: None,
                answer_arn: None,
                fault: None,
                status: Some(200),
            });
        }
        let all = log.since(0);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].seq, 6);
        assert_eq!(log.last_seq(), u64::try_from(CAPACITY + 5).unwrap());
        assert_eq!(log.since(log.last_seq() - 2).len(), 2);
    }
}
