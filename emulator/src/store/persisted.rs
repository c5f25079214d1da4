//! The state file's form (rooms, logging configurations, ordering counter, token key).

use super::{LoggingConfiguration, Room, State};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Persisted {
    format: u32,
    seq: u64,
    token_key: String,
    rooms: Vec<Room>,
    logging_configurations: Vec<LoggingConfiguration>,
}

impl State {
    pub(crate) fn to_persisted(&self) -> Persisted {
        let mut rooms = Vec::new();
        let mut configs = Vec::new();
        for r in self.regions.values() {
            rooms.extend(
                r.room_order
                    .values()
                    .filter_map(|id| r.rooms.get(id))
                    .cloned(),
            );
            configs.extend(
                r.config_order
                    .values()
                    .filter_map(|id| r.configs.get(id))
                    .cloned(),
            );
        }
        Persisted {
            format: 1,
            seq: self.seq,
            token_key: hex::encode(&self.token_key),
            rooms,
            logging_configurations: configs,
        }
    }

    pub(crate) fn from_persisted(p: Persisted) -> Self {
        let mut s = Self::new();
        s.seq = p.seq;
        if let Ok(k) = hex::decode(&p.token_key)
            && !k.is_empty()
        {
            s.token_key = k;
        }
        for r in p.rooms {
            s.seq = s.seq.max(r.seq);
            let reg = s.regions.entry(r.region.clone()).or_default();
            reg.room_order.insert(r.seq, r.id.clone());
            reg.rooms.insert(r.id.clone(), r);
        }
        for c in p.logging_configurations {
            s.seq = s.seq.max(c.seq);
            let reg = s.regions.entry(c.region.clone()).or_default();
            reg.config_order.insert(c.seq, c.id.clone());
            reg.configs.insert(c.id.clone(), c);
        }
        s
    }
}
