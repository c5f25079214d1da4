//! Logging configurations: their states and settling, forced failures, and
//! Create/Get/Update/Delete/ListLoggingConfiguration(s).

use super::messaging::EventKind;
use super::{Ctx, State, consistency, page_token, parse_page_token};
use crate::error::{ApiError, LOGGING_CONFIGURATION};
use crate::ids::{ResourceKind, arn, new_id, parse_arn};
use crate::model::{self, *};
use crate::records::{
    Destination, FailRule, LoggingConfiguration, LoggingFailure, LoggingOperation, LoggingState,
    Pending, Room,
};
use crate::validate::{self as v, Validator};
use regex::Regex;
use serde_json::{Value, json};

impl State {
    pub(crate) fn add_failure(&mut self, f: LoggingFailure) -> Result<(), String> {
        let operation = f.operation.ok_or("operation is required")?;
        let name = match f.name_matches {
            Some(p) => Some(Regex::new(&format!("^(?:{p})$")).map_err(|e| e.to_string())?),
            None => None,
        };
        self.fail_rules.push(FailRule {
            operation,
            name,
            arn: f.arn,
            remaining: f.count.unwrap_or(1).max(1),
        });
        Ok(())
    }

    fn take_failure(&mut self, op: LoggingOperation, name: &str, arn: &str) -> bool {
        let pos = self.fail_rules.iter().position(|r| {
            r.operation == op
                && r.name.as_ref().is_none_or(|re| re.is_match(name))
                && r.arn.as_deref().is_none_or(|a| a == arn)
        });
        let Some(pos) = pos else { return false };
        let rule = &mut self.fail_rules[pos];
        rule.remaining -= 1;
        if rule.remaining == 0 {
            self.fail_rules.remove(pos);
        }
        true
    }

    pub(crate) fn force_logging_state(
        &mut self,
        arn_s: &str,
        state: LoggingState,
    ) -> Result<(), String> {
        let p = parse_arn(arn_s).ok_or("not an ivschat ARN")?;
        let reg = self
            .regions
            .get_mut(p.region)
            .ok_or("no such logging configuration")?;
        let c = reg
            .configs
            .get_mut(p.id)
            .filter(|c| c.arn == arn_s)
            .ok_or("no such logging configuration")?;
        c.state = state;
        c.pending = None;
        // A test tool: reads see the forced state at once.
        reg.config_lag.remove(p.id);
        self.version += 1;
        Ok(())
    }

    /// Moves logging configurations whose settle time has passed to their final state.
    pub(crate) fn settle(&mut self, now: i64) {
        let mut removed = Vec::new();
        let eventual = self.eventual();
        // Transitions as writes: (region, id, version before, when).
        let mut transitions = Vec::new();
        for (region, reg) in &mut self.regions {
            consistency::prune(&mut reg.room_lag, now);
            consistency::prune(&mut reg.config_lag, now);
            let mut gone = Vec::new();
            for c in reg.configs.values_mut() {
                let Some(p) = &c.pending else { continue };
                if p.until_ms > now {
                    continue;
                }
                if eventual {
                    transitions.push((region.clone(), c.id.clone(), c.clone(), p.until_ms));
                }
                let p = c.pending.take().expect("checked above");
                match (p.operation, p.fail) {
                    (LoggingOperation::Create, false) | (LoggingOperation::Update, false) => {
                        c.state = LoggingState::Active
                    }
                    (LoggingOperation::Create, true) => c.state = LoggingState::CreateFailed,
                    (LoggingOperation::Update, true) => {
                        c.state = LoggingState::UpdateFailed;
                        if let Some((name, dest)) = p.previous {
                            c.name = name;
                            c.destination = dest;
                        }
                    }
                    (LoggingOperation::Delete, false) => gone.push(c.id.clone()),
                    (LoggingOperation::Delete, true) => c.state = LoggingState::DeleteFailed,
                }
            }
            for id in gone {
                if let Some(c) = reg.configs.remove(&id) {
                    reg.config_order.remove(&c.seq);
                    removed.push((region.clone(), c.arn));
                }
            }
        }
        if !removed.is_empty() {
            self.version += 1;
        }
        for (region, arn) in removed {
            self.record(&region, now, EventKind::LoggingConfigurationDeleted { arn });
        }
        for (region, id, before, at) in transitions {
            self.note_config(&region, &id, Some(before), at);
        }
    }

    /// Every identifier must name an existing configuration that is not being deleted.
    pub(super) fn check_logging_refs(&self, ctx: &Ctx, ids: &[String]) -> Result<(), ApiError> {
        for a in ids {
            let c = self.config(ctx, a)?;
            if matches!(c.state, LoggingState::Deleting | LoggingState::CreateFailed) {
                return Err(ApiError::Conflict {
                    message: format!(
                        "Logging configuration {} is in state {} and cannot be attached",
                        c.id,
                        c.state.as_str()
                    ),
                    resource_id: c.id.clone(),
                    resource_type: LOGGING_CONFIGURATION,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn create_logging(
        &mut self,
        ctx: &Ctx,
        i: CreateLoggingIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(n) = &i.name {
            val.string("name", n, v::NAME_LEN, Some(&v::NAME));
        }
        let dest = match val.required("destinationConfiguration", &i.destination_configuration) {
            Some(d) => destination(&mut val, d),
            None => None,
        };
        if let Some(t) = &i.tags {
            val.tags("tags", t);
        }
        val.finish()?;
        let dest = dest.ok_or_else(|| ApiError::validation_other("destinationConfiguration"))?;
        let count = self.regions.get(ctx.region).map_or(0, |r| r.configs.len());
        if count >= ctx.max_logging {
            return Err(ApiError::ServiceQuotaExceeded {
                message: format!(
                    "Maximum number of logging configurations ({}) reached",
                    ctx.max_logging
                ),
                resource_id: ctx.account.to_owned(),
                resource_type: LOGGING_CONFIGURATION,
                limit: i64::try_from(ctx.max_logging).unwrap_or(i64::MAX),
            });
        }
        let id = new_id();
        let arn_s = arn(
            ctx.region,
            ctx.account,
            ResourceKind::LoggingConfiguration,
            &id,
        );
        let name = i.name.unwrap_or_default();
        let fail = self.take_failure(LoggingOperation::Create, &name, &arn_s);
        let seq = self.next_seq();
        let mut c = LoggingConfiguration {
            arn: arn_s,
            id: id.clone(),
            region: ctx.region.to_owned(),
            name,
            create_time_ms: ctx.stamp,
            update_time_ms: ctx.stamp,
            seq,
            destination: dest,
            state: LoggingState::Creating,
            tags: i.tags.unwrap_or_default(),
            pending: Some(Pending {
                until_ms: ctx.now + ctx.settle_ms,
                operation: LoggingOperation::Create,
                fail,
                previous: None,
            }),
        };
        if ctx.settle_ms == 0 {
            c.state = if fail {
                LoggingState::CreateFailed
            } else {
                LoggingState::Active
            };
            c.pending = None;
        }
        // The model's CreateLoggingConfigurationState has the single value ACTIVE.
        let out = model::logging_json(&c, "ACTIVE");
        let reg = self.region_mut(ctx.region);
        reg.config_order.insert(seq, id.clone());
        reg.configs.insert(id.clone(), c);
        self.version += 1;
        self.note_config(ctx.region, &id, None, ctx.now);
        Ok(out)
    }

    pub(crate) fn get_logging(&self, ctx: &Ctx, i: IdentifierIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(id) = val.required("identifier", &i.identifier) {
            val.logging_identifier("identifier", id);
        }
        val.finish()?;
        let c = self.visible_config(ctx, i.identifier.as_deref().unwrap_or_default())?;
        Ok(model::logging_json(&c, c.state.as_str()))
    }

    pub(crate) fn update_logging(
        &mut self,
        ctx: &Ctx,
        i: UpdateLoggingIn,
    ) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(id) = val.required("identifier", &i.identifier) {
            val.logging_identifier("identifier", id);
        }
        if let Some(n) = &i.name {
            val.string("name", n, v::NAME_LEN, Some(&v::NAME));
        }
        let dest = i
            .destination_configuration
            .as_ref()
            .and_then(|d| destination(&mut val, d));
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let c = self.config(ctx, &arn_s)?;
        if c.state.transitional() {
            return Err(conflict_state(c));
        }
        let id = c.id.clone();
        let before = self.eventual().then(|| c.clone());
        let new_name = i.name.clone().unwrap_or_else(|| c.name.clone());
        let fail = self.take_failure(LoggingOperation::Update, &new_name, &arn_s);
        let seq = self.next_seq();
        let reg = self.region_mut(ctx.region);
        let c = reg
            .configs
            .get_mut(&id)
            .ok_or_else(|| ApiError::not_found(LOGGING_CONFIGURATION, &id))?;
        let previous = (c.name.clone(), c.destination.clone());
        c.name = new_name;
        if let Some(d) = dest {
            c.destination = d;
        }
        let old_seq = c.seq;
        c.seq = seq;
        c.update_time_ms = ctx.stamp.max(c.update_time_ms);
        let out = model::logging_json(c, "ACTIVE");
        if ctx.settle_ms == 0 {
            c.pending = None;
            if fail {
                c.state = LoggingState::UpdateFailed;
                c.name = previous.0;
                c.destination = previous.1;
            } else {
                c.state = LoggingState::Active;
            }
        } else {
            c.state = LoggingState::Updating;
            c.pending = Some(Pending {
                until_ms: ctx.now + ctx.settle_ms,
                operation: LoggingOperation::Update,
                fail,
                previous: Some(previous),
            });
        }
        reg.config_order.remove(&old_seq);
        reg.config_order.insert(seq, id.clone());
        self.version += 1;
        self.note_config(ctx.region, &id, before, ctx.now);
        Ok(out)
    }

    pub(crate) fn delete_logging(&mut self, ctx: &Ctx, i: IdentifierIn) -> Result<(), ApiError> {
        let mut val = Validator::new();
        if let Some(id) = val.required("identifier", &i.identifier) {
            val.logging_identifier("identifier", id);
        }
        val.finish()?;
        let arn_s = i.identifier.unwrap_or_default();
        let c = self.config(ctx, &arn_s)?;
        if c.state.transitional() {
            return Err(conflict_state(c));
        }
        let id = c.id.clone();
        let name = c.name.clone();
        let before = self.eventual().then(|| c.clone());
        // In use by a room, as it is or as reads still see it (a room just detached or
        // deleted still counts until that write is visible).
        let uses = |r: &Room| r.logging_configuration_identifiers.contains(&arn_s);
        if let Some(reg) = self.regions.get(ctx.region)
            && let Some(user) = reg
                .room_order
                .values()
                .rev()
                .filter_map(|rid| reg.rooms.get(rid))
                .find(|r| uses(r))
                .or_else(|| consistency::find_seen(&reg.room_lag, ctx.now, uses))
        {
            return Err(ApiError::Conflict {
                message: format!(
                    "Logging configuration {id} is used by room {} and cannot be deleted",
                    user.id
                ),
                resource_id: id,
                resource_type: LOGGING_CONFIGURATION,
            });
        }
        let fail = self.take_failure(LoggingOperation::Delete, &name, &arn_s);
        let reg = self.region_mut(ctx.region);
        let Some(c) = reg.configs.get_mut(&id) else {
            return Err(ApiError::not_found(LOGGING_CONFIGURATION, &id));
        };
        c.pending = Some(Pending {
            until_ms: ctx.now + ctx.settle_ms,
            operation: LoggingOperation::Delete,
            fail,
            previous: None,
        });
        c.state = LoggingState::Deleting;
        self.version += 1;
        self.note_config(ctx.region, &id, before, ctx.now);
        if ctx.settle_ms == 0 {
            self.settle(ctx.now);
        }
        Ok(())
    }

    pub(crate) fn list_logging(&self, ctx: &Ctx, i: ListLoggingIn) -> Result<Value, ApiError> {
        let mut val = Validator::new();
        if let Some(m) = i.max_results {
            val.range("maxResults", m, v::MAX_RESULTS);
        }
        if let Some(t) = &i.next_token {
            val.length("nextToken", t, v::NEXT_TOKEN_LEN);
        }
        val.finish()?;
        let cursor = match i.next_token.as_deref() {
            Some(t) if !t.is_empty() => Some(parse_page_token("logging", t)?),
            _ => None,
        };
        let max = usize::try_from(i.max_results.unwrap_or(50)).unwrap_or(50);
        let mut list = Vec::new();
        let mut next = None;
        if let Some(reg) = self.regions.get(ctx.region) {
            let mut last = None;
            for c in consistency::visible_desc(
                &reg.config_order,
                &reg.configs,
                &reg.config_lag,
                cursor.unwrap_or(u64::MAX),
                ctx.now,
            ) {
                if list.len() == max {
                    next = last.map(|s| page_token("logging", s));
                    break;
                }
                last = Some(c.seq);
                list.push(model::logging_json(&c, c.state.as_str()));
            }
        }
        let mut out = json!({ "loggingConfigurations": list });
        if let Some(n) = next {
            out["nextToken"] = json!(n);
        }
        Ok(out)
    }
}

fn conflict_state(c: &LoggingConfiguration) -> ApiError {
    ApiError::Conflict {
        message: format!(
            "Logging configuration {} is in state {}; try again later",
            c.id,
            c.state.as_str()
        ),
        resource_id: c.id.clone(),
        resource_type: LOGGING_CONFIGURATION,
    }
}

/// Validates the destination union; returns it when valid.
fn destination(val: &mut Validator, d: &DestinationIn) -> Option<Destination> {
    let set = usize::from(d.s3.is_some())
        + usize::from(d.cloud_watch_logs.is_some())
        + usize::from(d.firehose.is_some())
        + d.other.len();
    if set != 1 {
        val.fail(
            "destinationConfiguration",
            "Member must have exactly one of s3, cloudWatchLogs, firehose set",
        );
        return None;
    }
    if let Some(s3) = &d.s3 {
        let name = val.required("destinationConfiguration.s3.bucketName", &s3.bucket_name)?;
        val.string(
            "destinationConfiguration.s3.bucketName",
            name,
            v::BUCKET_NAME_LEN,
            Some(&v::BUCKET_NAME),
        );
        return Some(Destination::S3 {
            bucket_name: name.clone(),
        });
    }
    if let Some(cw) = &d.cloud_watch_logs {
        let f = "destinationConfiguration.cloudWatchLogs.logGroupName";
        let name = val.required(f, &cw.log_group_name)?;
        val.string(f, name, v::LOG_GROUP_NAME_LEN, Some(&v::LOG_GROUP_NAME));
        return Some(Destination::CloudWatchLogs {
            log_group_name: name.clone(),
        });
    }
    if let Some(fh) = &d.firehose {
        let f = "destinationConfiguration.firehose.deliveryStreamName";
        let name = val.required(f, &fh.delivery_stream_name)?;
        val.string(
            f,
            name,
            v::DELIVERY_STREAM_NAME_LEN,
            Some(&v::DELIVERY_STREAM_NAME),
        );
        return Some(Destination::Firehose {
            delivery_stream_name: name.clone(),
        });
    }
    val.fail(
        "destinationConfiguration",
        "Member must have exactly one of s3, cloudWatchLogs, firehose set",
    );
    None
}
