//! `ivschat_logging_configuration`: where IVS Chat records a room's messages and events (S3,
//! CloudWatch Logs or Firehose). A drop-in for `aws_ivschat_logging_configuration` from
//! hashicorp/aws that waits for the configuration to settle, explains failed states, and checks
//! the destination at plan time.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationOutput;
use aws_sdk_ivschat::operation::create_logging_configuration::builders::CreateLoggingConfigurationFluentBuilder;
use aws_sdk_ivschat::types::{CreateLoggingConfigurationState, LoggingConfigurationState};
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{self, Arn, Kind};
use crate::domain::models::DestinationModel;
use crate::domain::names::{NAME_PATTERN, NAME_RULE};
use crate::provider::client::{
    ApiError, ErrorKind, IvsChat, LeakSafeCreate, MARKER_TAG_KEY, Operation, PAGE_SIZE, has_marker,
};
use crate::provider::{ProviderData, region, tags};
use crate::resources::{tagging, timeouts};
use crate::schema::{Attribute, Block, ExactlyOneOf, LengthBetween, Matches, NestedBlock, Schema};
use crate::server::{Context, Failed, IdentitySchema, PlanRequest, Resource};

pub struct LoggingConfiguration;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingConfigurationModel {
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub destination_configuration: Vec<DestinationModel>,
    pub state: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub tags_all: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
    pub timeouts: Option<timeouts::Model>,
}

/// The destination block, shared with the data sources that return it.
pub fn destination_block() -> Block {
    let s3 = Block::new("Deliver logs to an Amazon S3 bucket.").attribute(
        Attribute::string("bucket_name")
            .required()
            .description(
                "Name of the S3 bucket: 3 to 63 lowercase letters, digits, hyphens and dots.",
            )
            .validate(LengthBetween(3, 63))
            .validate(Matches::new(
                "[a-z0-9-.]+",
                "contain only lowercase letters, digits, hyphens and dots",
            )),
    );
    let cloudwatch = Block::new("Deliver logs to an Amazon CloudWatch Logs log group.").attribute(
        Attribute::string("log_group_name")
            .required()
            .description("Name of the log group: 1 to 512 letters, digits and `.-_/#`.")
            .validate(LengthBetween(1, 512))
            .validate(Matches::new(
                r"[\.\-_/#A-Za-z0-9]+",
                "contain only letters, digits and the characters . - _ / #",
            )),
    );
    let firehose = Block::new("Deliver logs to an Amazon Kinesis Data Firehose delivery stream.")
        .attribute(
            Attribute::string("delivery_stream_name")
                .required()
                .description("Name of the delivery stream: 1 to 64 letters, digits and `_.-`.")
                .validate(LengthBetween(1, 64))
                .validate(Matches::new(
                    "[a-zA-Z0-9_.-]+",
                    "contain only letters, digits and the characters _ . -",
                )),
        );
    Block::new("Where the logs go: exactly one of `s3`, `cloudwatch_logs` or `firehose`.")
        .block(NestedBlock::list_max_one("s3", s3))
        .block(NestedBlock::list_max_one("cloudwatch_logs", cloudwatch))
        .block(NestedBlock::list_max_one("firehose", firehose))
        .validate(ExactlyOneOf(&["s3", "cloudwatch_logs", "firehose"]))
}

fn schema() -> Schema {
    let [tags, tags_all] = tags::tag_attributes();
    Schema::new("An Amazon IVS Chat logging configuration: a destination that rooms send their messages and events to.")
        .attribute(Attribute::string("arn").computed().stable().description("The logging configuration's ARN."))
        .attribute(Attribute::string("id").computed().stable().description("The logging configuration's ARN, as in hashicorp/aws."))
        .attribute(
            Attribute::string("name")
                .default("")
                .description("Name, not unique: at most 128 letters, digits, hyphens and underscores.")
                .validate(LengthBetween(0, 128))
                .validate(Matches::new(NAME_PATTERN, NAME_RULE)),
        )
        .attribute(Attribute::string("state").computed().description(
            "Where the configuration is in its life: `ACTIVE` once usable; `CREATING`, `UPDATING` and `DELETING` \
             while it settles; `CREATE_FAILED`, `UPDATE_FAILED`, `DELETE_FAILED` when IVS Chat could not complete it.",
        ))
        .attribute(tags)
        .attribute(tags_all)
        .attribute(region::region_attribute())
        .block(NestedBlock::list_max_one("destination_configuration", destination_block()).min_items(1))
        .block(timeouts::block(&["create", "update", "delete"]))
}

/// CreateLoggingConfiguration on the leak-safe create path ([`IvsChat::create_leak_safe`]):
/// `input` fills in the request (name, destination, tags).
pub struct LoggingConfigurationCreate<F> {
    input: F,
    user_tags: usize,
}

impl<F> LoggingConfigurationCreate<F>
where
    F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder
        + Sync,
{
    pub fn new(client: &IvsChat, input: F) -> LoggingConfigurationCreate<F> {
        let probe = input(client.sdk().create_logging_configuration());
        LoggingConfigurationCreate {
            user_tags: probe.get_tags().as_ref().map_or(0, HashMap::len),
            input,
        }
    }
}

impl<F> LeakSafeCreate for LoggingConfigurationCreate<F>
where
    F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder
        + Sync,
{
    type Output = CreateLoggingConfigurationOutput;
    const WHAT: &'static str = "logging configuration";
    const CREATE: Operation = Operation::CreateLoggingConfiguration;

    fn user_tags(&self) -> usize {
        self.user_tags
    }

    async fn send(
        &self,
        sdk: aws_sdk_ivschat::Client,
        marker: Option<String>,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError> {
        let mut request = (self.input)(sdk.create_logging_configuration());
        if let Some(marker) = marker {
            request = request.tags(MARKER_TAG_KEY, marker);
        }
        request
            .send()
            .await
            .map_err(|e| ApiError::from_sdk(Self::CREATE, &e))
    }

    fn arn(output: &CreateLoggingConfigurationOutput) -> Option<&str> {
        output.arn()
    }

    async fn arns_with_marker(
        &self,
        client: &IvsChat,
        marker: &str,
    ) -> Result<Vec<String>, ApiError> {
        let pages = client
            .all_pages(Operation::ListLoggingConfigurations, |c, token| {
                c.list_logging_configurations()
                    .max_results(PAGE_SIZE)
                    .set_next_token(token)
                    .send()
            })
            .await?;
        Ok(pages
            .iter()
            .flat_map(|page| page.logging_configurations())
            .filter(|l| has_marker(l.tags(), marker))
            .filter_map(|l| l.arn().map(str::to_owned))
            .collect())
    }

    async fn read_as_created(
        &self,
        client: &IvsChat,
        arn: &str,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError> {
        let l = client
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

    async fn delete(&self, client: &IvsChat, arn: &str) -> Result<(), ApiError> {
        client
            .call(Operation::DeleteLoggingConfiguration, |c| {
                c.delete_logging_configuration().identifier(arn).send()
            })
            .await
            .map(|_| ())
    }
}

/// CreateLoggingConfiguration that never leaks one (see [`IvsChat::create_leak_safe`]).
pub async fn create_logging_configuration<F>(
    client: &IvsChat,
    input: F,
) -> Result<CreateLoggingConfigurationOutput, ApiError>
where
    F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder
        + Sync,
{
    client
        .create_leak_safe(&LoggingConfigurationCreate::new(client, input))
        .await
}

fn subject(m: &LoggingConfigurationModel) -> String {
    match (m.name.as_deref(), m.arn.as_deref()) {
        (_, Some(arn)) => format!("logging configuration {arn}"),
        (Some(name), None) if !name.is_empty() => format!("logging configuration {name:?}"),
        _ => "logging configuration".to_owned(),
    }
}

/// What a state that is not ACTIVE means, and what to do about it.
fn failed_state(state: &LoggingConfigurationState, subject: &str) -> Option<Diagnostic> {
    let (what, action) = match state {
        LoggingConfigurationState::CreateFailed => (
            "IVS Chat could not create it",
            "Check that the destination exists in the same region and that IVS Chat may write to it \
             (bucket policy, log group resource policy or delivery stream permissions), then apply again: \
             Terraform will replace the failed configuration.",
        ),
        LoggingConfigurationState::UpdateFailed => (
            "IVS Chat could not apply the update",
            "Check that the new destination exists and that IVS Chat may write to it, then apply again.",
        ),
        LoggingConfigurationState::DeleteFailed => (
            "IVS Chat could not delete it",
            "Apply or destroy again; if it keeps failing, delete it in the console or with the AWS CLI.",
        ),
        _ => return None,
    };
    Some(Diagnostic::error(
        "Logging Configuration Failed",
        format!(
            "The {subject} is in state {}: {what}. {action}",
            state.as_str()
        ),
    ))
}

struct Observed {
    state: LoggingConfigurationState,
    model: LoggingConfigurationModel,
}

async fn get(
    data: &ProviderData,
    client: &IvsChat,
    arn: &str,
    prior: &LoggingConfigurationModel,
) -> Result<Option<Observed>, ApiError> {
    let out = match client
        .call(Operation::GetLoggingConfiguration, |c| {
            c.get_logging_configuration().identifier(arn).send()
        })
        .await
    {
        Ok(out) => out,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let empty = std::collections::HashMap::new();
    let (tags, tags_all) =
        tags::tags_from_api(data, out.tags().unwrap_or(&empty), prior.tags.as_ref());
    let state = out
        .state()
        .cloned()
        .unwrap_or(LoggingConfigurationState::Active);
    let model = LoggingConfigurationModel {
        arn: out.arn().map(str::to_owned),
        id: out.arn().map(str::to_owned),
        name: Some(out.name().unwrap_or("").to_owned()),
        destination_configuration: out
            .destination_configuration()
            .map(DestinationModel::from_api)
            .into_iter()
            .collect(),
        state: Some(state.as_str().to_owned()),
        tags,
        tags_all: Some(tags_all),
        region: Some(
            prior
                .region
                .clone()
                .unwrap_or_else(|| client.region().to_owned()),
        ),
        timeouts: prior.timeouts.clone(),
    };
    Ok(Some(Observed { state, model }))
}

enum Settled {
    Active(Box<LoggingConfigurationModel>),
    Gone,
}

/// Polls until the configuration leaves its transitional state, backing off from 250 ms to 5 s
/// (every poll is paced under the 3 TPS quota by the client).
async fn wait(
    ctx: &Context<'_, ProviderData>,
    client: &IvsChat,
    arn: &str,
    prior: &LoggingConfigurationModel,
) -> Result<Settled, (Option<LoggingConfigurationModel>, Diagnostic)> {
    let deadline = crate::domain::duration::instant_after(tokio::time::Instant::now(), ctx.timeout);
    let mut delay = Duration::from_millis(250);
    let mut last = None;
    loop {
        let observed = get(ctx.provider, client, arn, prior)
            .await
            .map_err(|e| (last.clone(), e.diagnostic(&subject(prior))))?;
        let Some(observed) = observed else {
            return Ok(Settled::Gone);
        };
        if let Some(d) = failed_state(&observed.state, &subject(&observed.model)) {
            return Err((Some(observed.model), d));
        }
        if observed.state == LoggingConfigurationState::Active {
            return Ok(Settled::Active(Box::new(observed.model)));
        }
        let state = observed.state.as_str().to_owned();
        last = Some(observed.model);
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err((
                last,
                Diagnostic::error(
                    "Timed Out Waiting For Logging Configuration",
                    format!(
                        "The {} is still {state} after {:?}. Raise the limit in the `timeouts` block, or apply again later.",
                        subject(prior),
                        ctx.timeout
                    ),
                ),
            ));
        }
        tokio::select! {
            () = tokio::time::sleep(delay.min(deadline - now)) => {}
            () = ctx.cancel.cancelled() => {
                return Err((last, Diagnostic::error("Interrupted", format!("Stopped waiting for the {}.", subject(prior)))));
            }
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[async_trait]
impl Resource<ProviderData> for LoggingConfiguration {
    type Model = LoggingConfigurationModel;

    fn name(&self) -> &'static str {
        "logging_configuration"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn identity(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().string("arn", "The logging configuration's ARN."))
    }

    fn modify_plan(&self, mut req: PlanRequest<'_, ProviderData>) {
        region::plan_region(&mut req);
        tags::plan_tags_all(&mut req);
    }

    async fn create(
        &self,
        ctx: &Context<'_, ProviderData>,
        plan: LoggingConfigurationModel,
    ) -> Result<LoggingConfigurationModel, Failed<LoggingConfigurationModel>> {
        let client = ctx.provider.client(plan.region.as_deref())?;
        let destination = plan
            .destination_configuration
            .first()
            .ok_or_else(|| {
                Diagnostic::unexpected_input("No destination_configuration in the plan")
                    .at(crate::value::Path::attr("destination_configuration"))
            })?
            .to_api()?;
        let send_tags = tags::tags_to_send(
            ctx.provider,
            plan.tags_all
                .as_ref()
                .or(plan.tags.as_ref())
                .unwrap_or(&BTreeMap::new()),
        );
        let out = create_logging_configuration(&client, |b| {
            b.name(plan.name.clone().unwrap_or_default())
                .destination_configuration(destination.clone())
                .set_tags((!send_tags.is_empty()).then(|| send_tags.clone()))
        })
        .await
        .map_err(|e| Failed::nothing_created(explain(&e, &subject(&plan))))?;
        let arn = out.arn().unwrap_or_default().to_owned();
        let created = LoggingConfigurationModel {
            arn: Some(arn.clone()),
            id: Some(arn.clone()),
            state: Some(out.state().map_or("CREATING", |s| s.as_str()).to_owned()),
            tags_all: Some(send_tags.into_iter().collect()),
            ..plan.clone()
        };
        match wait(ctx, &client, &arn, &created).await {
            Ok(Settled::Active(m)) => Ok(*m),
            Ok(Settled::Gone) => Err(Failed::nothing_created(Diagnostic::error(
                "Logging Configuration Disappeared",
                format!(
                    "The {} was deleted while it was being created.",
                    subject(&created)
                ),
            ))),
            // Created but not usable: keep it in state so Terraform taints it instead of leaking it.
            Err((observed, d)) => Err(Failed::with_partial(observed.unwrap_or(created), d)),
        }
    }

    async fn read(
        &self,
        ctx: &Context<'_, ProviderData>,
        state: LoggingConfigurationModel,
    ) -> Result<Option<LoggingConfigurationModel>, Diagnostics> {
        let Some(arn) = state.arn.clone().or_else(|| state.id.clone()) else {
            return Err(
                Diagnostic::unexpected_input("The logging configuration state has no ARN")
                    .at(crate::value::Path::attr("arn"))
                    .into(),
            );
        };
        let region = state
            .region
            .clone()
            .or_else(|| arn.parse::<Arn>().ok().map(|a| a.region));
        let client = ctx.provider.client(region.as_deref())?;
        let prior = LoggingConfigurationModel {
            region,
            ..state.clone()
        };
        match get(ctx.provider, &client, &arn, &prior).await {
            Ok(observed) => Ok(observed.map(|o| o.model)),
            Err(e) => Err(e.diagnostic(&subject(&state)).into()),
        }
    }

    async fn update(
        &self,
        ctx: &Context<'_, ProviderData>,
        prior: LoggingConfigurationModel,
        plan: LoggingConfigurationModel,
    ) -> Result<LoggingConfigurationModel, Failed<LoggingConfigurationModel>> {
        let client = ctx.provider.client(plan.region.as_deref())?;
        let Some(arn) = prior.arn.clone() else {
            return Err(
                Diagnostic::unexpected_input("The logging configuration state has no ARN")
                    .at(crate::value::Path::attr("arn"))
                    .into(),
            );
        };
        let name_changed = plan.name != prior.name;
        let destination_changed = plan.destination_configuration != prior.destination_configuration;
        let mut current = prior.clone();
        if name_changed || destination_changed {
            let destination = match plan.destination_configuration.first() {
                Some(d) if destination_changed => Some(d.to_api()?),
                _ => None,
            };
            client
                .call(Operation::UpdateLoggingConfiguration, |c| {
                    let mut b = c.update_logging_configuration().identifier(arn.clone());
                    if name_changed {
                        b = b.name(plan.name.clone().unwrap_or_default());
                    }
                    b.set_destination_configuration(destination.clone()).send()
                })
                .await
                .map_err(|e| Failed::with_partial(prior.clone(), explain(&e, &subject(&prior))))?;
            match wait(ctx, &client, &arn, &prior).await {
                Ok(Settled::Active(m)) => current = *m,
                Ok(Settled::Gone) => {
                    return Err(Failed::nothing_created(Diagnostic::error(
                        "Logging Configuration Disappeared",
                        format!(
                            "The {} was deleted while it was being updated.",
                            subject(&prior)
                        ),
                    )));
                }
                Err((observed, d)) => {
                    return Err(Failed::with_partial(observed.unwrap_or(prior), d));
                }
            }
        }
        let old_tags = prior.tags_all.clone().unwrap_or_default();
        let new_tags = plan
            .tags_all
            .clone()
            .or_else(|| plan.tags.clone())
            .unwrap_or_default();
        tagging::update_tags(ctx.provider, &client, &arn, &old_tags, &new_tags)
            .await
            .map_err(|e| Failed::with_partial(current.clone(), e.diagnostic(&subject(&prior))))?;
        Ok(LoggingConfigurationModel {
            tags_all: Some(new_tags),
            state: current.state,
            ..plan
        })
    }

    async fn delete(
        &self,
        ctx: &Context<'_, ProviderData>,
        state: LoggingConfigurationModel,
    ) -> Result<(), Diagnostics> {
        let Some(arn) = state.arn.clone() else {
            return Ok(());
        };
        let client = ctx.provider.client(state.region.as_deref())?;
        match client
            .call(Operation::DeleteLoggingConfiguration, |c| {
                c.delete_logging_configuration()
                    .identifier(arn.clone())
                    .send()
            })
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(explain(&e, &subject(&state)).into()),
        }
        match wait(ctx, &client, &arn, &state).await {
            Ok(Settled::Gone) => Ok(()),
            Ok(Settled::Active(_)) => Err(Diagnostic::error(
                "Logging Configuration Not Deleted",
                format!(
                    "The {} is still ACTIVE after it was deleted.",
                    subject(&state)
                ),
            )
            .into()),
            Err((_, d)) => Err(d.into()),
        }
    }

    async fn import(
        &self,
        _ctx: &Context<'_, ProviderData>,
        id: &str,
    ) -> Option<Result<LoggingConfigurationModel, Diagnostics>> {
        Some(
            arn::import_id(
                id,
                Kind::LoggingConfiguration,
                "ivschat_logging_configuration",
            )
            .map(|arn| LoggingConfigurationModel {
                arn: Some(id.to_owned()),
                id: Some(id.to_owned()),
                region: Some(arn.region),
                ..LoggingConfigurationModel::default()
            }),
        )
    }
}

/// The API's diagnostic, with what the two errors specific to logging configurations mean.
fn explain(e: &ApiError, subject: &str) -> Diagnostic {
    let mut d = e.diagnostic(subject);
    match e.kind {
        ErrorKind::Conflict => d.detail.push_str(
            "\n\nA room still uses this logging configuration. Remove it from the rooms' \
             `logging_configuration_identifiers` first; to replace a configuration that rooms use, add \
             `lifecycle { create_before_destroy = true }` to it so the rooms move to the new one before the old \
             one is deleted.",
        ),
        ErrorKind::QuotaExceeded => d.detail.push_str(
            "\n\nAn account has at most 10 logging configurations per region, a limit AWS does not raise. \
             Delete unused configurations, or share one configuration between rooms.",
        ),
        _ => {}
    }
    d
}
