//! Creates that never leak an object.
//!
//! [`IvsChat::create_room`] and [`IvsChat::create_logging_configuration`] tag the
//!   new object with a hidden marker holding a per-create token. When an attempt fails in a way
//!   that leaves open whether the object was made (connection dropped or timed out after the
//!   request was sent, 5xx, unreadable response), the client waits the backoff, then looks the
//!   object up by its marker before any retry and adopts it if found; else it retries with the
//!   same marker, and once that succeeds deletes any other object carrying the marker (an
//!   earlier attempt that the list showed late). So a retried create never leaves a second
//!   object, and a failed one never leaves an untracked one behind.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationOutput;
use aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder;
use aws_sdk_ivschat::operation::create_room::CreateRoomOutput;
use aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder;

use super::retry::Next;
use super::{ApiError, ErrorKind, IvsChat, Operation};

/// The tag key of the per-create marker. Hidden from `tags` and `tags_all` by the tag helpers.
pub const MARKER_TAG_KEY: &str = "terraform-provider-ivschat:create-token";

/// The most tags an IVS Chat object can carry.
pub const MAX_TAGS: usize = 50;

impl IvsChat {
    /// The create loop shared by rooms and logging configurations. On an ambiguous failure it
    /// waits the backoff (so a create still being processed can finish and list calls can
    /// catch up), then looks the object up by its marker: found, it is adopted; not found, the
    /// create is retried with the same marker. When a retry succeeds after an ambiguous
    /// failure, any other object carrying the same marker (an earlier attempt that surfaced
    /// late) is deleted, so exactly one remains.
    async fn create_with_marker<T, E, F, Fut, L, LFut, D, DFut>(
        &self,
        op: Operation,
        marker: Option<&str>,
        create: F,
        lookup: L,
        dedupe: D,
    ) -> Result<T, ApiError>
    where
        F: Fn(aws_sdk_ivschat::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        L: Fn() -> LFut,
        LFut: Future<Output = Result<Option<T>, ApiError>>,
        D: Fn(T) -> DFut,
        DFut: Future<Output = T>,
    {
        let mut retry = 0;
        let mut ambiguous_seen = false;
        loop {
            let mut err = match self.attempt(op, &create).await {
                Ok(v) if ambiguous_seen => return Ok(dedupe(v).await),
                Ok(v) => return Ok(v),
                Err(err) => err,
            };
            if err.kind == ErrorKind::Cancelled {
                // Stopped or out of time: no lookup, no retry. Say what may exist.
                if err.ambiguous {
                    err.message = match marker {
                        Some(t) => format!(
                            "{}, while the request was in flight: the object may have been created; \
                             if so it carries the tag {MARKER_TAG_KEY} = {t}: import it or delete it",
                            err.message
                        ),
                        None => format!(
                            "{}, while the request was in flight: the object may have been created",
                            err.message
                        ),
                    };
                }
                err.attempts = retry + 1;
                return Err(err);
            }
            let next = self.next(&err, retry);
            if err.ambiguous {
                ambiguous_seen = true;
                let pause = match next {
                    Next::RetryAfter(d) => d,
                    Next::GiveUp => self.inner.retry.backoff(0),
                };
                self.wait(op, pause).await?;
                match lookup().await {
                    Ok(Some(found)) => {
                        tracing::info!(
                            operation = op.name(),
                            "adopted the object an interrupted create had made"
                        );
                        return Ok(found);
                    }
                    Ok(None) => {}
                    Err(lookup_err) => {
                        err.attempts = retry + 1;
                        err.message = format!(
                            "{}; and whether the object was created could not be checked ({} failed: {}). \
                             If it exists, it carries the tag {MARKER_TAG_KEY}; import it or delete it",
                            err.message, lookup_err.operation, lookup_err.message
                        );
                        return Err(err);
                    }
                }
                match next {
                    Next::GiveUp => {
                        err.attempts = retry + 1;
                        return Err(err);
                    }
                    // Already waited before the lookup.
                    Next::RetryAfter(_) => retry += 1,
                }
                continue;
            }
            match next {
                Next::GiveUp => {
                    err.attempts = retry + 1;
                    return Err(err);
                }
                Next::RetryAfter(delay) => {
                    self.wait(op, delay).await?;
                    retry += 1;
                }
            }
        }
    }

    /// CreateRoom that never leaks: see the module documentation. `input` fills in the
    /// request (name, limits, handler, tags, logging configurations).
    pub async fn create_room<F>(&self, input: F) -> Result<CreateRoomOutput, ApiError>
    where
        F: Fn(CreateRoomFluentBuilder) -> CreateRoomFluentBuilder,
    {
        let probe = input(self.inner.sdk.create_room());
        let name = probe.get_name().clone().filter(|n| !n.is_empty());
        let user_tags = probe.get_tags().as_ref().map_or(0, HashMap::len);
        let token = (user_tags < MAX_TAGS).then(new_token);
        let create = |c: aws_sdk_ivschat::Client| {
            let mut b = input(c.create_room());
            if let Some(t) = &token {
                b = b.tags(MARKER_TAG_KEY, t.clone());
            }
            b.send()
        };
        let (token_ref, name_ref) = (token.as_deref(), name.as_deref());
        let lookup = move || async move {
            let Some(t) = token_ref else { return Ok(None) };
            let arns = self.room_arns_with_marker(name_ref, t).await?;
            match arns.first() {
                Some(arn) => self.room_as_created(arn).await.map(Some),
                None => Ok(None),
            }
        };
        let dedupe = move |out: CreateRoomOutput| async move {
            if let (Some(t), Some(keep)) = (token_ref, out.arn()) {
                let found = self.room_arns_with_marker(name_ref, t).await;
                self.delete_duplicates(found, keep, "room", Operation::DeleteRoom, |c, arn| {
                    c.delete_room().identifier(arn).send()
                })
                .await;
            }
            out
        };
        self.create_with_marker(
            Operation::CreateRoom,
            token.as_deref(),
            create,
            lookup,
            dedupe,
        )
        .await
    }

    /// After a retried create succeeded: deletes every other object carrying the same marker
    /// (`found`), which an earlier, interrupted attempt made. Best effort: failures are logged.
    async fn delete_duplicates<T, E, F, Fut>(
        &self,
        found: Result<Vec<String>, ApiError>,
        keep: &str,
        what: &str,
        op: Operation,
        delete: F,
    ) where
        F: Fn(aws_sdk_ivschat::Client, String) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, aws_smithy_runtime_api::http::Response>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let arns = match found {
            Ok(arns) => arns,
            Err(e) => {
                tracing::warn!("could not check for a duplicate {what}: {e}");
                return;
            }
        };
        for arn in arns.iter().filter(|a| a.as_str() != keep) {
            tracing::warn!(%arn, "deleting a duplicate {what} an interrupted create made");
            match self.call(op, |c| delete(c, arn.clone())).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => tracing::warn!(%arn, "could not delete a duplicate {what}: {e}"),
            }
        }
    }

    /// ARNs of the rooms (named `name`, when given) that carry the marker `token`.
    async fn room_arns_with_marker(
        &self,
        name: Option<&str>,
        token: &str,
    ) -> Result<Vec<String>, ApiError> {
        let mut next: Option<String> = None;
        let mut arns = Vec::new();
        loop {
            let page = self
                .call(Operation::ListRooms, |c| {
                    c.list_rooms()
                        .set_name(name.map(str::to_owned))
                        .max_results(50)
                        .set_next_token(next.clone())
                        .send()
                })
                .await?;
            arns.extend(
                page.rooms()
                    .iter()
                    .filter(|r| {
                        r.tags()
                            .and_then(|t| t.get(MARKER_TAG_KEY))
                            .is_some_and(|v| v == token)
                    })
                    .filter_map(|r| r.arn().map(str::to_owned)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_owned()),
                _ => return Ok(arns),
            }
        }
    }

    /// A room read back in the shape CreateRoom returns.
    async fn room_as_created(&self, arn: &str) -> Result<CreateRoomOutput, ApiError> {
        let room = self
            .call(Operation::GetRoom, |c| c.get_room().identifier(arn).send())
            .await?;
        Ok(CreateRoomOutput::builder()
            .set_arn(room.arn().map(str::to_owned))
            .set_id(room.id().map(str::to_owned))
            .set_name(room.name().map(str::to_owned))
            .set_create_time(room.create_time().copied())
            .set_update_time(room.update_time().copied())
            .set_maximum_message_rate_per_second(room.maximum_message_rate_per_second())
            .set_maximum_message_length(room.maximum_message_length())
            .set_message_review_handler(room.message_review_handler().cloned())
            .set_tags(room.tags().cloned())
            .set_logging_configuration_identifiers(Some(
                room.logging_configuration_identifiers().to_vec(),
            ))
            .build())
    }

    /// CreateLoggingConfiguration that never leaks (as [`IvsChat::create_room`]).
    pub async fn create_logging_configuration<F>(
        &self,
        input: F,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError>
    where
        F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder,
    {
        let probe = input(self.inner.sdk.create_logging_configuration());
        let user_tags = probe.get_tags().as_ref().map_or(0, HashMap::len);
        let token = (user_tags < MAX_TAGS).then(new_token);
        let create = |c: aws_sdk_ivschat::Client| {
            let mut b = input(c.create_logging_configuration());
            if let Some(t) = &token {
                b = b.tags(MARKER_TAG_KEY, t.clone());
            }
            b.send()
        };
        let token_ref = token.as_deref();
        let lookup = move || async move {
            let Some(t) = token_ref else { return Ok(None) };
            let arns = self.logging_configuration_arns_with_marker(t).await?;
            match arns.first() {
                Some(arn) => self.logging_configuration_as_created(arn).await.map(Some),
                None => Ok(None),
            }
        };
        let dedupe = move |out: CreateLoggingConfigurationOutput| async move {
            if let (Some(t), Some(keep)) = (token_ref, out.arn()) {
                let found = self.logging_configuration_arns_with_marker(t).await;
                self.delete_duplicates(
                    found,
                    keep,
                    "logging configuration",
                    Operation::DeleteLoggingConfiguration,
                    |c, arn| c.delete_logging_configuration().identifier(arn).send(),
                )
                .await;
            }
            out
        };
        self.create_with_marker(
            Operation::CreateLoggingConfiguration,
            token.as_deref(),
            create,
            lookup,
            dedupe,
        )
        .await
    }

    /// ARNs of the logging configurations that carry the marker `token`.
    async fn logging_configuration_arns_with_marker(
        &self,
        token: &str,
    ) -> Result<Vec<String>, ApiError> {
        let mut next: Option<String> = None;
        let mut arns = Vec::new();
        loop {
            let page = self
                .call(Operation::ListLoggingConfigurations, |c| {
                    c.list_logging_configurations()
                        .max_results(50)
                        .set_next_token(next.clone())
                        .send()
                })
                .await?;
            arns.extend(
                page.logging_configurations()
                    .iter()
                    .filter(|l| {
                        l.tags()
                            .and_then(|t| t.get(MARKER_TAG_KEY))
                            .is_some_and(|v| v == token)
                    })
                    .filter_map(|l| l.arn().map(str::to_owned)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_owned()),
                _ => return Ok(arns),
            }
        }
    }

    /// A logging configuration read back in the shape CreateLoggingConfiguration returns.
    async fn logging_configuration_as_created(
        &self,
        arn: &str,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError> {
        use aws_sdk_ivschat::types::CreateLoggingConfigurationState;
        let l = self
            .call(Operation::GetLoggingConfiguration, |c| {
                c.get_logging_configuration().identifier(arn).send()
            })
            .await?;
        Ok(CreateLoggingConfigurationOutput::builder()
            .set_arn(l.arn().map(str::to_owned))
            .set_id(l.id().map(str::to_owned))
            .set_name(l.name().map(str::to_owned))
            .set_create_time(l.create_time().copied())
            .set_update_time(l.update_time().copied())
            .set_destination_configuration(l.destination_configuration().cloned())
            .set_state(
                l.state()
                    .map(|s| CreateLoggingConfigurationState::from(s.as_str())),
            )
            .set_tags(l.tags().cloned())
            .build())
    }
}

/// A fresh per-create token (128 random bits, hex).
fn new_token() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}
