//! Tags: TagResource, UntagResource, ListTagsForResource.

use super::{Ctx, State};
use crate::error::{ApiError, LOGGING_CONFIGURATION, ROOM};
use crate::ids::{ResourceKind, parse_arn};
use crate::model::*;
use crate::validate::{self as v, Validator};
use serde_json::{Value, json};
use std::collections::BTreeMap;

impl State {
    fn validate_resource_arn(val: &mut Validator, arn_s: &str) {
        val.string(
            "resourceArn",
            arn_s,
            v::IDENTIFIER_LEN,
            Some(&v::RESOURCE_ARN),
        );
    }

    fn tags_mut(
        &mut self,
        ctx: &Ctx,
        arn_s: &str,
    ) -> Result<&mut BTreeMap<String, String>, ApiError> {
        let p = parse_arn(arn_s);
        let kind = p.as_ref().and_then(|p| p.kind);
        match kind {
            Some(ResourceKind::Room) => {
                let id = self.room(ctx, arn_s)?.id.clone();
                self.region_mut(ctx.region)
                    .rooms
                    .get_mut(&id)
                    .map(|r| &mut r.tags)
                    .ok_or_else(|| ApiError::not_found(ROOM, &id))
            }
            Some(ResourceKind::LoggingConfiguration) => {
                let id = self.config(ctx, arn_s)?.id.clone();
                self.region_mut(ctx.region)
                    .configs
                    .get_mut(&id)
                    .map(|c| &mut c.tags)
                    .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, &id))
            }
            None => Err(ApiError::not_found(ROOM, p.map_or(arn_s, |p| p.id))),
        }
    }

    pub(crate) fn tag_resource(
        &mut self,
        ctx: &Ctx,
        arn_s: &str,
        i: TagResourceIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        Self::validate_resource_arn(&mut val, arn_s);
        if let Some(t) = val.required("tags", &i.tags) {
            val.tags("tags", t);
        }
        val.finish()?;
        let new = i.tags.unwrap_or_default();
        let tags = self.tags_mut(ctx, arn_s)?;
        let merged = new.keys().filter(|k| !tags.contains_key(*k)).count() + tags.len();
        if merged > v::MAX_TAGS {
            let mut val = Validator::new();
            val.fail(
                "tags",
                format!("A resource can have at most {} tags", v::MAX_TAGS),
            );
            val.finish()?;
        }
        tags.extend(new);
        self.version += 1;
        Ok(json!({}))
    }

    pub(crate) fn untag_resource(
        &mut self,
        ctx: &Ctx,
        arn_s: &str,
        keys: Option<Vec<String>>,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        Self::validate_resource_arn(&mut val, arn_s);
        if let Some(keys) = val.required("tagKeys", &keys) {
            if keys.len() > v::MAX_TAGS {
                val.fail(
                    "tagKeys",
                    format!(
                        "Member must have length less than or equal to {}",
                        v::MAX_TAGS
                    ),
                );
            }
            for k in keys {
                val.tag_key("tagKeys", k);
            }
        }
        val.finish()?;
        let tags = self.tags_mut(ctx, arn_s)?;
        for k in keys.unwrap_or_default() {
            tags.remove(&k);
        }
        self.version += 1;
        Ok(json!({}))
    }

    pub(crate) fn list_tags(&mut self, ctx: &Ctx, arn_s: &str) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        Self::validate_resource_arn(&mut val, arn_s);
        val.finish()?;
        let tags = self.tags_mut(ctx, arn_s)?;
        Ok(json!({ "tags": tags }))
    }
}
