//! Every object of a region, over every page: the listings of data sources, list resources and
//! leak-safe creates.

use std::collections::{BTreeMap, HashSet};

use aws_sdk_ivschat::types::{LoggingConfigurationSummary, RoomSummary};

use super::arn::ArnKind;
use super::room::RoomApi;
use crate::aws::{ApiError, IvsChat, Operation, PAGE_SIZE, Share};
use crate::provider::tags::has_all_tags;

/// What to ask ListRooms for, and which tags a room must carry.
#[derive(Clone, Debug, Default)]
pub struct RoomFilters {
    pub name: Option<String>,
    pub message_review_handler_uri: Option<String>,
    pub logging_configuration_identifier: Option<String>,
    pub tags: BTreeMap<String, String>,
}

impl RoomFilters {
    /// Whether [`RoomFilters::matches`] decides exactly what ListRooms would: a logging
    /// configuration given by ID (not ARN) is resolved by the service only.
    pub fn matchable_locally(&self) -> bool {
        self.logging_configuration_identifier
            .as_deref()
            .is_none_or(|l| ArnKind::LoggingConfiguration.names(l))
    }

    /// Whether no filter is passed to ListRooms (tags are checked on the summaries anyway).
    pub fn lists_everything(&self) -> bool {
        self.name.is_none()
            && self.message_review_handler_uri.is_none()
            && self.logging_configuration_identifier.is_none()
    }

    /// Whether ListRooms with these filters lists the room `s` (exact name, exact handler URI,
    /// one of its logging configurations), and it carries every wanted tag.
    pub fn matches(&self, s: &RoomSummary) -> bool {
        self.name
            .as_deref()
            .is_none_or(|n| s.name().unwrap_or("") == n)
            && self.message_review_handler_uri.as_deref().is_none_or(|u| {
                s.message_review_handler()
                    .and_then(|h| h.uri())
                    .is_some_and(|have| have == u)
            })
            && self
                .logging_configuration_identifier
                .as_deref()
                .is_none_or(|l| s.logging_configuration_identifiers().iter().any(|a| a == l))
            && has_all_tags(s.tags(), &self.tags)
    }
}

/// The rooms matching `filters`, in the API's order (most recently updated first), from a
/// listing of their own, requested now: what a create whose outcome is unknown looks for its
/// marker in (a shared listing may have been requested before the create was sent).
pub async fn rooms_alone(
    client: &IvsChat,
    filters: &RoomFilters,
) -> Result<Vec<RoomSummary>, ApiError> {
    let pages = client
        .all_pages(Operation::ListRooms, |c, token| {
            c.list_rooms()
                .max_results(PAGE_SIZE)
                .set_name(filters.name.clone())
                .set_message_review_handler_uri(filters.message_review_handler_uri.clone())
                .set_logging_configuration_identifier(
                    filters.logging_configuration_identifier.clone(),
                )
                .set_next_token(token)
                .send()
        })
        .await?;
    let mut seen = HashSet::new();
    Ok(pages
        .into_iter()
        .flat_map(|page| page.rooms)
        // A room updated while we list moves to the front and may come again on a later
        // page: keep its first sighting.
        .filter(|s| s.arn().is_none_or(|arn| seen.insert(arn.to_owned())))
        .filter(|s| has_all_tags(s.tags(), &filters.tags))
        .collect())
}

/// Every logging configuration of the client's region (at most 10 per account and region).
pub async fn logging_configurations(
    client: &IvsChat,
) -> Result<Vec<LoggingConfigurationSummary>, ApiError> {
    let pages = client
        .all_pages(Operation::ListLoggingConfigurations, |c, token| {
            c.list_logging_configurations()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send()
        })
        .await?;
    Ok(pages
        .into_iter()
        .flat_map(|page| page.logging_configurations)
        .collect())
}

/// The rooms matching `filters`, in the API's order, for data sources and list resources: from
/// the process's shared ListRooms listing when it can answer (joined and paged to the end when
/// the filters list the whole account anyway, else only once complete; see
/// [`crate::aws::IvsChat::list_shared`]), else with a listing of their own.
pub async fn rooms(client: &IvsChat, filters: &RoomFilters) -> Result<Vec<RoomSummary>, ApiError> {
    let share = if filters.lists_everything() {
        Share::Join
    } else {
        Share::IfComplete
    };
    let shared = if filters.matchable_locally() {
        client.list_shared::<RoomApi>(share).await?
    } else {
        None
    };
    match shared {
        Some(all) => Ok(all.into_iter().filter(|s| filters.matches(s)).collect()),
        None => rooms_alone(client, filters).await,
    }
}
