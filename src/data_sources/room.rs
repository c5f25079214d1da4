//! `ivschat_room`: one room by ARN, with every attribute GetRoom returns (including the two
//! maximum fields ListRooms leaves out). A missing room is an error naming the ARN.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::common;
use crate::aws::{ApiError, ErrorKind, Fresh, Operation};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{ArnKind, IsArn};
use crate::domain::models::HandlerModel;
use crate::provider::ProviderData;
use crate::schema::{Attribute, Schema};
use crate::server::{Context, DataSource};

pub struct RoomDataSource;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomDataSourceModel {
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
    pub maximum_message_length: Option<i64>,
    pub maximum_message_rate_per_second: Option<i64>,
    pub message_review_handler: Vec<HandlerModel>,
    pub logging_configuration_identifiers: Vec<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
}

fn schema() -> Schema {
    Schema::new(
        "One IVS Chat room, by ARN, with all its attributes. Fails when no room has that ARN; \
         to look rooms up by name or tags, use `ivschat_rooms`.",
    )
    .attribute(
        Attribute::string("arn")
            .required()
            .description(
                "The room's ARN, `arn:aws:ivschat:<region>:<account id>:room/<id>`. The room is \
                 read in the ARN's region.",
            )
            .validate(IsArn(ArnKind::Room)),
    )
    .attribute(
        Attribute::string("id")
            .computed()
            .description("The room's ID: the 12 characters that end its ARN."),
    )
    .attribute(
        Attribute::string("name")
            .computed()
            .description("The room's name (empty when it has none)."),
    )
    .attribute(common::time_attribute(
        "create_time",
        "When the room was created, as an RFC 3339 timestamp.",
    ))
    .attribute(common::time_attribute(
        "update_time",
        "When the room was last changed, as an RFC 3339 timestamp.",
    ))
    .attribute(
        Attribute::number("maximum_message_length")
            .computed()
            .description("Largest message the room accepts, in Unicode code points (1 to 500)."),
    )
    .attribute(
        Attribute::number("maximum_message_rate_per_second")
            .computed()
            .description(
                "Most messages the room delivers each second, over all its users (1 to 100).",
            ),
    )
    .attribute(common::handler_attribute())
    .attribute(
        Attribute::string_list("logging_configuration_identifiers")
            .computed()
            .description("ARNs of the logging configurations the room uses (empty when none)."),
    )
    .attribute(common::tags_attribute("The room's tags."))
    .attribute(common::arn_region_attribute())
}

#[async_trait]
impl DataSource<ProviderData> for RoomDataSource {
    type Model = RoomDataSourceModel;

    fn name(&self) -> &'static str {
        "room"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: RoomDataSourceModel,
    ) -> Result<RoomDataSourceModel, Diagnostics> {
        let Some(arn) = config.arn.clone() else {
            return Err(Diagnostic::unexpected_input(
                "ivschat_room read without an arn (a required attribute)",
            )
            .at(crate::value::Path::attr("arn"))
            .into());
        };
        let client = common::client_for_arn(ctx, &arn, ArnKind::Room, config.region.as_deref())?;
        // Read-your-writes: a room this provider just created or updated is waited for.
        let out = match client
            .read_fresh::<crate::domain::room::RoomApi>(&arn, None)
            .await
        {
            Ok(Fresh::Found(out)) => out,
            Ok(Fresh::Gone) => {
                let e = ApiError::new(Operation::GetRoom, ErrorKind::NotFound, "not found");
                return Err(common::get_failed(&e, ArnKind::Room, &arn, client.region()).into());
            }
            Err(e) => {
                return Err(common::get_failed(&e, ArnKind::Room, &arn, client.region()).into());
            }
        };
        Ok(RoomDataSourceModel {
            arn: Some(arn.clone()),
            id: out.id().map(str::to_owned),
            name: Some(out.name().unwrap_or("").to_owned()),
            create_time: common::timestamp(out.create_time()),
            update_time: common::timestamp(out.update_time()),
            maximum_message_length: out.maximum_message_length().map(i64::from),
            maximum_message_rate_per_second: out.maximum_message_rate_per_second().map(i64::from),
            message_review_handler: common::handler(out.message_review_handler()),
            logging_configuration_identifiers: out.logging_configuration_identifiers().to_vec(),
            tags: Some(common::clean_tags(ctx.provider, out.tags())),
            region: Some(client.region().to_owned()),
        })
    }
}

/// What this type declares for the registry ([`crate::registration`]): the operations it calls
/// and its IAM needs (the IAM guide).
impl crate::domain::declaration::Declares for RoomDataSource {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::room::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::TypeKind::DataSource,
            name: "ivschat_room",
            modes: &[crate::domain::iam::mode(
                "read",
                &[crate::aws::Operation::GetRoom],
            )],
        },
        kinds: &[],
    };
}
