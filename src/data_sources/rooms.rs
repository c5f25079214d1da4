//! `ivschat_rooms`: the rooms of a region, filtered by name, review handler, logging
//! configuration (all three passed to ListRooms) and tags (checked on the summaries ListRooms
//! returns, no extra calls). Follows every page, 50 rooms a call, at the provider's pace.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ivschat::types::RoomSummary;
use serde::{Deserialize, Serialize};

use super::common;
use crate::aws::IvsChat;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{ArnKind, IsArn};
use crate::domain::listing;
use crate::domain::models::HandlerModel;
use crate::domain::names::{LAMBDA_ARN_FILTER_RULE, LAMBDA_ARN_PATTERN, NAME_PATTERN, NAME_RULE};
use crate::domain::room::RoomApi;
use crate::provider::ProviderData;
use crate::schema::{Attribute, LengthBetween, Matches, Schema};
use crate::server::{Context, DataSource};

pub struct RoomsDataSource;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomsDataSourceModel {
    pub name: Option<String>,
    pub message_review_handler_uri: Option<String>,
    pub logging_configuration_identifier: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
    pub rooms: Vec<RoomSummaryModel>,
    pub arns: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomSummaryModel {
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
    pub message_review_handler: Vec<HandlerModel>,
    pub logging_configuration_identifiers: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

/// What to ask ListRooms for, and what to keep of its answer.
pub use crate::domain::listing::RoomFilters as Filters;

fn schema() -> Schema {
    let room = vec![
        Attribute::string("arn")
            .computed()
            .description("The room's ARN."),
        Attribute::string("id")
            .computed()
            .description("The room's ID: the 12 characters that end its ARN."),
        Attribute::string("name")
            .computed()
            .description("The room's name (empty when it has none)."),
        common::time_attribute(
            "create_time",
            "When the room was created, as an RFC 3339 timestamp.",
        ),
        common::time_attribute(
            "update_time",
            "When the room was last changed, as an RFC 3339 timestamp.",
        ),
        common::handler_attribute(),
        Attribute::string_list("logging_configuration_identifiers")
            .computed()
            .description("ARNs of the logging configurations the room uses (empty when none)."),
        common::tags_attribute("The room's tags."),
    ];
    Schema::new(
        "The IVS Chat rooms of a region, optionally filtered by name, message review handler, \
         logging configuration and tags; newest update first. Matching no room is not an error: \
         `rooms` is then empty. Every page of ListRooms is followed, 50 rooms a call.",
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .description("Only rooms with exactly this name (ListRooms filter).")
            .validate(LengthBetween(0, 128))
            .validate(Matches::new(NAME_PATTERN, NAME_RULE)),
    )
    .attribute(
        Attribute::string("message_review_handler_uri")
            .optional()
            .description(
                "Only rooms whose message review handler is this Lambda function ARN (ListRooms filter).",
            )
            .validate(LengthBetween(0, 170))
            .validate(Matches::new(LAMBDA_ARN_PATTERN, LAMBDA_ARN_FILTER_RULE)),
    )
    .attribute(
        Attribute::string("logging_configuration_identifier")
            .optional()
            .description(
                "Only rooms that use the logging configuration with this ARN (ListRooms filter).",
            )
            .validate(LengthBetween(1, 128))
            .validate(IsArn(ArnKind::LoggingConfiguration)),
    )
    .attribute(Attribute::string_map("tags").optional().description(
        "Only rooms that carry every one of these tags with the same value (other tags allowed). \
         Checked on the summaries ListRooms returns: no extra API calls.",
    ))
    .attribute(common::list_region_attribute())
    .attribute(
        common::object_list(
            "rooms",
            "The matching rooms, in the API's order: most recently updated first.",
            room,
        ),
    )
    .attribute(
        Attribute::string_list("arns")
            .computed()
            .description("The ARNs of the matching rooms, in the order of `rooms`."),
    )
}

pub fn summary(data: &ProviderData, s: &RoomSummary) -> RoomSummaryModel {
    RoomSummaryModel {
        arn: s.arn().map(str::to_owned),
        id: s.id().map(str::to_owned),
        name: Some(s.name().unwrap_or("").to_owned()),
        create_time: common::timestamp(s.create_time()),
        update_time: common::timestamp(s.update_time()),
        message_review_handler: common::handler(s.message_review_handler()),
        logging_configuration_identifiers: s.logging_configuration_identifiers().to_vec(),
        tags: common::clean_tags(data, s.tags()),
    }
}

/// Lists every room matching `filters`, following `nextToken` until the last page; from the
/// process's shared listing when it can answer (see [`listing::rooms`]).
pub async fn list_rooms(
    data: &ProviderData,
    client: &IvsChat,
    filters: &Filters,
) -> Result<Vec<RoomSummaryModel>, Diagnostic> {
    let rooms = listing::rooms(client, filters)
        .await
        .map_err(|e| e.diagnostic(&format!("the rooms of {}", client.region())))?;
    Ok(rooms.iter().map(|s| summary(data, s)).collect())
}

#[async_trait]
impl DataSource<ProviderData> for RoomsDataSource {
    type Model = RoomsDataSourceModel;

    fn name(&self) -> &'static str {
        "rooms"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: RoomsDataSourceModel,
    ) -> Result<RoomsDataSourceModel, Diagnostics> {
        let client = ctx.client(config.region.as_deref())?;
        let filters = Filters {
            name: config.name.clone(),
            message_review_handler_uri: config.message_review_handler_uri.clone(),
            logging_configuration_identifier: config.logging_configuration_identifier.clone(),
            tags: config.tags.clone().unwrap_or_default(),
        };
        // Read-your-writes: rooms this provider just created or changed are listed as they are.
        client
            .settle_writes::<RoomApi>()
            .await
            .map_err(|e| e.diagnostic("rooms"))?;
        let rooms = list_rooms(ctx.provider, &client, &filters).await?;
        Ok(RoomsDataSourceModel {
            arns: rooms.iter().filter_map(|r| r.arn.clone()).collect(),
            rooms,
            region: Some(client.region().to_owned()),
            ..config
        })
    }
}

/// What this type declares for the registry ([`crate::registration`]): the operations it calls
/// and its IAM needs (the IAM guide).
impl crate::domain::declaration::Declares for RoomsDataSource {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::room::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::TypeKind::DataSource,
            name: "ivschat_rooms",
            modes: &[crate::domain::iam::mode(
                "read",
                &[crate::aws::Operation::ListRooms],
            )],
        },
        kinds: &[],
    };
}
