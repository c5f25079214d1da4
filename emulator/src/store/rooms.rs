//! Rooms: CreateRoom, GetRoom, UpdateRoom, DeleteRoom, ListRooms.

use super::messaging::EventKind;
use super::{Ctx, State, consistency, page_token, parse_page_token};
use crate::error::{ApiError, ROOM};
use crate::ids::{ResourceKind, arn, new_id};
use crate::model::{self, *};
use crate::records::{MessageReviewHandler, Room};
use crate::validate::{self as v, Validator};
use serde_json::{Value, json};

impl State {
    pub(crate) fn create_room(&mut self, ctx: &Ctx, i: CreateRoomIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        validate_room_fields(
            &mut val,
            &i.name,
            i.maximum_message_rate_per_second,
            i.maximum_message_length,
            &i.message_review_handler,
            &i.logging_configuration_identifiers,
        );
        if let Some(t) = &i.tags {
            val.tags("tags", t);
        }
        val.finish()?;
        let logging = i.logging_configuration_identifiers.unwrap_or_default();
        self.check_logging_refs(ctx, &logging)?;
        let count = self.regions.get(ctx.region).map_or(0, |r| r.rooms.len());
        if count >= ctx.max_rooms {
            return Err(ApiError::ServiceQuotaExceeded {
                message: format!("Maximum number of rooms ({}) reached", ctx.max_rooms),
                resource_id: ctx.account.to_owned(),
                resource_type: ROOM,
                limit: i64::try_from(ctx.max_rooms).unwrap_or(i64::MAX),
            });
        }
        let id = new_id();
        let seq = self.next_seq();
        let room = Room {
            arn: arn(ctx.region, ctx.account, ResourceKind::Room, &id),
            id: id.clone(),
            region: ctx.region.to_owned(),
            name: i.name.unwrap_or_default(),
            create_time_ms: ctx.stamp,
            update_time_ms: ctx.stamp,
            seq,
            maximum_message_rate_per_second: i.maximum_message_rate_per_second.unwrap_or(10),
            maximum_message_length: i.maximum_message_length.unwrap_or(500),
            message_review_handler: i.message_review_handler.map(handler),
            tags: i.tags.unwrap_or_default(),
            logging_configuration_identifiers: logging,
        };
        let out = model::room_json(&room, true);
        let reg = self.region_mut(ctx.region);
        reg.room_order.insert(seq, id.clone());
        reg.rooms.insert(id.clone(), room);
        self.version += 1;
        self.note_room(ctx.region, &id, None, ctx.now);
        Ok(out)
    }

    pub(crate) fn get_room(&self, ctx: &Ctx, i: IdentifierIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("identifier", &i.identifier);
        val.finish()?;
        let r = self.visible_room(ctx, i.identifier.as_deref().unwrap_or_default())?;
        Ok(model::room_json(&r, true))
    }

    pub(crate) fn update_room(&mut self, ctx: &Ctx, i: UpdateRoomIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        val.room_identifier("identifier", &i.identifier);
        validate_room_fields(
            &mut val,
            &i.name,
            i.maximum_message_rate_per_second,
            i.maximum_message_length,
            &i.message_review_handler,
            &i.logging_configuration_identifiers,
        );
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let current = self.room(ctx, &arn_s)?;
        let id = current.id.clone();
        let before = self.eventual().then(|| current.clone());
        if let Some(l) = &i.logging_configuration_identifiers {
            self.check_logging_refs(ctx, l)?;
        }
        let seq = self.next_seq();
        let reg = self.region_mut(ctx.region);
        let room = reg
            .rooms
            .get_mut(&id)
            .ok_or_else(|| ApiError::not_found(ROOM, &id))?;
        if let Some(n) = i.name {
            room.name = n;
        }
        if let Some(x) = i.maximum_message_rate_per_second {
            room.maximum_message_rate_per_second = x;
        }
        if let Some(x) = i.maximum_message_length {
            room.maximum_message_length = x;
        }
        if let Some(h) = i.message_review_handler {
            room.message_review_handler = Some(handler(h));
        }
        if let Some(l) = i.logging_configuration_identifiers {
            room.logging_configuration_identifiers = l;
        }
        let old_seq = room.seq;
        room.seq = seq;
        room.update_time_ms = ctx.stamp.max(room.update_time_ms);
        let out = model::room_json(room, true);
        reg.room_order.remove(&old_seq);
        reg.room_order.insert(seq, id.clone());
        self.version += 1;
        self.note_room(ctx.region, &id, before, ctx.now);
        Ok(out)
    }

    pub(crate) fn delete_room(&mut self, ctx: &Ctx, i: IdentifierIn) -> Result<(), ApiError> {
        let mut val = Validator::new();
        val.room_identifier("identifier", &i.identifier);
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let (id, room_arn) = {
            let r = self.room(ctx, &arn_s)?;
            (r.id.clone(), r.arn.clone())
        };
        self.signals
            .push(crate::chat::RoomSignal::Closed { room_arn });
        let reg = self.region_mut(ctx.region);
        let before = reg.rooms.remove(&id);
        if let Some(r) = &before {
            reg.room_order.remove(&r.seq);
        }
        self.version += 1;
        self.note_room(ctx.region, &id, before, ctx.now);
        self.record(ctx.region, ctx.now, EventKind::RoomDeleted { arn: arn_s });
        Ok(())
    }

    pub(crate) fn list_rooms(&self, ctx: &Ctx, i: ListRoomsIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(n) = &i.name {
            val.string("name", n, v::NAME_LEN, Some(&v::NAME));
        }
        if let Some(u) = &i.message_review_handler_uri {
            val.string(
                "messageReviewHandlerUri",
                u,
                v::LAMBDA_ARN_LEN,
                Some(&v::LAMBDA_ARN),
            );
        }
        if let Some(l) = &i.logging_configuration_identifier {
            val.logging_identifier("loggingConfigurationIdentifier", l);
        }
        if let Some(m) = i.max_results {
            val.range("maxResults", m, v::MAX_RESULTS);
        }
        if let Some(t) = &i.next_token {
            val.length("nextToken", t, v::NEXT_TOKEN_LEN);
        }
        val.finish()?;
        let cursor = match i.next_token.as_deref() {
            Some(t) if !t.is_empty() => Some(parse_page_token("rooms", t)?),
            _ => None,
        };
        let max = usize::try_from(i.max_results.unwrap_or(50)).unwrap_or(50);
        let mut rooms = Vec::new();
        let mut next = None;
        if let Some(reg) = self.regions.get(ctx.region) {
            let below = cursor.unwrap_or(u64::MAX);
            let iter = consistency::visible_desc(
                &reg.room_order,
                &reg.rooms,
                &reg.room_lag,
                below,
                ctx.now,
            )
            .filter(|r| i.name.as_ref().is_none_or(|n| &r.name == n))
            .filter(|r| {
                i.message_review_handler_uri.as_ref().is_none_or(|u| {
                    r.message_review_handler
                        .as_ref()
                        .is_some_and(|h| &h.uri == u)
                })
            })
            .filter(|r| {
                i.logging_configuration_identifier
                    .as_ref()
                    .is_none_or(|l| r.logging_configuration_identifiers.contains(l))
            });
            let mut last = None;
            for r in iter {
                if rooms.len() == max {
                    next = last.map(|s| page_token("rooms", s));
                    break;
                }
                last = Some(r.seq);
                rooms.push(model::room_json(&r, false));
            }
        }
        let mut out = json!({ "rooms": rooms });
        if let Some(n) = next {
            out["nextToken"] = json!(n);
        }
        Ok(out)
    }
}

fn handler(h: HandlerIn) -> MessageReviewHandler {
    MessageReviewHandler {
        uri: h.uri.unwrap_or_default(),
        fallback_result: h.fallback_result.unwrap_or_else(|| "ALLOW".to_owned()),
    }
}

fn validate_room_fields(
    val: &mut Validator,
    name: &Option<String>,
    rate: Option<i64>,
    len: Option<i64>,
    handler: &Option<HandlerIn>,
    logging: &Option<Vec<String>>,
) {
    if let Some(n) = name {
        val.string("name", n, v::NAME_LEN, Some(&v::NAME));
    }
    if let Some(r) = rate {
        val.range("maximumMessageRatePerSecond", r, v::MAX_MESSAGE_RATE);
    }
    if let Some(l) = len {
        val.range("maximumMessageLength", l, v::MAX_MESSAGE_LENGTH);
    }
    if let Some(h) = handler {
        if let Some(u) = &h.uri {
            val.string(
                "messageReviewHandler.uri",
                u,
                v::LAMBDA_ARN_LEN,
                Some(&v::LAMBDA_ARN),
            );
        }
        if let Some(f) = &h.fallback_result {
            val.one_of(
                "messageReviewHandler.fallbackResult",
                f,
                v::FALLBACK_RESULTS,
            );
        }
    }
    if let Some(l) = logging {
        val.logging_identifiers("loggingConfigurationIdentifiers", l);
    }
}
