//! Listing-backed room reads: one ListRooms page (50 summaries, one slot of its own 5 TPS lane)
//! answers the reads of 50 rooms, where GetRoom answers one.
//!
//! A summary holds everything a room has except its two maximum values, which only UpdateRoom
//! changes, and UpdateRoom moves `updateTime`. So a read is answered from a summary when the
//! summary's `updateTime` equals the one recorded in the room's private state ([`Version`]) at
//! its last create, update or read; the maximum values then come from state. Anything else (a
//! different `updateTime`, a room absent from the listing, no recorded version: imports and
//! older states) is read with GetRoom: the listing never declares a room gone.
//!
//! One listing per region and provider process, paged by a background task only while some
//! read waits for it. Each waiting read races the two lanes: whenever the GetRoom lane has a
//! free slot *now* it takes it (never queueing, so unused reservations never pile up) and
//! reads its room directly; otherwise it waits for the next page or the next free slot. A few
//! rooms in a large account are thus answered by GetRoom as fast as before, and paging stops
//! once they are; many rooms are answered at the listing's speed.
//!
//! Freshness: a provider process serves one Terraform operation (plan, apply, import each start
//! their own), and summaries are used for at most [`MAX_AGE`]. A summary fetched before this
//! process changed or deleted the room (any write, tags included) is never used for it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_ivschat::operation::get_room::GetRoomOutput;
use aws_sdk_ivschat::types::RoomSummary;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::{ApiError, Fresh, IvsChat, Operation, Written};
use crate::server::PrivateData;

/// How long a listing serves reads; after that, the next read starts a new one.
pub const MAX_AGE: Duration = Duration::from_secs(120);

/// Summaries per ListRooms page: the API's maximum.
const PAGE_SIZE: i32 = 50;

/// The room's `updateTime` (ms since the epoch) at its last create, update or read by this
/// provider, kept in private state: a summary with the same `updateTime` shows this version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub update_time_ms: i64,
}

impl PrivateData for Version {
    const KEY: &'static str = "version";
}

impl Version {
    pub fn at(update_time: Option<&aws_smithy_types::DateTime>) -> Option<Version> {
        Written::at(update_time).map(|w| Version {
            update_time_ms: w.update_time_ms,
        })
    }
}

/// How a room read was answered.
#[derive(Debug)]
pub enum RoomRead {
    /// From a listing summary showing the recorded version: the maximum values are unchanged.
    Listed(RoomSummary),
    /// From GetRoom.
    Got(Fresh<GetRoomOutput>),
}

#[derive(Debug, Default)]
struct Pages {
    /// When the current listing's first page was requested.
    started: Option<Instant>,
    /// By ARN: the summary and when its page was requested.
    summaries: HashMap<String, (RoomSummary, Instant)>,
    next_token: Option<String>,
    /// The last page arrived, or paging failed: absent rooms are read with GetRoom.
    done: bool,
    pager_running: bool,
    /// Reads waiting for the listing: paging stops when there are none.
    waiters: usize,
    /// When this process last changed or deleted each room.
    changed_at: HashMap<String, Instant>,
}

/// What the listing says about one room.
enum Lookup {
    Matches(Box<RoomSummary>),
    /// Read it with GetRoom: changed since the recorded version, written by this process
    /// after its page, or absent from a finished listing.
    UseGetRoom,
    Pending,
}

/// The room listing of one region, shared by every read of the process.
#[derive(Debug, Default)]
pub(crate) struct RoomListing {
    pages: Mutex<Pages>,
    page_arrived: Notify,
}

impl RoomListing {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pages> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lookup(&self, arn: &str, version: Version) -> Lookup {
        let mut pages = self.lock();
        let expired = pages.started.is_some_and(|s| s.elapsed() > MAX_AGE);
        if expired && !pages.pager_running {
            let changed_at = std::mem::take(&mut pages.changed_at);
            *pages = Pages {
                changed_at,
                ..Pages::default()
            };
        }
        let changed_at = pages.changed_at.get(arn).copied();
        match pages.summaries.get(arn) {
            Some((_, fetched)) if changed_at.is_some_and(|c| c >= *fetched) => Lookup::UseGetRoom,
            Some((s, _)) if Version::at(s.update_time()) == Some(version) => {
                Lookup::Matches(Box::new(s.clone()))
            }
            Some(_) => Lookup::UseGetRoom,
            None if pages.done => Lookup::UseGetRoom,
            None => Lookup::Pending,
        }
    }
}

/// Counts a read as waiting for the listing while alive.
struct Waiting<'a>(&'a RoomListing);

impl<'a> Waiting<'a> {
    fn new(listing: &'a RoomListing) -> Waiting<'a> {
        listing.lock().waiters += 1;
        Waiting(listing)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut pages = self.0.lock();
        pages.waiters = pages.waiters.saturating_sub(1);
    }
}

impl IvsChat {
    /// Remembers that this process changed or deleted `arn` now: listing pages requested
    /// before are never used for it.
    pub fn note_change(&self, arn: &str) {
        self.inner
            .rooms
            .lock()
            .changed_at
            .insert(arn.to_owned(), Instant::now());
    }

    /// Reads a room: from the shared listing when `version` is recorded and a summary shows
    /// it, else with GetRoom (waiting for the provider's own last write, see `fresh`).
    pub async fn read_room(
        &self,
        arn: &str,
        known: Option<Written>,
        version: Option<Version>,
    ) -> Result<RoomRead, ApiError> {
        let expected = self.expected_write(arn, known);
        let Some(version) = version.filter(|v| {
            // A write the recorded version does not show: only GetRoom can tell.
            expected.is_none_or(|w| w.update_time_ms == v.update_time_ms)
        }) else {
            return Ok(RoomRead::Got(self.get_room_fresh(arn, known).await?));
        };
        let listing = &self.inner.rooms;
        let waiting = Waiting::new(listing);
        let in_slot = loop {
            let arrived = listing.page_arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            match listing.lookup(arn, version) {
                Lookup::Matches(s) => return Ok(RoomRead::Listed(*s)),
                Lookup::UseGetRoom => break false,
                Lookup::Pending => {}
            }
            self.start_paging();
            match self
                .inner
                .pacer
                .try_reserve_now(&self.inner.region, Operation::GetRoom)
            {
                Ok(()) => break true,
                Err(next_slot) => {
                    tokio::select! {
                        () = &mut arrived => {}
                        slept = self.sleep_until(Operation::GetRoom, next_slot) => slept?,
                    }
                }
            }
        };
        // No longer waiting: paging stops once no read needs it.
        drop(waiting);
        Ok(RoomRead::Got(
            self.get_room_fresh_in(arn, known, in_slot).await?,
        ))
    }

    /// Starts the pager unless it runs or the listing is done.
    fn start_paging(&self) {
        {
            let mut pages = self.inner.rooms.lock();
            if pages.pager_running || pages.done {
                return;
            }
            pages.pager_running = true;
        }
        // Detached from the read's stop signal and deadline: it pages only while reads wait
        // and ends after at most one more call once none does.
        let pager = IvsChat {
            inner: self.inner.clone(),
            cancel: None,
            deadline: None,
        };
        tokio::spawn(async move { pager.page_rooms().await });
    }

    async fn page_rooms(&self) {
        let listing = &self.inner.rooms;
        loop {
            let token = {
                let mut pages = listing.lock();
                if pages.waiters == 0 || pages.done {
                    pages.pager_running = false;
                    return;
                }
                pages.next_token.clone()
            };
            let requested = Instant::now();
            let page = self
                .call(Operation::ListRooms, |c| {
                    c.list_rooms()
                        .max_results(PAGE_SIZE)
                        .set_next_token(token.clone())
                        .send()
                })
                .await;
            {
                let mut pages = listing.lock();
                pages.started.get_or_insert(requested);
                match page {
                    Ok(out) => {
                        for s in out.rooms() {
                            if let Some(arn) = s.arn() {
                                pages
                                    .summaries
                                    .insert(arn.to_owned(), (s.clone(), requested));
                            }
                        }
                        pages.next_token = out.next_token().map(str::to_owned);
                        pages.done = pages.next_token.is_none();
                    }
                    Err(e) => {
                        // Reads fall back to GetRoom, which reports errors for its room.
                        tracing::debug!("ListRooms failed, reads use GetRoom: {}", e.message);
                        pages.done = true;
                    }
                }
                if pages.done {
                    pages.pager_running = false;
                }
            }
            listing.page_arrived.notify_waiters();
            if listing.lock().done {
                return;
            }
        }
    }
}
