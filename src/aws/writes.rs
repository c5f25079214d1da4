//! What this provider process wrote: per object (by ARN) its last write or deletion, when each
//! change finished in the process's sequence of events (which listing pages are ordered
//! against), and the types it sent creates of. Reads wait for these writes (`fresh`), and
//! listings never answer for objects changed after their page (`listing`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

/// A write the provider made to an object: the `updateTime` the API answered with, in
/// milliseconds since the epoch. A resource keeps it in its object's private state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub update_time_ms: i64,
}

impl Written {
    /// The write an API answer's `updateTime` records (`None`: the API gave none).
    pub fn at(update_time: Option<&DateTime>) -> Option<Written> {
        let t = update_time?;
        let ms = t
            .secs()
            .checked_mul(1000)?
            .checked_add(i64::from(t.subsec_nanos() / 1_000_000))?;
        Some(Written { update_time_ms: ms })
    }

    /// True when a read serving `update_time` shows this write (or a later one).
    pub fn seen_in(self, update_time: Option<&DateTime>) -> bool {
        // An answer without updateTime cannot be compared: take it as it is.
        Written::at(update_time).is_none_or(|served| served >= self)
    }
}

impl PartialOrd for Written {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Written {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.update_time_ms.cmp(&other.update_time_ms)
    }
}

/// What this process last did to an object.
#[derive(Clone, Copy, Debug)]
enum Last {
    /// Wrote; `true` once a read showed the write.
    Wrote(Written, bool),
    Deleted,
}

/// The bookkeeping of this process's writes in one region, shared by every client of it.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    objects: Mutex<HashMap<String, Last>>,
    /// The sequence of this process's listing page requests and finished writes.
    seq: AtomicU64,
    /// By ARN: where in the sequence the last change or deletion finished.
    changed_at: Mutex<HashMap<String, u64>>,
    /// The quota lanes of the types a create was sent for (its ARN may never be known).
    created: Mutex<HashSet<&'static str>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Writes {
    /// The next number in the sequence of page requests and finished writes.
    pub(crate) fn tick(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    /// Records a write to `arn`; returns the latest write known to it.
    pub(crate) fn wrote(&self, arn: &str, written: Written) -> Written {
        let mut objects = lock(&self.objects);
        let latest = match objects.get(arn) {
            Some(Last::Wrote(w, _)) => (*w).max(written),
            _ => written,
        };
        objects.insert(arn.to_owned(), Last::Wrote(latest, false));
        drop(objects);
        self.changed(arn);
        latest
    }

    /// Records that `arn` was deleted: reads no longer expect it to exist.
    pub(crate) fn deleted(&self, arn: &str) {
        lock(&self.objects).insert(arn.to_owned(), Last::Deleted);
        self.changed(arn);
    }

    /// Records that a write to `arn` (a change or deletion) has just finished, whatever its
    /// outcome: listing pages requested before are never used for it.
    pub(crate) fn changed(&self, arn: &str) {
        let seq = self.tick();
        lock(&self.changed_at).insert(arn.to_owned(), seq);
    }

    /// Where in the sequence the last change of `arn` finished, if this process changed it.
    pub(crate) fn changed_at(&self, arn: &str) -> Option<u64> {
        lock(&self.changed_at).get(arn).copied()
    }

    /// Records, before it is sent, that a create on `lane` may make an object.
    pub(crate) fn creating(&self, lane: &'static str) {
        lock(&self.created).insert(lane);
    }

    /// Whether this process changed or deleted an object `names` accepts, or sent a create on
    /// `lane`.
    pub(crate) fn wrote_any(&self, lane: &str, names: fn(&str) -> bool) -> bool {
        lock(&self.created).contains(lane) || lock(&self.changed_at).keys().any(|arn| names(arn))
    }

    /// Whether this process changed or deleted `arn`.
    pub(crate) fn touched(&self, arn: &str) -> bool {
        lock(&self.objects).contains_key(arn)
    }

    /// The latest write a read of `arn` must show: this process's, or `known`, whichever is
    /// later; none once this process deleted it.
    pub(crate) fn expected(&self, arn: &str, known: Option<Written>) -> Option<Written> {
        match lock(&self.objects).get(arn) {
            Some(Last::Deleted) => None,
            Some(Last::Wrote(w, _)) => Some(*w).max(known),
            None => known,
        }
    }

    /// Notes that reads show the write `seen` to `arn` (or a later one).
    pub(crate) fn confirm(&self, arn: &str, seen: Option<Written>) {
        let mut objects = lock(&self.objects);
        if let (Some(Last::Wrote(w, confirmed)), Some(seen)) = (objects.get_mut(arn), seen)
            && *w <= seen
        {
            *confirmed = true;
        }
    }

    /// The objects `names` accepts whose last write no read has shown yet.
    pub(crate) fn unconfirmed(&self, names: fn(&str) -> bool) -> Vec<String> {
        lock(&self.objects)
            .iter()
            .filter(|(arn, last)| names(arn) && matches!(last, Last::Wrote(_, false)))
            .map(|(arn, _)| arn.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_seen_by_reads_at_or_after_it() {
        let t = |s: i64, ms: u32| DateTime::from_secs_and_nanos(s, ms * 1_000_000);
        let w = Written::at(Some(&t(100, 500))).unwrap();
        assert_eq!(w.update_time_ms, 100_500);
        assert!(w.seen_in(Some(&t(100, 500))));
        assert!(w.seen_in(Some(&t(101, 0))));
        assert!(!w.seen_in(Some(&t(100, 499))));
        assert!(w.seen_in(None));
        assert_eq!(Written::at(None), None);
        assert_eq!(Written::at(Some(&DateTime::from_secs(i64::MAX))), None);
    }
}
