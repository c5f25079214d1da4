//! Eventual consistency of reads: under [`Consistency::Eventual`], every write to a room or
//! logging configuration gets a "visible-at" instant (write time plus a lag drawn from a
//! seeded generator). Until then Get* and List* serve the version before the write; writes
//! always act on the latest version. Tags are not lagged: a served version carries the
//! object's current tags.

use super::{LoggingConfiguration, Room};
use crate::config::{Consistency, LagDraw};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Keeps the consistency draws apart from the fault draws made with the same seed.
const SEED_OFFSET: u64 = 0x5EED_C0C5_1575_7E11;

/// The consistency setting and its lag generator.
pub(crate) struct Visibility {
    consistency: Consistency,
    rng: StdRng,
}

impl Default for Visibility {
    fn default() -> Self {
        Self::new(Consistency::Strong, None)
    }
}

impl Visibility {
    pub(crate) fn new(consistency: Consistency, seed: Option<u64>) -> Self {
        let seed = seed.map_or_else(rand::random, |s| s ^ SEED_OFFSET);
        Self {
            consistency,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    pub(super) fn eventual(&self) -> bool {
        matches!(self.consistency, Consistency::Eventual { .. })
    }

    /// The lag of one write, in milliseconds.
    fn draw_ms(&mut self) -> i64 {
        let Consistency::Eventual { max_lag, draw } = self.consistency else {
            return 0;
        };
        let max = i64::try_from(max_lag.as_millis()).unwrap_or(i64::MAX / 4);
        match draw {
            LagDraw::Exact => max,
            LagDraw::Uniform => self.rng.random_range(0..=max),
        }
    }
}

/// What a lagged object needs to expose.
pub(super) trait Versioned: Clone {
    fn seq(&self) -> u64;
    fn tags_mut(&mut self) -> &mut BTreeMap<String, String>;
    fn tags(&self) -> &BTreeMap<String, String>;
}

impl Versioned for Room {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn tags_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.tags
    }
    fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }
}

impl Versioned for LoggingConfiguration {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn tags_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.tags
    }
    fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }
}

/// The versions of one object that reads have not all caught up with.
#[derive(Debug)]
pub(crate) struct Lagged<T> {
    /// What reads saw before the first pending write (`None`: the object did not exist).
    base: Option<T>,
    /// Later versions with the instant (ms) from which reads see them; instants never
    /// decrease, the last entry is the latest version.
    pending: VecDeque<(i64, Option<T>)>,
}

impl<T: Versioned> Lagged<T> {
    /// The version reads see at `now`.
    fn at(&self, now: i64) -> Option<&T> {
        self.pending
            .iter()
            .rev()
            .find(|(from, _)| *from <= now)
            .map_or(self.base.as_ref(), |(_, v)| v.as_ref())
    }

    /// When the latest version becomes visible.
    pub(super) fn visible_at(&self) -> i64 {
        self.pending.back().map_or(i64::MIN, |(t, _)| *t)
    }
}

/// Records a write at `at`: `before` is the latest version before it, `after` the one
/// after it (`None`: absent).
pub(super) fn note_write<T: Versioned>(
    vis: &mut Visibility,
    lagged: &mut HashMap<String, Lagged<T>>,
    id: &str,
    before: Option<T>,
    after: Option<T>,
    at: i64,
) {
    let lag = vis.draw_ms();
    let entry = lagged.entry(id.to_owned()).or_insert_with(|| Lagged {
        base: before,
        pending: VecDeque::new(),
    });
    // A later write never becomes visible before an earlier one.
    let from = at.saturating_add(lag).max(entry.visible_at());
    entry.pending.push_back((from, after));
}

/// Forgets objects whose latest version every read sees.
pub(super) fn prune<T>(lagged: &mut HashMap<String, Lagged<T>>, now: i64)
where
    T: Versioned,
{
    if !lagged.is_empty() {
        lagged.retain(|_, l| l.visible_at() > now);
    }
}

/// The version of `id` reads see at `now`, with the current tags; `None`: not found.
pub(super) fn visible<'a, T: Versioned>(
    live: &'a HashMap<String, T>,
    lagged: &'a HashMap<String, Lagged<T>>,
    id: &str,
    now: i64,
) -> Option<Cow<'a, T>> {
    match lagged.get(id) {
        None => live.get(id).map(Cow::Borrowed),
        Some(l) => l.at(now).map(|v| Cow::Owned(with_tags(v, live.get(id)))),
    }
}

fn with_tags<T: Versioned>(served: &T, live: Option<&T>) -> T {
    let mut v = served.clone();
    if let Some(live) = live {
        *v.tags_mut() = live.tags().clone();
    }
    v
}

/// Objects as reads see them at `now`, newest ordering key first, keys below `below`.
pub(super) fn visible_desc<'a, T: Versioned>(
    order: &'a BTreeMap<u64, String>,
    live: &'a HashMap<String, T>,
    lagged: &'a HashMap<String, Lagged<T>>,
    below: u64,
    now: i64,
) -> impl Iterator<Item = Cow<'a, T>> + 'a {
    let mut served: Vec<T> = lagged
        .iter()
        .filter_map(|(id, l)| l.at(now).map(|v| with_tags(v, live.get(id))))
        .filter(|v| v.seq() < below)
        .collect();
    served.sort_by_key(|v| std::cmp::Reverse(v.seq()));
    let mut served = served.into_iter().peekable();
    let mut current = order
        .range(..below)
        .rev()
        .filter(move |(_, id)| !lagged.contains_key(*id))
        .filter_map(move |(_, id)| live.get(id))
        .peekable();
    std::iter::from_fn(move || match (current.peek(), served.peek()) {
        (Some(c), Some(s)) if c.seq() < s.seq() => served.next().map(Cow::Owned),
        (Some(_), _) => current.next().map(Cow::Borrowed),
        (None, _) => served.next().map(Cow::Owned),
    })
}

/// A lagged object whose version that reads see at `now` matches.
pub(super) fn find_seen<T: Versioned>(
    lagged: &HashMap<String, Lagged<T>>,
    now: i64,
    matches: impl Fn(&T) -> bool,
) -> Option<&T> {
    lagged
        .values()
        .find_map(|l| l.at(now).filter(|v| matches(v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn room(seq: u64, name: &str) -> Room {
        Room {
            arn: String::new(),
            id: format!("id{seq}"),
            region: "us-east-1".into(),
            name: name.into(),
            create_time_ms: 0,
            update_time_ms: 0,
            seq,
            maximum_message_rate_per_second: 10,
            maximum_message_length: 500,
            message_review_handler: None,
            tags: BTreeMap::new(),
            logging_configuration_identifiers: Vec::new(),
        }
    }

    fn exact(ms: u64) -> Visibility {
        Visibility::new(
            Consistency::Eventual {
                max_lag: Duration::from_millis(ms),
                draw: LagDraw::Exact,
            },
            Some(1),
        )
    }

    #[test]
    fn versions_become_visible_in_write_order() {
        let mut vis = exact(100);
        let mut lagged = HashMap::new();
        let (a, b) = (room(1, "a"), room(2, "b"));
        note_write(&mut vis, &mut lagged, "x", None, Some(a.clone()), 1000);
        note_write(&mut vis, &mut lagged, "x", Some(a), Some(b), 1050);
        let live = HashMap::new();
        let name = |now| visible(&live, &lagged, "x", now).map(|r| r.name.clone());
        assert_eq!(name(1099), None);
        assert_eq!(name(1100).as_deref(), Some("a"));
        assert_eq!(name(1150).as_deref(), Some("b"));
        prune(&mut lagged, 1149);
        assert_eq!(lagged.len(), 1);
        prune(&mut lagged, 1150);
        assert!(lagged.is_empty());
    }

    #[test]
    fn uniform_lags_stay_in_range_and_repeat_with_the_seed() {
        let draws = |seed| {
            let mut v = Visibility::new(
                Consistency::Eventual {
                    max_lag: Duration::from_millis(50),
                    draw: LagDraw::Uniform,
                },
                Some(seed),
            );
            (0..200).map(|_| v.draw_ms()).collect::<Vec<_>>()
        };
        let a = draws(7);
        assert_eq!(a, draws(7));
        assert_ne!(a, draws(8));
        assert!(a.iter().all(|d| (0..=50).contains(d)));
        assert!(a.contains(&0) || a.iter().any(|d| *d < 5));
        assert!(a.iter().any(|d| *d > 45));
    }

    #[test]
    fn listing_merges_served_versions_in_key_order() {
        let mut vis = exact(100);
        let mut live = HashMap::new();
        let mut order = BTreeMap::new();
        for (seq, id) in [(1, "p"), (3, "q"), (5, "r")] {
            let mut r = room(seq, id);
            r.id = id.into();
            live.insert(id.to_owned(), r);
            order.insert(seq, id.to_owned());
        }
        // "q" updated at 1000 (seq 3 -> 6), "s" created at 1000: neither visible before 1100.
        let mut lagged = HashMap::new();
        let mut q_old = live["q"].clone();
        q_old.name = "old-q".into();
        let mut q_new = q_old.clone();
        q_new.seq = 6;
        note_write(&mut vis, &mut lagged, "q", Some(q_old), Some(q_new), 1000);
        note_write(&mut vis, &mut lagged, "s", None, Some(room(7, "s")), 1000);
        let names = |now, below| {
            visible_desc(&order, &live, &lagged, below, now)
                .map(|r| (r.seq, r.name.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(1050, u64::MAX),
            [(5, "r".into()), (3, "old-q".into()), (1, "p".into())]
        );
        assert_eq!(names(1050, 5), [(3, "old-q".into()), (1, "p".into())]);
    }
}
