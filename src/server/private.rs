//! Private state: bytes Terraform stores next to an object's state, never shows, and hands back
//! on the object's next read, plan and apply. Resources use it to remember what only the
//! provider knows, such as the `updateTime` of its own last write (so that a read served by a
//! lagging replica is recognised as older and retried instead of reported as drift).
//!
//! Resources never see the bytes. Each piece of private data is a type implementing
//! [`PrivateData`], stored under its [`PrivateData::KEY`]; a resource reads it with
//! [`Context::private`](crate::server::Context::private) and replaces it with
//! [`Context::set_private`](crate::server::Context::set_private). The server decodes the bytes
//! before each call and encodes them after it:
//!
//! - ReadResource and ApplyResourceChange: decoded from the request's private bytes (the plan's
//!   `planned_private` on apply), re-encoded into the response;
//! - PlanResourceChange: the prior bytes pass through unchanged;
//! - ImportResourceState, data sources, list resources, actions: start empty.
//!
//! The encoding is JSON, `{"v":1,"data":{KEY: value, ...}}`. Bytes that are empty, not this
//! shape or of another version decode as empty (an older or newer provider wrote them; losing a
//! hint costs at most one extra read, never correctness), and are kept as they were unless a
//! resource sets something.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The version of the envelope; bump it when its shape changes.
const VERSION: u64 = 1;

/// One piece of private data a resource keeps with its state.
pub trait PrivateData: Serialize + DeserializeOwned {
    /// The key this piece is stored under; unique across the provider's types.
    const KEY: &'static str;
}

#[derive(Serialize, serde::Deserialize)]
struct Envelope {
    v: u64,
    data: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Default)]
struct Cell {
    /// The bytes as received, returned unchanged when nothing was set.
    raw: Option<Vec<u8>>,
    data: BTreeMap<String, serde_json::Value>,
    changed: bool,
}

/// The private state of one operation, shared by the server and the resource.
#[derive(Debug, Default)]
pub struct PrivateState {
    cell: Mutex<Cell>,
}

impl PrivateState {
    /// Decodes the bytes Terraform sent (possibly empty or foreign).
    pub fn decode(raw: Option<&[u8]>) -> PrivateState {
        let raw = raw.filter(|r| !r.is_empty());
        let data = raw
            .and_then(|r| serde_json::from_slice::<Envelope>(r).ok())
            .filter(|e| e.v == VERSION)
            .map(|e| e.data)
            .unwrap_or_default();
        PrivateState {
            cell: Mutex::new(Cell {
                raw: raw.map(<[u8]>::to_vec),
                data,
                changed: false,
            }),
        }
    }

    /// The bytes to send back: the received bytes when nothing changed.
    pub fn encode(&self) -> Vec<u8> {
        let cell = self.cell.lock().unwrap_or_else(|e| e.into_inner());
        if !cell.changed {
            return cell.raw.clone().unwrap_or_default();
        }
        if cell.data.is_empty() {
            return Vec::new();
        }
        let envelope = Envelope {
            v: VERSION,
            data: cell.data.clone(),
        };
        // A map of JSON values always serialises.
        serde_json::to_vec(&envelope).unwrap_or_default()
    }

    /// The piece stored under `T::KEY`, if any and if it still decodes as `T`.
    pub fn get<T: PrivateData>(&self) -> Option<T> {
        let cell = self.cell.lock().unwrap_or_else(|e| e.into_inner());
        let value = cell.data.get(T::KEY)?;
        serde_json::from_value(value.clone()).ok()
    }

    /// Replaces the piece stored under `T::KEY`.
    pub fn set<T: PrivateData>(&self, value: &T) {
        let mut cell = self.cell.lock().unwrap_or_else(|e| e.into_inner());
        match serde_json::to_value(value) {
            Ok(v) => {
                cell.data.insert(T::KEY.to_owned(), v);
            }
            Err(e) => tracing::warn!(key = T::KEY, "private data not stored: {e}"),
        }
        cell.changed = true;
    }

    /// Removes the piece stored under `T::KEY`.
    pub fn remove<T: PrivateData>(&self) {
        let mut cell = self.cell.lock().unwrap_or_else(|e| e.into_inner());
        if cell.data.remove(T::KEY).is_some() {
            cell.changed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Mark {
        update_time: String,
    }

    impl PrivateData for Mark {
        const KEY: &'static str = "mark";
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Other(u32);

    impl PrivateData for Other {
        const KEY: &'static str = "other";
    }

    fn mark(t: &str) -> Mark {
        Mark {
            update_time: t.to_owned(),
        }
    }

    #[test]
    fn a_set_piece_survives_encode_and_decode() {
        let p = PrivateState::decode(None);
        assert_eq!(p.get::<Mark>(), None);
        p.set(&mark("t1"));
        p.set(&Other(7));
        let again = PrivateState::decode(Some(&p.encode()));
        assert_eq!(again.get::<Mark>(), Some(mark("t1")));
        assert_eq!(again.get::<Other>(), Some(Other(7)));
        again.remove::<Other>();
        let third = PrivateState::decode(Some(&again.encode()));
        assert_eq!(third.get::<Other>(), None);
        assert_eq!(third.get::<Mark>(), Some(mark("t1")));
    }

    #[test]
    fn untouched_bytes_pass_through_even_when_foreign() {
        for raw in [
            &b"not json"[..],
            br#"{"v":99,"data":{"mark":{"update_time":"x"}}}"#,
        ] {
            let p = PrivateState::decode(Some(raw));
            assert_eq!(p.get::<Mark>(), None, "{raw:?}");
            assert_eq!(p.encode(), raw);
        }
        assert_eq!(PrivateState::decode(Some(b"")).encode(), b"");
    }

    #[test]
    fn a_piece_of_another_shape_reads_as_absent() {
        let p = PrivateState::decode(Some(br#"{"v":1,"data":{"mark":42}}"#));
        assert_eq!(p.get::<Mark>(), None);
        p.set(&mark("t2"));
        assert_eq!(p.get::<Mark>(), Some(mark("t2")));
    }

    #[test]
    fn removing_the_last_piece_sends_no_bytes() {
        let p = PrivateState::decode(Some(br#"{"v":1,"data":{"mark":{"update_time":"x"}}}"#));
        p.remove::<Mark>();
        assert!(p.encode().is_empty());
    }
}
