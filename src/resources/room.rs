//! `ivschat_room`: an Amazon IVS Chat room. A drop-in for `aws_ivschat_room` from hashicorp/aws,
//! with exact plans (defaults known at plan time, the review handler detached when its block is
//! removed) and every API constraint checked at plan time.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ivschat::operation::create_room::CreateRoomOutput;
use aws_sdk_ivschat::operation::create_room::builders::CreateRoomFluentBuilder;
use aws_sdk_ivschat::types::MessageReviewHandler;
use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{self, Arn, IsArn, Kind};
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{Kind as TypeKind, MARKER_NOTE, TypeNeeds, mode, mode_when};
use crate::domain::listing::{self, RoomFilters};
use crate::domain::models::HandlerModel;
use crate::domain::names::{
    LAMBDA_ARN_FILTER_RULE, LAMBDA_ARN_PATTERN, LAMBDA_ARN_RULE, NAME_PATTERN, NAME_RULE,
};
use crate::domain::room::RoomApi;
use crate::provider::client::{
    ApiError, Creatable, CreateError, Fresh, IvsChat, Operation, Read, Version, Written, has_marker,
};
use crate::provider::{ProviderData, region, tags};
use crate::resources::{tagging, timeouts};
use crate::schema::{
    Attribute, Block, Each, IntBetween, LengthBetween, Matches, NestedBlock, OneOf, Schema,
    SizeBetween,
};
use crate::server::{
    Context, Failed, IdentitySchema, ListRequest, ListResource, Listed, PlanRequest, Resource,
};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Resource,
    name: "ivschat_room",
    modes: &[
        mode_when(
            "refresh, plan and import",
            &[Operation::GetRoom, Operation::ListRooms],
            "ListRooms for refreshes of rooms whose state records a version (it answers 50 \
             rooms a call; denied, those reads use GetRoom)",
        ),
        mode_when(
            "create",
            &[
                Operation::CreateRoom,
                Operation::TagResource,
                Operation::UntagResource,
                Operation::ListRooms,
                Operation::GetRoom,
                Operation::DeleteRoom,
            ],
            MARKER_NOTE,
        ),
        mode_when(
            "update",
            &[
                Operation::UpdateRoom,
                Operation::TagResource,
                Operation::UntagResource,
            ],
            "TagResource and UntagResource only when tags change",
        ),
        mode("delete", &[Operation::DeleteRoom]),
    ],
};

pub struct Room;

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for Room {
    const DECLARED: Declared = Declared {
        operations: &[crate::domain::room::OPERATIONS, tags::OPERATIONS],
        iam: IAM,
        kinds: &[Kind::Room],
    };
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomModel {
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub maximum_message_length: Option<i64>,
    pub maximum_message_rate_per_second: Option<i64>,
    pub message_review_handler: Vec<HandlerModel>,
    pub logging_configuration_identifiers: Option<Vec<String>>,
    pub tags: Option<BTreeMap<String, String>>,
    pub tags_all: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
    pub timeouts: Option<timeouts::Model>,
}

fn schema() -> Schema {
    let [tags, tags_all] = tags::tag_attributes();
    let handler = Block::new("The Lambda function that reviews each message before it is delivered.")
        .attribute(
            Attribute::string("uri")
                .optional()
                .description(
                    "ARN of the Lambda function that reviews messages, \
                     `arn:aws:lambda:<region>:<account id>:function:<name>`. An empty string detaches the handler.",
                )
                .validate(LengthBetween(0, 170))
                .validate(Matches::new(LAMBDA_ARN_PATTERN, LAMBDA_ARN_RULE)),
        )
        .attribute(
            Attribute::string("fallback_result")
                .default("ALLOW")
                .description(
                    "What happens to a message when the handler fails or times out: `ALLOW` (the default) or `DENY`.",
                )
                .validate(OneOf(&["ALLOW", "DENY"])),
        );
    Schema::new("An Amazon IVS Chat room. Users connect to a room with chat tokens to send and receive messages.")
        .attribute(Attribute::string("arn").computed().stable().description("The room's ARN."))
        .attribute(Attribute::string("id").computed().stable().description("The room's ARN, as in hashicorp/aws."))
        .attribute(
            Attribute::string("name")
                .default("")
                .description("Room name, not unique: at most 128 letters, digits, hyphens and underscores.")
                .validate(LengthBetween(0, 128))
                .validate(Matches::new(NAME_PATTERN, NAME_RULE)),
        )
        .attribute(
            Attribute::number("maximum_message_length")
                .default(500)
                .description("Largest message, in Unicode code points: 1 to 500, default 500.")
                .validate(IntBetween(1, 500)),
        )
        .attribute(
            Attribute::number("maximum_message_rate_per_second")
                .default(10)
                .description("Most messages the room delivers each second, over all its users: 1 to 100, default 10.")
                .validate(IntBetween(1, 100)),
        )
        .attribute(
            Attribute::string_list("logging_configuration_identifiers")
                .optional_omittable()
                .description("ARNs of at most 3 logging configurations that record the room's messages and events.")
                .validate(SizeBetween(0, 3))
                .validate(Each(IsArn(Kind::LoggingConfiguration))),
        )
        .attribute(tags)
        .attribute(tags_all)
        .attribute(region::region_attribute())
        .block(NestedBlock::list_max_one("message_review_handler", handler))
        .block(timeouts::block(&["create", "update", "delete"]))
}

/// What the API returned for a room, shaped as state: `prior` supplies what the API does not
/// hold (timeouts, which tags came from configuration) and keeps equivalent forms stable.
#[allow(clippy::too_many_arguments)]
fn state_from_api(
    data: &ProviderData,
    client: &IvsChat,
    prior: &RoomModel,
    arn: Option<&str>,
    name: Option<&str>,
    max_length: Option<i32>,
    max_rate: Option<i32>,
    handler: Option<&MessageReviewHandler>,
    logging: &[String],
    api_tags: Option<&std::collections::HashMap<String, String>>,
) -> RoomModel {
    let message_review_handler = match HandlerModel::from_api(handler) {
        Some(h) => vec![h],
        // Detached: a prior block with an empty uri is the same thing, keep it as written.
        None => prior
            .message_review_handler
            .iter()
            .filter(|h| h.is_detached())
            .cloned()
            .collect(),
    };
    let logging_configuration_identifiers =
        if logging.is_empty() && prior.logging_configuration_identifiers.is_none() {
            None
        } else {
            Some(logging.to_vec())
        };
    let empty = std::collections::HashMap::new();
    let (tags, tags_all) =
        tags::tags_from_api(data, api_tags.unwrap_or(&empty), prior.tags.as_ref());
    RoomModel {
        arn: arn.map(str::to_owned),
        id: arn.map(str::to_owned),
        name: Some(name.unwrap_or("").to_owned()),
        maximum_message_length: max_length.map(i64::from),
        maximum_message_rate_per_second: max_rate.map(i64::from),
        message_review_handler,
        logging_configuration_identifiers,
        tags,
        tags_all: Some(tags_all),
        region: Some(
            prior
                .region
                .clone()
                .unwrap_or_else(|| client.region().to_owned()),
        ),
        timeouts: prior.timeouts.clone(),
    }
}

crate::create_request!(CreateRoomFluentBuilder => CreateRoomOutput, create_room);

/// The name a create request gives (none when empty).
fn requested_name(request: &CreateRoomFluentBuilder) -> Option<String> {
    request.get_name().clone().filter(|n| !n.is_empty())
}

/// Rooms on the leak-safe create path ([`IvsChat::create`]).
impl Creatable for Room {
    type Request = CreateRoomFluentBuilder;
    const WHAT: &'static str = "room";
    const CREATE: Operation = Operation::CreateRoom;

    fn find_command(request: &CreateRoomFluentBuilder) -> String {
        match requested_name(request) {
            Some(name) => format!("aws ivschat list-rooms --name {name}"),
            None => "aws ivschat list-rooms".to_owned(),
        }
    }

    /// Lists by marker only among rooms of the requested name (fewer pages), in a listing of
    /// its own requested now.
    async fn arns_with_marker(
        client: &IvsChat,
        request: &CreateRoomFluentBuilder,
        marker: &str,
    ) -> Result<Vec<String>, ApiError> {
        let filters = RoomFilters {
            name: requested_name(request),
            ..RoomFilters::default()
        };
        Ok(listing::rooms_alone(client, &filters)
            .await?
            .iter()
            .filter(|r| has_marker(r.tags(), marker))
            .filter_map(|r| r.arn().map(str::to_owned))
            .collect())
    }

    async fn read_as_created(client: &IvsChat, arn: &str) -> Result<CreateRoomOutput, ApiError> {
        let room = client
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

    async fn delete(client: &IvsChat, arn: &str) -> Result<(), ApiError> {
        client
            .call(Operation::DeleteRoom, |c| {
                c.delete_room().identifier(arn).send()
            })
            .await
            .map(|_| ())
    }
}

/// CreateRoom that never leaks a room nor leaves a marker (see [`IvsChat::create_leak_safe`]).
pub async fn create_room<F>(
    client: &IvsChat,
    input: F,
) -> Result<CreateRoomOutput, CreateError<CreateRoomOutput>>
where
    F: Fn(CreateRoomFluentBuilder) -> CreateRoomFluentBuilder + Sync,
{
    client.create::<Room, F>(input).await
}

fn subject(m: &RoomModel) -> String {
    match (m.name.as_deref(), m.arn.as_deref()) {
        (_, Some(arn)) => format!("room {arn}"),
        (Some(name), None) if !name.is_empty() => format!("room {name:?}"),
        _ => "room".to_owned(),
    }
}

/// Keeps the provider's last write in the room's private state, for reads in later runs, and
/// the version it shows when its timestamp vouches for the values answered (see
/// [`IvsChat::vouched_version`]); else later reads use GetRoom until one can record it.
fn remember(
    ctx: &Context<'_, ProviderData>,
    client: &IvsChat,
    arn: &str,
    update_time: Option<&DateTime>,
) {
    let Some(w) = client.record_write(arn, update_time) else {
        return;
    };
    ctx.set_private(&w);
    match client.vouched_version(update_time, None) {
        Some(v) => ctx.set_private(&v),
        None => ctx.remove_private::<Version>(),
    }
}

fn int(v: Option<i64>) -> Option<i32> {
    v.and_then(|v| i32::try_from(v).ok())
}

#[async_trait]
impl Resource<ProviderData> for Room {
    type Model = RoomModel;

    fn name(&self) -> &'static str {
        "room"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn identity(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().string("arn", "The room's ARN."))
    }

    fn modify_plan(&self, mut req: PlanRequest<'_, ProviderData>) {
        region::plan_region(&mut req);
        tags::plan_tags_all(&mut req);
    }

    async fn create(
        &self,
        ctx: &Context<'_, ProviderData>,
        plan: RoomModel,
    ) -> Result<RoomModel, Failed<RoomModel>> {
        let client = ctx.client(plan.region.as_deref())?;
        let send_tags = tags::tags_to_send(
            ctx.provider,
            plan.tags_all
                .as_ref()
                .or(plan.tags.as_ref())
                .unwrap_or(&BTreeMap::new()),
        );
        let handler = plan
            .message_review_handler
            .first()
            .filter(|h| !h.is_detached())
            .map(HandlerModel::to_api);
        let result = create_room(&client, |b| {
            b.name(plan.name.clone().unwrap_or_default())
                .set_maximum_message_length(int(plan.maximum_message_length))
                .set_maximum_message_rate_per_second(int(plan.maximum_message_rate_per_second))
                .set_message_review_handler(handler.clone())
                .set_logging_configuration_identifiers(
                    plan.logging_configuration_identifiers.clone(),
                )
                .set_tags((!send_tags.is_empty()).then(|| send_tags.clone()))
        })
        .await;
        let state = |out: &CreateRoomOutput| {
            state_from_api(
                ctx.provider,
                &client,
                &plan,
                out.arn(),
                out.name(),
                out.maximum_message_length(),
                out.maximum_message_rate_per_second(),
                out.message_review_handler(),
                out.logging_configuration_identifiers(),
                out.tags(),
            )
        };
        // Reads lag behind: remember the write so that they wait for it instead of losing
        // the room (not found) or reporting drift.
        let made = match &result {
            Ok(out) => Some(out),
            Err(CreateError { created, .. }) => created.as_ref(),
        };
        if let Some(arn) = made.and_then(|out| out.arn()) {
            remember(ctx, &client, arn, made.and_then(|out| out.update_time()));
        }
        match result {
            Ok(out) => Ok(state(&out)),
            // Made, but a clean-up step failed: kept in state (tainted), never lost.
            Err(CreateError {
                error,
                created: Some(out),
            }) => Err(Failed::with_partial(
                state(&out),
                error.diagnostic(&subject(&plan)),
            )),
            Err(CreateError { error, .. }) => {
                Err(Failed::nothing_created(error.diagnostic(&subject(&plan))))
            }
        }
    }

    async fn read(
        &self,
        ctx: &Context<'_, ProviderData>,
        state: RoomModel,
    ) -> Result<Option<RoomModel>, Diagnostics> {
        let Some(arn) = state.arn.clone().or_else(|| state.id.clone()) else {
            return Err(Diagnostic::unexpected_input("The room state has no ARN")
                .at(crate::value::Path::attr("arn"))
                .into());
        };
        let region = state
            .region
            .clone()
            .or_else(|| Arn::parse_kind(&arn, Kind::Room).ok().map(|a| a.region));
        let client = ctx.client(region.as_deref())?;
        let known = ctx.private::<Written>();
        // The server's time before the read is sent: what a GetRoom answer may vouch for.
        let observed_from = client.server_now_ms();
        let result = client
            .read_listed::<RoomApi>(&arn, known, ctx.private::<Version>())
            .await;
        let prior = RoomModel {
            region,
            ..state.clone()
        };
        match result {
            Ok(Read::Listed(s)) => Ok(Some(state_from_api(
                ctx.provider,
                &client,
                &prior,
                s.arn(),
                s.name(),
                int(state.maximum_message_length),
                int(state.maximum_message_rate_per_second),
                s.message_review_handler(),
                s.logging_configuration_identifiers(),
                s.tags(),
            ))),
            Ok(Read::Got(Fresh::Found(out))) => {
                if known.is_some_and(|w| w.seen_in(out.update_time())) {
                    // Reads show the write now: later reads need not wait for it.
                    ctx.remove_private::<Written>();
                }
                // The version later reads may take from a listing, when its timestamp can
                // vouch for the values read (see IvsChat::vouched_version).
                match client.vouched_version(out.update_time(), observed_from) {
                    Some(v) => ctx.set_private(&v),
                    None => ctx.remove_private::<Version>(),
                }
                Ok(Some(state_from_api(
                    ctx.provider,
                    &client,
                    &prior,
                    out.arn(),
                    out.name(),
                    out.maximum_message_length(),
                    out.maximum_message_rate_per_second(),
                    out.message_review_handler(),
                    out.logging_configuration_identifiers(),
                    out.tags(),
                )))
            }
            Ok(Read::Got(Fresh::Gone)) => Ok(None),
            Err(e) => Err(e.diagnostic(&subject(&state)).into()),
        }
    }

    async fn update(
        &self,
        ctx: &Context<'_, ProviderData>,
        prior: RoomModel,
        plan: RoomModel,
    ) -> Result<RoomModel, Failed<RoomModel>> {
        let client = ctx.client(plan.region.as_deref())?;
        let Some(arn) = prior.arn.clone() else {
            return Err(Diagnostic::unexpected_input("The room state has no ARN")
                .at(crate::value::Path::attr("arn"))
                .into());
        };
        // Every configured value is sent, not only the changed ones: a change made out of
        // band after the plan is then overwritten by what the plan showed, and the answer (the
        // whole room) is what the state records. Tags are then set against the tags the answer
        // shows, so a tag added out of band is removed as the plan's tags_all promised.
        let handler = match plan.message_review_handler.first() {
            Some(h) => h.to_api(),
            // A removed block detaches the handler: the API detaches on an empty uri.
            None => MessageReviewHandler::builder().uri("").build(),
        };
        let out = client
            .call(Operation::UpdateRoom, |c| {
                c.update_room()
                    .identifier(arn.clone())
                    .name(plan.name.clone().unwrap_or_default())
                    .set_maximum_message_length(int(plan.maximum_message_length))
                    .set_maximum_message_rate_per_second(int(plan.maximum_message_rate_per_second))
                    .message_review_handler(handler.clone())
                    .set_logging_configuration_identifiers(Some(
                        plan.logging_configuration_identifiers
                            .clone()
                            .unwrap_or_default(),
                    ))
                    .send()
            })
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                let partial = if e.ambiguous {
                    observed_after_failure(ctx, &client, &arn, &prior).await
                } else {
                    prior.clone()
                };
                return Err(Failed::with_partial(
                    partial,
                    e.diagnostic(&subject(&prior)),
                ));
            }
        };
        remember(ctx, &client, &arn, out.update_time());
        let answered = |tags: Option<&std::collections::HashMap<String, String>>| {
            state_from_api(
                ctx.provider,
                &client,
                &plan,
                out.arn().or(Some(arn.as_str())),
                out.name(),
                out.maximum_message_length(),
                out.maximum_message_rate_per_second(),
                out.message_review_handler(),
                out.logging_configuration_identifiers(),
                tags,
            )
        };
        let answered_tags = out.tags().cloned().unwrap_or_default();
        let have: BTreeMap<String, String> = answered_tags
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let new_tags = plan
            .tags_all
            .clone()
            .or_else(|| plan.tags.clone())
            .unwrap_or_default();
        if let Err(e) = tagging::update_tags(ctx.provider, &client, &arn, &have, &new_tags).await {
            // UpdateRoom succeeded; of the tag calls one may have gone through (an
            // UntagResource before a failed TagResource, or a lost answer): the state records
            // the room as reads show it once they must show those calls.
            let answered = answered(Some(&answered_tags));
            let partial = observed_after_failure(ctx, &client, &arn, &answered).await;
            return Err(Failed::with_partial(
                partial,
                e.diagnostic(&subject(&prior)),
            ));
        }
        let set = tagging::tags_after(ctx.provider, &answered_tags, &new_tags);
        Ok(answered(Some(&set)))
    }

    async fn delete(
        &self,
        ctx: &Context<'_, ProviderData>,
        state: RoomModel,
    ) -> Result<(), Diagnostics> {
        let Some(arn) = state.arn.clone() else {
            return Ok(());
        };
        let client = ctx.client(state.region.as_deref())?;
        match client
            .call(Operation::DeleteRoom, |c| {
                c.delete_room().identifier(arn.clone()).send()
            })
            .await
        {
            Ok(_) => {}
            // Gone already, perhaps by an earlier attempt whose answer was lost: reads may
            // still show it, so wait for them as after a delete.
            Err(e) if e.is_not_found() => {}
            Err(e) if e.ambiguous => {
                // The delete may have been carried out: the room stays in state only if
                // reads show it once they must show that delete.
                let gone = client
                    .settle_unknown_write(Operation::GetRoom)
                    .await
                    .is_ok()
                    && client
                        .call(Operation::GetRoom, |c| {
                            c.get_room().identifier(arn.clone()).send()
                        })
                        .await
                        .is_err_and(|g| g.is_not_found());
                if gone {
                    client.record_delete(&arn);
                    return Ok(());
                }
                return Err(e.diagnostic(&subject(&state)).into());
            }
            Err(e) => return Err(e.diagnostic(&subject(&state)).into()),
        }
        // Return only once reads agree, so that whatever depended on the room (a logging
        // configuration deleted next) no longer sees it.
        client
            .wait_gone(
                Operation::GetRoom,
                &arn,
                || {
                    client.call(Operation::GetRoom, |c| {
                        c.get_room().identifier(arn.clone()).send()
                    })
                },
                |_| Ok(()),
            )
            .await
            .map_err(|e| e.diagnostic(&subject(&state)).into())
    }

    async fn import(
        &self,
        _ctx: &Context<'_, ProviderData>,
        id: &str,
    ) -> Option<Result<RoomModel, Diagnostics>> {
        Some(
            arn::import_id(id, Kind::Room, "ivschat_room").map(|arn| RoomModel {
                arn: Some(id.to_owned()),
                id: Some(id.to_owned()),
                region: Some(arn.region),
                ..RoomModel::default()
            }),
        )
    }

    fn generate_config(&self, provider: Option<&ProviderData>, state: RoomModel) -> RoomModel {
        generated_config(provider, state)
    }
}

/// The room as the account holds it after a failed write that may have been carried out,
/// read once reads must show that write: what the state records then. `fallback` (the
/// state as known before the failed call) when the room cannot be read in time.
async fn observed_after_failure(
    ctx: &Context<'_, ProviderData>,
    client: &IvsChat,
    arn: &str,
    fallback: &RoomModel,
) -> RoomModel {
    // The versions recorded before no longer vouch for anything.
    ctx.remove_private::<Version>();
    if client
        .settle_unknown_write(Operation::GetRoom)
        .await
        .is_err()
    {
        return fallback.clone();
    }
    match client
        .call(Operation::GetRoom, |c| c.get_room().identifier(arn).send())
        .await
    {
        Ok(out) => state_from_api(
            ctx.provider,
            client,
            fallback,
            out.arn(),
            out.name(),
            out.maximum_message_length(),
            out.maximum_message_rate_per_second(),
            out.message_review_handler(),
            out.logging_configuration_identifiers(),
            out.tags(),
        ),
        Err(_) => fallback.clone(),
    }
}

/// `list "ivschat_room"`: the rooms of a region, filtered as the `ivschat_rooms` data source
/// filters them (name, review handler and logging configuration by ListRooms, tags on the
/// summaries; from the process's shared listing when it can answer). Full objects
/// (`include_resource`, generated configuration) cost one GetRoom each: a summary lacks the
/// maximum values.
///
/// The list resource of this Terraform type: it yields this resource's objects and identity,
/// so it lives in the resource's file.
pub struct RoomList;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoomListConfig {
    pub name: Option<String>,
    pub message_review_handler_uri: Option<String>,
    pub logging_configuration_identifier: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
}

fn list_schema() -> Schema {
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
        list_schema()
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
                display_name: crate::resources::display_name(object.name.as_deref(), &arn),
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

/// Generated configuration (GenerateResourceConfig: `terraform query -generate-config-out`):
/// what a person would write for the room `state` describes. Empty tags and logging lists,
/// a detached review handler, the provider's own region and timeouts are left out; the
/// server then drops computed attributes and defaults (500, 10, `ALLOW`, an empty name).
/// Logging configurations stay literal ARNs: the generated file has nothing to refer to.
fn generated_config(provider: Option<&ProviderData>, state: RoomModel) -> RoomModel {
    RoomModel {
        message_review_handler: state
            .message_review_handler
            .into_iter()
            .filter(|h| !h.is_detached())
            .collect(),
        logging_configuration_identifiers: state
            .logging_configuration_identifiers
            .filter(|l| !l.is_empty()),
        tags: state.tags.filter(|t| !t.is_empty()),
        region: region::implicit_region_left_out(provider, state.region),
        timeouts: None,
        ..state
    }
}
