//! The messaging plane: WebSocket connections to rooms (`ws://HOST:PORT`, the chat token
//! as the subprotocol), the requests they send and what the service pushes to them.
//!
//! The [`Hub`] knows which connections are open in which room; [`socket`] serves one
//! connection. The control plane reaches clients through [`Hub::deliver`] with the
//! [`RoomSignal`]s the store emits (SendEvent, DeleteMessage, DisconnectUser, DeleteRoom).

pub mod client;
pub(crate) mod log;
pub mod payload;
pub(crate) mod review;
pub(crate) mod socket;

use axum::extract::ws::Utf8Bytes;
use payload::Payload;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Frames queued for one client before it counts as too slow and is dropped.
const QUEUE: usize = 4096;

/// WebSocket close code sent when the service ends a connection normally (disconnect,
/// deleted room, expired session): the SDKs treat it as a clean server disconnect.
pub(crate) const CLOSE_NORMAL: u16 = 1000;

/// The client address of a connection (the review request's `Sender.Ip`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PeerAddr(pub std::net::SocketAddr);

/// What the store tells the messaging plane after a control-plane call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RoomSignal {
    /// Push this payload to every client in the room.
    Push { room_arn: String, payload: Payload },
    /// Close every connection of `user_id` in the room.
    Disconnect { room_arn: String, user_id: String },
    /// The room was deleted: close all its connections.
    Closed { room_arn: String },
}

/// A frame for one client.
#[derive(Clone, Debug)]
pub(crate) enum Out {
    Text(Utf8Bytes),
    Close(u16, String),
}

struct Peer {
    user_id: String,
    tx: mpsc::Sender<Out>,
}

#[derive(Default)]
struct RoomPeers {
    peers: HashMap<u64, Peer>,
    /// Times of the messages accepted in the last second (the room's rate limit).
    recent: VecDeque<Instant>,
}

/// Open connections by room.
#[derive(Default)]
pub(crate) struct Hub {
    rooms: Mutex<HashMap<String, RoomPeers>>,
    /// Open connections by region (the connection quota).
    per_region: Mutex<HashMap<String, usize>>,
    next: AtomicU64,
}

/// A registered connection: its id and the frames pushed to it.
pub(crate) struct Registration {
    pub id: u64,
    pub rx: mpsc::Receiver<Out>,
}

impl Hub {
    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, RoomPeers>> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a connection of `user_id` to a room; `None` when `limit` connections are
    /// already open in the region.
    pub(crate) fn join(
        &self,
        region: &str,
        room_arn: &str,
        user_id: &str,
        limit: Option<usize>,
    ) -> Option<Registration> {
        {
            let mut per = self.per_region.lock().unwrap_or_else(|e| e.into_inner());
            let n = per.entry(region.to_owned()).or_default();
            if limit.is_some_and(|l| *n >= l) {
                return None;
            }
            *n += 1;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(QUEUE);
        self.rooms()
            .entry(room_arn.to_owned())
            .or_default()
            .peers
            .insert(
                id,
                Peer {
                    user_id: user_id.to_owned(),
                    tx,
                },
            );
        Some(Registration { id, rx })
    }

    /// Removes a connection (idempotent).
    pub(crate) fn leave(&self, region: &str, room_arn: &str, id: u64) {
        let removed = {
            let mut rooms = self.rooms();
            let removed = rooms
                .get_mut(room_arn)
                .and_then(|r| r.peers.remove(&id))
                .is_some();
            if rooms.get(room_arn).is_some_and(|r| r.peers.is_empty()) {
                rooms.remove(room_arn);
            }
            removed
        };
        if removed {
            let mut per = self.per_region.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = per.get_mut(region) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Open connections in a room.
    pub(crate) fn connections(&self, room_arn: &str) -> usize {
        self.rooms().get(room_arn).map_or(0, |r| r.peers.len())
    }

    /// Whether the room may take one more message now under `rate` messages per second
    /// (counted across all its senders); counts it when it may.
    pub(crate) fn admit(&self, room_arn: &str, rate: i64, now: Instant) -> bool {
        let mut rooms = self.rooms();
        let room = rooms.entry(room_arn.to_owned()).or_default();
        while room
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            room.recent.pop_front();
        }
        let rate = usize::try_from(rate).unwrap_or(0);
        if room.recent.len() >= rate {
            return false;
        }
        room.recent.push_back(now);
        true
    }

    /// Pushes one payload to every connection of the room; a client whose queue is full
    /// is dropped (its socket task then closes it).
    pub(crate) fn broadcast(&self, room_arn: &str, payload: &Payload) {
        let frame = Utf8Bytes::from(payload.to_json());
        let mut rooms = self.rooms();
        if let Some(room) = rooms.get_mut(room_arn) {
            room.peers
                .retain(|_, p| p.tx.try_send(Out::Text(frame.clone())).is_ok());
        }
    }

    fn close_where(&self, room_arn: &str, reason: &str, pick: impl Fn(&Peer) -> bool) {
        let rooms = self.rooms();
        if let Some(room) = rooms.get(room_arn) {
            for p in room.peers.values().filter(|p| pick(p)) {
                let _ = p.tx.try_send(Out::Close(CLOSE_NORMAL, reason.to_owned()));
            }
        }
    }

    /// Closes every connection of `user_id` in the room.
    pub(crate) fn disconnect_user(&self, room_arn: &str, user_id: &str) {
        self.close_where(room_arn, "Disconnected by request", |p| {
            p.user_id == user_id
        });
    }

    /// Applies what a control-plane call did.
    pub(crate) fn deliver(&self, signal: RoomSignal) {
        match signal {
            RoomSignal::Push { room_arn, payload } => self.broadcast(&room_arn, &payload),
            RoomSignal::Disconnect { room_arn, user_id } => {
                self.disconnect_user(&room_arn, &user_id);
            }
            RoomSignal::Closed { room_arn } => {
                self.close_where(&room_arn, "Room deleted", |_| true);
            }
        }
    }

    /// Closes every connection (the emulator is stopping).
    pub(crate) fn close_all(&self) {
        let rooms = self.rooms();
        for p in rooms.values().flat_map(|r| r.peers.values()) {
            let _ =
                p.tx.try_send(Out::Close(1001, "Server stopping".to_owned()));
        }
    }
}
