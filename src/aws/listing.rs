//! Listing-backed reads: one List page (50 summaries, one slot of its own 5 TPS lane) answers
//! the reads of 50 objects, where a Get answers one. Generic over the listed type ([`Listable`]):
//! each type's impl lives beside the type (rooms, logging configurations), and this module
//! names none of them.
//!
//! A summary answers a read when its `updateTime` equals the one the resource recorded with
//! the object's state ([`Version`]) at its last create, update or read: whatever the summary lacks
//! (a room's two maximum values) only changes through an update, which moves `updateTime`.
//! Anything else (a different `updateTime`, an object absent from the listing, no recorded
//! version: imports and older states) is read with the type's Get: the listing never declares
//! an object gone.
//!
//! One listing per type, region and provider process, paged by a background task only while
//! some read waits for it. Each waiting read races the two lanes: whenever the Get lane has a
//! free slot *now* it takes it (never queueing, so unused reservations never pile up) and reads
//! its object directly; otherwise it waits for the next page or the next free slot. A few
//! objects in a large account are thus answered by Get as fast as before, and paging stops once
//! they are; many objects are answered at the listing's speed.
//!
//! Paging follows the one paginator's rules ([`Cursor`]): a repeated `nextToken` ends the
//! listing as a failed one, and reads then use Get.
//!
//! Freshness: a provider process serves one Terraform operation (plan, apply, import each start
//! their own), and summaries are used for at most [`MAX_AGE`], even while paging goes on. A
//! summary whose page was requested before this process's last write to the object finished
//! (any write, tags included) is never used for it: pages and writes are ordered by one
//! sequence of this process's events, not by timestamps. A whole listing is handed to a data
//! source only when this process wrote no object of the type, a create whose answer may
//! still come included.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::paginate::{Cursor, ListPage, PAGE_SIZE};
use super::{ApiError, Fresh, IvsChat, Operation, Written};

/// How long a listing serves reads; after that, the next read starts a new one.
pub const MAX_AGE: Duration = Duration::from_secs(120);

type HttpResponse = aws_smithy_runtime_api::http::Response;

/// A type whose objects a List call summarizes and a Get call reads one by one.
pub trait Listable: 'static {
    /// One entry of a List page.
    type Summary: Clone + fmt::Debug + Send + Sync + 'static;
    /// One List page.
    type Page: ListPage + Send + 'static;
    type ListError: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static;
    /// The answer of the Get call.
    type Got: fmt::Debug + Send + 'static;
    type GetError: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static;
    const LIST: Operation;
    const GET: Operation;

    /// Requests the page at `token` (`None`: the first), [`PAGE_SIZE`] summaries at most.
    fn list(
        sdk: aws_sdk_ivschat::Client,
        page_size: i32,
        token: Option<String>,
    ) -> impl Future<Output = Result<Self::Page, SdkError<Self::ListError, HttpResponse>>> + Send;
    fn summaries(page: &Self::Page) -> &[Self::Summary];
    fn summary_arn(s: &Self::Summary) -> Option<&str>;
    fn summary_update_time(s: &Self::Summary) -> Option<&DateTime>;
    /// Reads one object.
    fn get(
        sdk: aws_sdk_ivschat::Client,
        arn: String,
    ) -> impl Future<Output = Result<Self::Got, SdkError<Self::GetError, HttpResponse>>> + Send;
    fn got_update_time(got: &Self::Got) -> Option<&DateTime>;
    /// Whether `arn` names an object of this type: for the writes of this process to the type.
    fn names(arn: &str) -> bool;
}

/// The object's `updateTime` (ms since the epoch) at its last create, update or read by this
/// provider, kept by the resource with its state: a summary with the same `updateTime` shows
/// this version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub update_time_ms: i64,
}

impl Version {
    pub fn at(update_time: Option<&DateTime>) -> Option<Version> {
        Written::at(update_time).map(|w| Version {
            update_time_ms: w.update_time_ms,
        })
    }
}

impl IvsChat {
    /// The version an answer showing `update_time` may record, so that a later summary with
    /// the same `updateTime` answers a read with the values of that answer; `None` when the
    /// timestamp cannot tell those values from another write's.
    ///
    /// Two writes share an `updateTime` when they fall in the same unit of its precision. A
    /// timestamp with milliseconds shows a millisecond precision: another write in the same
    /// millisecond is not told apart (two writers within one millisecond of each other). A
    /// whole-second timestamp may be a server that counts whole seconds: a later write in the
    /// same second would show the same `updateTime` with other values. Such a version is
    /// recorded only from a read sent once that second was over and every write in it was
    /// visible: `observed_from` (the server's time, at least, when the read was sent; `None`
    /// for a write's own answer) at or after `updateTime` + 1 s + `max_read_lag`. Until then
    /// reads of the object use Get.
    pub fn vouched_version(
        &self,
        update_time: Option<&DateTime>,
        observed_from: Option<i64>,
    ) -> Option<Version> {
        let version = Version::at(update_time)?;
        if version.update_time_ms.rem_euclid(1000) != 0 {
            return Some(version);
        }
        let sealed_at = version
            .update_time_ms
            .saturating_add(1000)
            .saturating_add(self.inner.lag.read_lag_ms());
        observed_from
            .is_some_and(|from| from >= sealed_at)
            .then_some(version)
    }
}

/// How a read was answered.
#[derive(Debug)]
pub enum Read<S, G> {
    /// From a listing summary showing the recorded version.
    Listed(S),
    /// From the type's Get.
    Got(Fresh<G>),
}

#[derive(Debug)]
struct Pages<S> {
    /// When the current listing's first page was requested.
    started: Option<Instant>,
    /// By ARN: the summary and when its page was requested.
    summaries: HashMap<String, (S, Requested)>,
    /// ARNs in the order the listing first showed them.
    order: Vec<String>,
    cursor: Cursor,
    /// The last page arrived, or paging failed: absent objects are read with Get.
    done: bool,
    /// Paging failed (an error, a repeated nextToken): the listing is not the whole account.
    failed: bool,
    pager_running: bool,
    /// Reads waiting for the listing: paging stops when there are none.
    waiters: usize,
}

impl<S> Default for Pages<S> {
    fn default() -> Pages<S> {
        Pages {
            started: None,
            summaries: HashMap::new(),
            order: Vec::new(),
            cursor: Cursor::default(),
            done: false,
            failed: false,
            pager_running: false,
            waiters: 0,
        }
    }
}

/// When a page was requested: in this process's sequence of events (ordered against writes),
/// and on the local monotonic clock (its age).
#[derive(Clone, Copy, Debug)]
struct Requested {
    seq: u64,
    at: Instant,
}

/// What the listing says about one object.
enum Lookup<S> {
    Matches(Box<S>),
    /// Read it with Get: changed since the recorded version, written by this process after
    /// its page, or absent from a finished listing.
    UseGet,
    Pending,
}

/// The listing of one type in one region, shared by every read of the process.
#[derive(Debug)]
struct Listing<S> {
    pages: Mutex<Pages<S>>,
    page_arrived: Notify,
}

impl<S> Listing<S> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pages<S>> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What the listing says about `arn`, whose last change by this process finished at
    /// `changed_at` in the sequence of events; `shows` tells whether a summary shows the
    /// recorded version.
    fn look_up(&self, arn: &str, changed_at: Option<u64>, shows: impl Fn(&S) -> bool) -> Lookup<S>
    where
        S: Clone,
    {
        self.expire();
        let pages = self.lock();
        match pages.summaries.get(arn) {
            Some((_, fetched)) if changed_at.is_some_and(|c| c > fetched.seq) => Lookup::UseGet,
            // Past its age, even while paging goes on.
            Some((_, fetched)) if fetched.at.elapsed() > MAX_AGE => Lookup::UseGet,
            Some((s, _)) if shows(s) => Lookup::Matches(Box::new(s.clone())),
            Some(_) => Lookup::UseGet,
            None if pages.done => Lookup::UseGet,
            None => Lookup::Pending,
        }
    }

    /// Starts over once the listing is older than [`MAX_AGE`] and no pager runs.
    fn expire(&self) {
        let mut pages = self.lock();
        let expired = pages.started.is_some_and(|s| s.elapsed() > MAX_AGE);
        if expired && !pages.pager_running {
            *pages = Pages::default();
        }
    }
}

/// Every listing of a region, one per listed type.
#[derive(Debug, Default)]
pub(crate) struct Listings {
    by_type: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Listings {
    fn of<L: Listable>(&self) -> Arc<Listing<L::Summary>> {
        let mut by_type = self
            .by_type
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let any = by_type
            .entry(TypeId::of::<L>())
            .or_insert_with(|| {
                Arc::new(Listing::<L::Summary> {
                    pages: Mutex::new(Pages::default()),
                    page_arrived: Notify::new(),
                })
            })
            .clone();
        drop(by_type);
        any.downcast::<Listing<L::Summary>>()
            .unwrap_or_else(|_| unreachable!("a listing is stored under its own type"))
    }
}

/// Counts a read as waiting for the listing while alive.
struct Waiting<'a, S>(&'a Listing<S>);

impl<'a, S> Waiting<'a, S> {
    fn new(listing: &'a Listing<S>) -> Waiting<'a, S> {
        listing.lock().waiters += 1;
        Waiting(listing)
    }
}

impl<S> Drop for Waiting<'_, S> {
    fn drop(&mut self) {
        let mut pages = self.0.lock();
        pages.waiters = pages.waiters.saturating_sub(1);
    }
}

/// Which listings a data source may take (see [`IvsChat::list_shared`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    /// Join the shared listing, paging it to the end if needed: the data source lists the
    /// whole account anyway.
    Join,
    /// Only a listing already complete: the data source's own filtered listing may need
    /// fewer pages than the whole account.
    IfComplete,
}

impl IvsChat {
    /// Remembers that a write of this process to `arn` (a change or deletion) has just
    /// finished, whatever its outcome: listing pages requested before are never used for it.
    pub fn note_change(&self, arn: &str) {
        self.inner.writes.changed(arn);
    }

    /// Remembers, before it is sent, that a create of an object on `op`'s lane may make one:
    /// shared listings of the type no longer serve data sources in this process.
    pub(super) fn note_create(&self, op: Operation) {
        self.inner.writes.creating(op.lane().name);
    }

    fn look_up_listed<L: Listable>(
        &self,
        listing: &Listing<L::Summary>,
        arn: &str,
        version: Version,
    ) -> Lookup<L::Summary> {
        // The changes lock before (never while) the pages lock: see `list_shared`.
        let changed_at = self.inner.writes.changed_at(arn);
        listing.look_up(arn, changed_at, |s| {
            Version::at(L::summary_update_time(s)) == Some(version)
        })
    }

    /// Reads one object of type `L`: from the shared listing when `version` is recorded and a
    /// summary shows it, else with the type's Get (waiting for the provider's own last write,
    /// see `fresh`).
    pub async fn read_listed<L: Listable>(
        &self,
        arn: &str,
        known: Option<Written>,
        version: Option<Version>,
    ) -> Result<Read<L::Summary, L::Got>, ApiError> {
        let expected = self.expected_write(arn, known);
        let Some(version) = version.filter(|v| {
            // A write the recorded version does not show: only Get can tell.
            expected.is_none_or(|w| w.update_time_ms == v.update_time_ms)
        }) else {
            return Ok(Read::Got(self.get_fresh::<L>(arn, known, false).await?));
        };
        let listing = self.inner.listings.of::<L>();
        let waiting = Waiting::new(&listing);
        let in_slot = loop {
            let arrived = listing.page_arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            match self.look_up_listed::<L>(&listing, arn, version) {
                Lookup::Matches(s) => return Ok(Read::Listed(*s)),
                Lookup::UseGet => break false,
                Lookup::Pending => {}
            }
            self.start_paging::<L>(&listing);
            match self.inner.lanes.try_reserve_now(L::GET) {
                Ok(()) => break true,
                Err(next_slot) => {
                    tokio::select! {
                        () = &mut arrived => {}
                        slept = self.sleep_until(L::GET, next_slot) => slept?,
                    }
                }
            }
        };
        // No longer waiting: paging stops once no read needs it.
        drop(waiting);
        Ok(Read::Got(self.get_fresh::<L>(arn, known, in_slot).await?))
    }

    /// Every object of type `L` from the shared listing, in the API's order, for a data source
    /// that lists them all; `None` when the shared listing cannot serve (it failed, `share` is
    /// [`Share::IfComplete`] and it is not complete, or this process wrote an object of the
    /// type): the caller then lists on its own.
    pub async fn list_shared<L: Listable>(
        &self,
        share: Share,
    ) -> Result<Option<Vec<L::Summary>>, ApiError> {
        let listing = self.inner.listings.of::<L>();
        listing.expire();
        if share == Share::IfComplete && !listing.lock().done {
            return Ok(None);
        }
        if self.wrote::<L>() {
            // Reads may lag behind our writes for a while: a listing could miss them.
            return Ok(None);
        }
        let waiting = Waiting::new(&listing);
        loop {
            let arrived = listing.page_arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if listing.lock().done {
                break;
            }
            self.start_paging::<L>(&listing);
            tokio::select! {
                () = &mut arrived => {}
                why = self.interruption(true) => return Err(self.interrupted(L::LIST, &why)),
            }
        }
        drop(waiting);
        let started = {
            let pages = listing.lock();
            pages
                .started
                .filter(|s| !pages.failed && s.elapsed() <= MAX_AGE)
        };
        let Some(started) = started else {
            return Ok(None);
        };
        // Never the pages lock and the changes lock at once in this order: lookups take
        // them the other way round.
        if self.wrote::<L>() {
            return Ok(None);
        }
        let pages = listing.lock();
        if pages.started != Some(started) {
            // Expired and started over meanwhile.
            return Ok(None);
        }
        Ok(Some(
            pages
                .order
                .iter()
                .filter_map(|arn| pages.summaries.get(arn).map(|(s, _)| s.clone()))
                .collect(),
        ))
    }

    /// Whether this process changed or deleted an object of type `L`, or sent a create of one.
    fn wrote<L: Listable>(&self) -> bool {
        self.inner.writes.wrote_any(L::LIST.lane().name, L::names)
    }

    /// Starts the pager unless it runs or the listing is done.
    fn start_paging<L: Listable>(&self, listing: &Arc<Listing<L::Summary>>) {
        {
            let mut pages = listing.lock();
            if pages.pager_running || pages.done {
                return;
            }
            pages.pager_running = true;
        }
        // Detached from the read's stop signal and deadline: it pages only while reads wait
        // and ends after at most one more call once none does.
        let pager = self.detached();
        let listing = listing.clone();
        tokio::spawn(async move { pager.page::<L>(&listing).await });
    }

    async fn page<L: Listable>(&self, listing: &Listing<L::Summary>) {
        loop {
            let token = {
                let mut pages = listing.lock();
                if pages.waiters == 0 || pages.done {
                    pages.pager_running = false;
                    return;
                }
                pages.cursor.token()
            };
            let requested = Requested {
                seq: self.inner.writes.tick(),
                at: Instant::now(),
            };
            let page = self
                .call(L::LIST, |c| L::list(c, PAGE_SIZE, token.clone()))
                .await;
            let done = {
                let mut pages = listing.lock();
                pages.started.get_or_insert(requested.at);
                let next = page.and_then(|out| {
                    let pages = &mut *pages;
                    for s in L::summaries(&out) {
                        if let Some(arn) = L::summary_arn(s) {
                            // An object updated while we list moves to the front and may come
                            // again on a later page: the later sighting is the newer one.
                            if pages
                                .summaries
                                .insert(arn.to_owned(), (s.clone(), requested))
                                .is_none()
                            {
                                pages.order.push(arn.to_owned());
                            }
                        }
                    }
                    pages.cursor.advance(self, L::LIST, out.next_token())
                });
                match next {
                    Ok(more) => pages.done = !more,
                    Err(e) => {
                        // Reads fall back to Get, which reports errors for its object.
                        tracing::debug!(
                            operation = L::LIST.name(),
                            "listing failed, reads use Get: {}",
                            e.message
                        );
                        pages.done = true;
                        pages.failed = true;
                    }
                }
                if pages.done {
                    pages.pager_running = false;
                }
                pages.done
            };
            listing.page_arrived.notify_waiters();
            if done {
                return;
            }
        }
    }

    /// The type's Get, retried while it serves a version older than the provider's last write
    /// (or `known`, from private state): what data sources read one object with.
    pub async fn read_fresh<L: Listable>(
        &self,
        arn: &str,
        known: Option<Written>,
    ) -> Result<Fresh<L::Got>, ApiError> {
        self.get_fresh::<L>(arn, known, false).await
    }

    /// [`IvsChat::read_fresh`]; `in_slot`: the first call uses a pacing slot the caller
    /// already took.
    pub(super) async fn get_fresh<L: Listable>(
        &self,
        arn: &str,
        known: Option<Written>,
        in_slot: bool,
    ) -> Result<Fresh<L::Got>, ApiError> {
        let first = std::sync::atomic::AtomicBool::new(in_slot);
        let read = || {
            let in_slot = first.swap(false, std::sync::atomic::Ordering::Relaxed);
            self.call_in(L::GET, |c| L::get(c, arn.to_owned()), in_slot)
        };
        self.fresh(L::GET, arn, known, read, L::got_update_time)
            .await
    }
}
