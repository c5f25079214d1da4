//! `list "ivschat_room"`: the rooms of a region, filtered as the `ivschat_rooms` data source
//! filters them (name, review handler and logging configuration by ListRooms, tags on the
//! summaries; from the process's shared listing when it can answer). Full objects
//! (`include_resource`, generated configuration) cost one GetRoom each: a summary lacks the
//! maximum values.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;
use crate::domain::listing::RoomFilters;
use crate::domain::names::{LAMBDA_ARN_FILTER_RULE, LAMBDA_ARN_PATTERN, NAME_PATTERN, NAME_RULE};
use crate::provider::ProviderData;
use crate::resources::room::{Room, RoomModel};
use crate::schema::{Attribute, LengthBetween, Matches, Schema};
use crate::server::{Context, ListRequest, ListResource, Listed, Resource};

pub struct RoomList;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomListConfig {
    pub name: Option<String>,
    pub message_review_handler_uri: Option<String>,
    pub logging_configuration_identifier: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
}

fn schema() -> Schema {
    Schema::new(
        "Finds IVS Chat rooms for `terraform query`, to import them (by identity) or generate \
         their configuration. Without filters, every room of the region.",
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .description("Only rooms with exactly this name.")
            .validate(LengthBetween(0, 128))
            .validate(Matches::new(NAME_PATTERN, NAME_RULE)),
    )
    .attribute(
        Attribute::string("message_review_handler_uri")
            .optional()
            .description("Only rooms whose message review handler is this Lambda function ARN.")
            .validate(Matches::new(LAMBDA_ARN_PATTERN, LAMBDA_ARN_FILTER_RULE)),
    )
    .attribute(
        Attribute::string("logging_configuration_identifier")
            .optional()
            .description("Only rooms that use the logging configuration with this ARN."),
    )
    .attribute(Attribute::string_map("tags").optional().description(
        "Only rooms that carry every one of these tags with the same value (other tags allowed).",
    ))
    .attribute(Attribute::string("region").optional().description(
        "The AWS region to list, for example `us-east-1`. Defaults to the provider's region.",
    ))
}

#[async_trait]
impl ListResource<ProviderData> for RoomList {
    type Config = RoomListConfig;
    type Model = RoomModel;

    fn name(&self) -> &'static str {
        "room"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn list(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: RoomListConfig,
        request: ListRequest,
    ) -> Result<Vec<Listed<RoomModel>>, Diagnostics> {
        let client = ctx.client(config.region.as_deref())?;
        let filters = RoomFilters {
            name: config.name,
            message_review_handler_uri: config.message_review_handler_uri,
            logging_configuration_identifier: config.logging_configuration_identifier,
            tags: config.tags.unwrap_or_default(),
        };
        let region = client.region().to_owned();
        let rooms = crate::domain::listing::rooms(&client, &filters)
            .await
            .map_err(|e| e.diagnostic(&format!("the rooms of {region}")))?;
        let mut found = Vec::new();
        for summary in rooms.into_iter().take(request.limit) {
            let Some(arn) = summary.arn().map(str::to_owned) else {
                continue;
            };
            let listed = RoomModel {
                arn: Some(arn.clone()),
                id: Some(arn.clone()),
                name: Some(summary.name().unwrap_or("").to_owned()),
                region: Some(region.clone()),
                ..RoomModel::default()
            };
            let object = if request.full {
                // Deleted since it was listed: leave it out.
                match Resource::read(&Room, ctx, listed).await? {
                    Some(room) => room,
                    None => continue,
                }
            } else {
                listed
            };
            found.push(Listed {
                display_name: super::display_name(object.name.as_deref(), &arn),
                object,
            });
        }
        Ok(found)
    }
}

/// What this type declares for the registry ([`crate::registration`]): the operations it calls
/// and its IAM needs (the IAM guide).
impl crate::domain::declaration::Declares for RoomList {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::room::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::Kind::ListResource,
            name: "ivschat_room",
            modes: &[crate::domain::iam::mode_when(
                "list (terraform query)",
                &[
                    crate::provider::Operation::ListRooms,
                    crate::provider::Operation::GetRoom,
                ],
                "GetRoom only with `include_resource = true`",
            )],
        },
        kinds: &[],
    };
}
