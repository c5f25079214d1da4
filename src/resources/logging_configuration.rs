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

use crate::aws::{
    ApiError, CreateError, ErrorKind, Fresh, IvsChat, LeakSafeCreate, Operation, Read, Share,
    Version, Written, has_marker,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{self, Arn, ArnKind};
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{MARKER_NOTE, TypeKind, TypeNeeds, mode, mode_when};
use crate::domain::listing;
use crate::domain::logging_configuration::{LoggingConfigurationApi, as_got};
use crate::domain::models::DestinationModel;
use crate::domain::names::{NAME_PATTERN, NAME_RULE};
use crate::provider::{ProviderData, region, tags};
use crate::resources::{tagging, timeouts};
use crate::schema::{Attribute, Block, ExactlyOneOf, LengthBetween, Matches, NestedBlock, Schema};
use crate::server::{
    Context, Failed, IdentitySchema, ListRequest, ListResource, Listed, PlanRequest, Resource,
};
use aws_sdk_ivschat::operation::get_logging_configuration::GetLoggingConfigurationOutput;
use aws_sdk_ivschat::types::LoggingConfigurationSummary;

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Resource,
    name: "ivschat_logging_configuration",
    modes: &[
        mode_when(
            "refresh, plan and import",
            &[
                Operation::GetLoggingConfiguration,
                Operation::ListLoggingConfigurations,
            ],
            "ListLoggingConfigurations for refreshes of configurations whose state records a \
             version (denied, those reads use GetLoggingConfiguration)",
        ),
        mode_when(
            "create",
            &[
                Operation::CreateLoggingConfiguration,
                Operation::GetLoggingConfiguration,
                Operation::TagResource,
                Operation::UntagResource,
                Operation::ListLoggingConfigurations,
                Operation::DeleteLoggingConfiguration,
            ],
            MARKER_NOTE,
        ),
        mode_when(
            "update",
            &[
                Operation::UpdateLoggingConfiguration,
                Operation::GetLoggingConfiguration,
                Operation::TagResource,
                Operation::UntagResource,
            ],
            "TagResource and UntagResource only when tags change",
        ),
        mode(
            "delete",
            &[
                Operation::DeleteLoggingConfiguration,
                Operation::GetLoggingConfiguration,
            ],
        ),
    ],
};

pub struct LoggingConfiguration;

/// The configuration a summary shows, shaped as state (`prior` supplies what the API does not
/// hold): what a read answered from it makes.
pub fn from_summary(
    data: &ProviderData,
    client: &IvsChat,
    s: &LoggingConfigurationSummary,
    prior: &LoggingConfigurationModel,
) -> LoggingConfigurationModel {
    observed(data, client, &as_got(s), prior, None).model
}

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for LoggingConfiguration {
    const DECLARED: Declared = Declared {
        operations: &[
            crate::domain::logging_configuration::OPERATIONS,
            crate::aws::tagging::OPERATIONS,
        ],
        iam: IAM,
        kinds: &[ArnKind::LoggingConfiguration],
    };
}

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

/// A CreateLoggingConfiguration on the leak-safe create path ([`IvsChat::create_leak_safe`]):
/// `input` fills in the request (everything but the marker).
struct CreateLoggingConfiguration<F> {
    input: F,
    user_tags: HashMap<String, String>,
}

impl<F> LeakSafeCreate for CreateLoggingConfiguration<F>
where
    F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder
        + Sync,
{
    type Output = CreateLoggingConfigurationOutput;
    const WHAT: &'static str = "logging configuration";
    const CREATE: Operation = Operation::CreateLoggingConfiguration;

    fn user_tags(&self) -> &HashMap<String, String> {
        &self.user_tags
    }

    async fn send(
        &self,
        sdk: aws_sdk_ivschat::Client,
        tags: HashMap<String, String>,
    ) -> Result<CreateLoggingConfigurationOutput, ApiError> {
        (self.input)(sdk.create_logging_configuration())
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(|e| ApiError::from_sdk(Self::CREATE, &e))
    }

    fn arn(output: &CreateLoggingConfigurationOutput) -> Option<&str> {
        output.arn()
    }

    fn tags_mut(
        output: &mut CreateLoggingConfigurationOutput,
    ) -> &mut Option<HashMap<String, String>> {
        &mut output.tags
    }

    fn find_command(&self) -> String {
        "aws ivschat list-logging-configurations".to_owned()
    }

    async fn arns_with_marker(
        &self,
        client: &IvsChat,
        marker: &str,
    ) -> Result<Vec<String>, ApiError> {
        Ok(listing::logging_configurations(client)
            .await?
            .iter()
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

/// CreateLoggingConfiguration that never leaks one nor leaves a marker (see
/// [`IvsChat::create_leak_safe`]).
pub async fn create_logging_configuration<F>(
    client: &IvsChat,
    input: F,
) -> Result<CreateLoggingConfigurationOutput, CreateError<CreateLoggingConfigurationOutput>>
where
    F: Fn(CreateLoggingConfigurationFluentBuilder) -> CreateLoggingConfigurationFluentBuilder
        + Sync,
{
    // The request as the caller fills it in, to read its tags.
    let probe = input(client.sdk().create_logging_configuration());
    let create = CreateLoggingConfiguration {
        user_tags: probe.get_tags().clone().unwrap_or_default(),
        input,
    };
    client.create_leak_safe(&create).await
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
    /// Shows at least the provider's last write (not a lagging older version).
    fresh: bool,
}

/// The configuration as an API answer shows it, shaped as state (`prior` supplies what the API
/// does not hold).
fn observed(
    data: &ProviderData,
    client: &IvsChat,
    out: &GetLoggingConfigurationOutput,
    prior: &LoggingConfigurationModel,
    expected: Option<Written>,
) -> Observed {
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
    Observed {
        state,
        model,
        fresh: expected.is_none_or(|w| w.seen_in(out.update_time())),
    }
}

async fn get(
    data: &ProviderData,
    client: &IvsChat,
    arn: &str,
    prior: &LoggingConfigurationModel,
    expected: Option<Written>,
) -> Result<Option<Observed>, crate::aws::ApiError> {
    match client
        .call(Operation::GetLoggingConfiguration, |c| {
            c.get_logging_configuration().identifier(arn).send()
        })
        .await
    {
        Ok(out) => Ok(Some(observed(data, client, &out, prior, expected))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The configuration as the account holds it after a failed write that may have been carried
/// out, read once reads must show that write: what the state records then. `fallback` (the
/// state as known before the failed call) when it cannot be read in time.
async fn observed_after_failure(
    data: &ProviderData,
    client: &IvsChat,
    arn: &str,
    fallback: &LoggingConfigurationModel,
) -> LoggingConfigurationModel {
    if client
        .settle_unknown_write(Operation::GetLoggingConfiguration)
        .await
        .is_err()
    {
        return fallback.clone();
    }
    match get(data, client, arn, fallback, None).await {
        Ok(Some(o)) => o.model,
        _ => fallback.clone(),
    }
}

enum Settled {
    Active(Box<LoggingConfigurationModel>),
    Gone,
}

/// Reads in a row that must show the settled, fresh configuration before a wait ends: one
/// read could come from a replica that is ahead of the others (hashicorp/aws asks for 2 too).
const CONSECUTIVE_TARGET_READS: u32 = 2;

/// Polls until the configuration settles after the provider's write `expected`: ACTIVE in
/// [`CONSECUTIVE_TARGET_READS`] fresh reads in a row. Not-found and older versions are lag
/// while the write is expected (for at most the lag budget); a failed state ends the wait.
/// Backs off from 250 ms to 5 s (every poll is paced under the 3 TPS quota by the client).
async fn wait(
    ctx: &Context<'_, ProviderData>,
    client: &IvsChat,
    arn: &str,
    prior: &LoggingConfigurationModel,
    expected: Option<Written>,
) -> Result<Settled, (Option<LoggingConfigurationModel>, Diagnostic)> {
    let started = tokio::time::Instant::now();
    let deadline = client.deadline().unwrap_or_else(|| ctx.deadline());
    let mut delay = Duration::from_millis(250);
    let mut last: Option<LoggingConfigurationModel> = None;
    let mut in_a_row = 0;
    loop {
        let observed = get(ctx.provider, client, arn, prior, expected)
            .await
            .map_err(|e| (last.clone(), e.diagnostic(&subject(prior))))?;
        let pending_state = match observed {
            None if expected.is_none() || started.elapsed() > client.read_lag() => {
                return Ok(Settled::Gone);
            }
            // Created or updated a moment ago: reads have not caught up yet.
            None => "not yet readable".to_owned(),
            Some(o) if !o.fresh => {
                in_a_row = 0;
                "not yet showing the change".to_owned()
            }
            Some(o) => {
                if let Some(d) = failed_state(&o.state, &subject(&o.model)) {
                    return Err((Some(o.model), d));
                }
                if o.state == LoggingConfigurationState::Active {
                    in_a_row += 1;
                    if in_a_row >= CONSECUTIVE_TARGET_READS {
                        client.confirm(arn, expected);
                        return Ok(Settled::Active(Box::new(o.model)));
                    }
                } else {
                    in_a_row = 0;
                }
                let state = o.state.as_str().to_owned();
                last = Some(o.model);
                state
            }
        };
        let now = tokio::time::Instant::now();
        let timed_out = || {
            Diagnostic::error(
                "Timed Out Waiting For Logging Configuration",
                format!(
                    "The {} is still {pending_state} after {:.1}s (time limit {:?}). Raise the limit in the \
                     `timeouts` block, or apply again later.",
                    subject(prior),
                    ctx.elapsed().as_secs_f64(),
                    ctx.timeout
                ),
            )
        };
        if now >= deadline {
            return Err((last, timed_out()));
        }
        // The confirming read follows soon: the state is already the target.
        let pause = if in_a_row > 0 {
            Duration::from_millis(500)
        } else {
            delay
        };
        if client
            .pause(
                Operation::GetLoggingConfiguration,
                pause.min(deadline - now),
            )
            .await
            .is_err()
        {
            if ctx.cancel.is_cancelled() {
                return Err((
                    last,
                    Diagnostic::error(
                        "Interrupted",
                        format!("Stopped waiting for the {}.", subject(prior)),
                    ),
                ));
            }
            return Err((last, timed_out()));
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// ARNs of the rooms that reads show using the configuration `arn` (ListRooms filtered by
/// `loggingConfigurationIdentifier`, every page).
async fn rooms_using(client: &IvsChat, arn: &str) -> Result<Vec<String>, crate::aws::ApiError> {
    let filters = listing::RoomFilters {
        logging_configuration_identifier: Some(arn.to_owned()),
        ..listing::RoomFilters::default()
    };
    Ok(listing::rooms(client, &filters)
        .await?
        .iter()
        .filter_map(|r| r.arn().map(str::to_owned))
        .collect())
}

/// DeleteLoggingConfiguration, retried on ConflictException while the rooms that used the
/// configuration are going away (this provider just deleted them or removed the
/// configuration from them, and reads still show the old room). A conflict that persists, or
/// that a room nobody is changing causes, fails naming the rooms.
async fn delete_when_unused(client: &IvsChat, arn: &str, subject: &str) -> Result<(), Diagnostic> {
    let started = tokio::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        let err = match client
            .call(Operation::DeleteLoggingConfiguration, |c| {
                c.delete_logging_configuration().identifier(arn).send()
            })
            .await
        {
            // Not found: gone already, perhaps by an earlier attempt whose answer was lost, so
            // reads may still show it; the caller waits for them as after a delete.
            Ok(_) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) if e.kind == ErrorKind::Conflict => e,
            Err(e) if e.ambiguous => {
                // The delete may have been carried out: read once reads must show it.
                if client
                    .settle_unknown_write(Operation::GetLoggingConfiguration)
                    .await
                    .is_ok()
                {
                    match client
                        .call(Operation::GetLoggingConfiguration, |c| {
                            c.get_logging_configuration().identifier(arn).send()
                        })
                        .await
                    {
                        Err(g) if g.is_not_found() => return Ok(()),
                        Ok(out) if out.state() == Some(&LoggingConfigurationState::Deleting) => {
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                return Err(explain(&e, subject));
            }
            Err(e) => return Err(explain(&e, subject)),
        };
        let users = match rooms_using(client, arn).await {
            Ok(users) => users,
            Err(e) => return Err(e.diagnostic(subject)),
        };
        let going_away = users.iter().all(|room| client.touched(room));
        // Reads of the deleted rooms may lag: retry until they must show the deletes.
        if !going_away || started.elapsed() >= client.read_lag() {
            let mut d = explain(&err, subject);
            if !users.is_empty() {
                d.detail
                    .push_str(&format!("\n\nRooms using it: {}.", users.join(", ")));
            }
            return Err(d);
        }
        if let Err(e) = client
            .pause(
                Operation::DeleteLoggingConfiguration,
                delay.min(client.read_lag().saturating_sub(started.elapsed())),
            )
            .await
        {
            let mut d = e.diagnostic(subject);
            if !users.is_empty() {
                d.detail.push_str(&format!(
                    "\n\nIt was still in use by: {}.",
                    users.join(", ")
                ));
            }
            return Err(d);
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
        let client = ctx.client(plan.region.as_deref())?;
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
        .await;
        let made = |out: &CreateLoggingConfigurationOutput| {
            let arn = out.arn().unwrap_or_default().to_owned();
            LoggingConfigurationModel {
                arn: Some(arn.clone()),
                id: Some(arn),
                state: Some(out.state().map_or("CREATING", |s| s.as_str()).to_owned()),
                tags_all: Some(tags::visible_tags(
                    ctx.provider,
                    out.tags().into_iter().flatten(),
                )),
                ..plan.clone()
            }
        };
        let out = match out {
            Ok(out) => out,
            // Made, but a clean-up step failed: kept in state (tainted), never lost.
            Err(CreateError {
                error,
                created: Some(out),
            }) => {
                if let Some(w) = out
                    .arn()
                    .and_then(|arn| client.record_write(arn, out.update_time()))
                {
                    remember(ctx, w);
                }
                return Err(Failed::with_partial(
                    made(&out),
                    explain(&error, &subject(&plan)),
                ));
            }
            Err(CreateError { error, .. }) => {
                return Err(Failed::nothing_created(explain(&error, &subject(&plan))));
            }
        };
        let created = made(&out);
        let arn = created.arn.clone().unwrap_or_default();
        let written = client.record_write(&arn, out.update_time());
        if let Some(w) = written {
            remember(ctx, w);
        }
        match wait(ctx, &client, &arn, &created, written).await {
            Ok(Settled::Active(m)) => Ok(*m),
            // Created, then not readable for the whole lag budget: keep it (tainted) rather
            // than lose track of an object that may well exist.
            Ok(Settled::Gone) => Err(Failed::with_partial(
                created.clone(),
                Diagnostic::error(
                    "Logging Configuration Disappeared",
                    format!(
                        "The {} was created, but IVS Chat did not show it afterwards.",
                        subject(&created)
                    ),
                ),
            )),
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
        let region = state.region.clone().or_else(|| {
            Arn::parse_kind(&arn, ArnKind::LoggingConfiguration)
                .ok()
                .map(|a| a.region)
        });
        let client = ctx.client(region.as_deref())?;
        let prior = LoggingConfigurationModel {
            region,
            ..state.clone()
        };
        let known = ctx.private::<Written>();
        match client
            .read_listed::<LoggingConfigurationApi>(&arn, known, ctx.private::<Version>())
            .await
        {
            Ok(Read::Listed(s)) => Ok(Some(from_summary(ctx.provider, &client, &s, &prior))),
            Ok(Read::Got(Fresh::Found(out))) => {
                let o = observed(ctx.provider, &client, &out, &prior, known);
                if known.is_some() && o.fresh {
                    // Reads show the write now: later reads need not wait for it.
                    ctx.remove_private::<Written>();
                }
                // The version later reads may take from a listing.
                if let Some(v) = Version::at(out.update_time()) {
                    ctx.set_private(&v);
                }
                Ok(Some(o.model))
            }
            Ok(Read::Got(Fresh::Gone)) => Ok(None),
            Err(e) => Err(e.diagnostic(&subject(&state)).into()),
        }
    }

    async fn update(
        &self,
        ctx: &Context<'_, ProviderData>,
        prior: LoggingConfigurationModel,
        plan: LoggingConfigurationModel,
    ) -> Result<LoggingConfigurationModel, Failed<LoggingConfigurationModel>> {
        let client = ctx.client(plan.region.as_deref())?;
        let Some(arn) = prior.arn.clone() else {
            return Err(
                Diagnostic::unexpected_input("The logging configuration state has no ARN")
                    .at(crate::value::Path::attr("arn"))
                    .into(),
            );
        };
        // The state records what IVS Chat answers. Name and destination are always sent, not
        // only when the plan changes them: a change made out of band after the plan (which a
        // read could still miss while reads lag) is overwritten as the plan showed. Tags are
        // then set against the tags the settled configuration shows, so a tag added out of
        // band is removed as tags_all promised.
        let (current, had) = {
            let destination = match plan.destination_configuration.first() {
                Some(d) => Some(d.to_api()?),
                None => None,
            };
            let out = client
                .call(Operation::UpdateLoggingConfiguration, |c| {
                    c.update_logging_configuration()
                        .identifier(arn.clone())
                        .name(plan.name.clone().unwrap_or_default())
                        .set_destination_configuration(destination.clone())
                        .send()
                })
                .await;
            let out = match out {
                Ok(out) => out,
                Err(e) => {
                    let partial = if e.ambiguous {
                        observed_after_failure(ctx.provider, &client, &arn, &prior).await
                    } else {
                        prior.clone()
                    };
                    return Err(Failed::with_partial(partial, explain(&e, &subject(&prior))));
                }
            };
            let written = client.record_write(&arn, out.update_time());
            if let Some(w) = written {
                remember(ctx, w);
            }
            // The answer's tags are the latest (a read may still lag behind a tag change).
            let answered_tags = out.tags().cloned().unwrap_or_default();
            match wait(ctx, &client, &arn, &plan, written).await {
                Ok(Settled::Active(m)) => (*m, answered_tags),
                Ok(Settled::Gone) => return Err(disappeared(&prior)),
                Err((observed, d)) => {
                    let update_failed = observed.as_ref().is_some_and(|o| {
                        o.state.as_deref() == Some(LoggingConfigurationState::UpdateFailed.as_str())
                    });
                    let partial = match observed {
                        // Not applied: IVS Chat keeps the name and destination it had, which
                        // the state holds; the rest is what it shows.
                        Some(o) if update_failed => LoggingConfigurationModel {
                            name: prior.name.clone(),
                            destination_configuration: prior.destination_configuration.clone(),
                            tags: prior.tags.clone(),
                            tags_all: prior.tags_all.clone(),
                            timeouts: prior.timeouts.clone(),
                            ..o
                        },
                        // Accepted, but not seen settled (reads failed, time ran out): the
                        // state records what UpdateLoggingConfiguration answered (model seed
                        // 2021: the prior name stayed in state after the reads were throttled).
                        observed => {
                            let (tags, tags_all) = tags::tags_from_api(
                                ctx.provider,
                                &answered_tags,
                                prior.tags.as_ref(),
                            );
                            LoggingConfigurationModel {
                                name: Some(out.name().unwrap_or("").to_owned()),
                                destination_configuration: out
                                    .destination_configuration()
                                    .map(DestinationModel::from_api)
                                    .into_iter()
                                    .collect(),
                                state: observed.and_then(|o| o.state).or(prior.state.clone()),
                                tags,
                                tags_all: Some(tags_all),
                                ..prior
                            }
                        }
                    };
                    return Err(Failed::with_partial(partial, d));
                }
            }
        };
        let new_tags = plan
            .tags_all
            .clone()
            .or_else(|| plan.tags.clone())
            .unwrap_or_default();
        if let Err(e) = tagging::update_tags(ctx.provider, &client, &arn, &had, &new_tags).await {
            // One of the tag calls may have gone through (an UntagResource before a failed
            // TagResource, or a lost answer): record the configuration as reads show it once
            // they must show those calls.
            let partial = observed_after_failure(ctx.provider, &client, &arn, &current).await;
            return Err(Failed::with_partial(
                partial,
                e.diagnostic(&subject(&prior)),
            ));
        }
        let set = tagging::tags_after(ctx.provider, &had, &new_tags);
        let (tags, tags_all) = tags::tags_from_api(ctx.provider, &set, plan.tags.as_ref());
        Ok(LoggingConfigurationModel {
            tags,
            tags_all: Some(tags_all),
            ..current
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
        let client = ctx.client(state.region.as_deref())?;
        let subject = subject(&state);
        delete_when_unused(&client, &arn, &subject).await?;
        // Reads may show it ACTIVE (the version before the delete), then DELETING: only
        // not-found ends the wait.
        client
            .wait_gone(
                Operation::GetLoggingConfiguration,
                &arn,
                || {
                    client.call(Operation::GetLoggingConfiguration, |c| {
                        c.get_logging_configuration().identifier(arn.clone()).send()
                    })
                },
                |out| match out.state() {
                    Some(LoggingConfigurationState::DeleteFailed) => Err(ApiError::new(
                        Operation::DeleteLoggingConfiguration,
                        ErrorKind::Other,
                        "IVS Chat could not delete it (state DELETE_FAILED)",
                    )),
                    _ => Ok(()),
                },
            )
            .await
            .map_err(|e| {
                match failed_state(&LoggingConfigurationState::DeleteFailed, &subject) {
                    Some(d) if e.message.contains("DELETE_FAILED") => d,
                    _ => e.diagnostic(&subject),
                }
                .into()
            })
    }

    async fn import(
        &self,
        _ctx: &Context<'_, ProviderData>,
        id: &str,
    ) -> Option<Result<LoggingConfigurationModel, Diagnostics>> {
        Some(
            arn::import_id(
                id,
                ArnKind::LoggingConfiguration,
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

    fn generate_config(
        &self,
        provider: Option<&ProviderData>,
        state: LoggingConfigurationModel,
    ) -> LoggingConfigurationModel {
        generated_config(provider, state)
    }
}

/// Keeps the provider's last write in private state: later reads wait for it, and take the
/// configuration from a listing summary showing this version (a different `updateTime`, say
/// one the settling to ACTIVE moved, is read with Get and recorded then).
/// The configuration was deleted (out of band) while the provider updated it.
fn disappeared(prior: &LoggingConfigurationModel) -> Failed<LoggingConfigurationModel> {
    Failed::nothing_created(Diagnostic::error(
        "Logging Configuration Disappeared",
        format!(
            "The {} was deleted while it was being updated.",
            subject(prior)
        ),
    ))
}

fn remember(ctx: &Context<'_, ProviderData>, w: Written) {
    ctx.set_private(&w);
    ctx.set_private(&Version {
        update_time_ms: w.update_time_ms,
    });
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

/// `list "ivschat_logging_configuration"`: the logging configurations of a region (every page
/// of ListLoggingConfigurations, or the process's shared listing), optionally by name and
/// tags. Full objects come from the summaries, which hold every attribute: no further calls.
///
/// The list resource of this Terraform type: it yields this resource's objects and identity,
/// so it lives in the resource's file.
pub struct LoggingConfigurationList;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingConfigurationListConfig {
    pub name: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
}

fn list_schema() -> Schema {
    Schema::new(
        "Finds IVS Chat logging configurations for `terraform query`, to import them (by \
         identity) or generate their configuration. Without filters, every logging configuration \
         of the region.",
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .description("Only logging configurations with exactly this name.")
            .validate(LengthBetween(0, 128))
            .validate(Matches::new(NAME_PATTERN, NAME_RULE)),
    )
    .attribute(Attribute::string_map("tags").optional().description(
        "Only logging configurations that carry every one of these tags with the same value \
         (other tags allowed).",
    ))
    .attribute(Attribute::string("region").optional().description(
        "The AWS region to list, for example `us-east-1`. Defaults to the provider's region.",
    ))
}

#[async_trait]
impl ListResource<ProviderData> for LoggingConfigurationList {
    type Config = LoggingConfigurationListConfig;
    type Model = LoggingConfigurationModel;

    fn name(&self) -> &'static str {
        "logging_configuration"
    }

    fn schema(&self) -> Schema {
        list_schema()
    }

    async fn list(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: LoggingConfigurationListConfig,
        request: ListRequest,
    ) -> Result<Vec<Listed<LoggingConfigurationModel>>, Diagnostics> {
        let client = ctx.client(config.region.as_deref())?;
        let region = client.region().to_owned();
        let wanted = config.tags.unwrap_or_default();
        let failed = |e: crate::aws::ApiError| {
            e.diagnostic(&format!("the logging configurations of {region}"))
        };
        let all = match client
            .list_shared::<crate::domain::logging_configuration::LoggingConfigurationApi>(
                Share::Join,
            )
            .await
            .map_err(failed)?
        {
            Some(all) => all,
            None => listing::logging_configurations(&client)
                .await
                .map_err(failed)?,
        };
        let mut matching = Vec::new();
        for s in &all {
            let name_ok = config
                .name
                .as_deref()
                .is_none_or(|n| s.name().unwrap_or("") == n);
            if let (Some(arn), true, true) =
                (s.arn(), name_ok, tags::has_all_tags(s.tags(), &wanted))
            {
                matching.push((arn.to_owned(), s));
            }
        }
        let mut found = Vec::new();
        for (arn, summary) in matching.into_iter().take(request.limit) {
            let listed = LoggingConfigurationModel {
                arn: Some(arn.clone()),
                id: Some(arn.clone()),
                name: Some(summary.name().unwrap_or("").to_owned()),
                region: Some(region.clone()),
                ..LoggingConfigurationModel::default()
            };
            let object = if request.full {
                // What a read would make of GetLoggingConfiguration's answer: the summary
                // holds the same fields.
                from_summary(ctx.provider, &client, summary, &listed)
            } else {
                listed
            };
            found.push(Listed {
                display_name: crate::resources::display_name(
                    object.name.as_deref(),
                    &arn,
                    ArnKind::LoggingConfiguration,
                ),
                object,
            });
        }
        Ok(found)
    }
}

/// What this type declares for the registry ([`crate::registration`]): the operations it calls
/// and its IAM needs (the IAM guide).
impl crate::domain::declaration::Declares for LoggingConfigurationList {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::logging_configuration::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::TypeKind::ListResource,
            name: "ivschat_logging_configuration",
            modes: &[crate::domain::iam::mode(
                "list (terraform query)",
                &[crate::aws::Operation::ListLoggingConfigurations],
            )],
        },
        kinds: &[],
    };
}

/// Generated configuration (GenerateResourceConfig: `terraform query -generate-config-out`):
/// what a person would write for the logging configuration `state` describes. The one
/// destination block that is set stays (the others are empty lists, which Terraform writes as
/// no block); empty tags, the provider's own region and timeouts are left out; the server then
/// drops computed attributes (`state`, `arn`) and the empty default name.
fn generated_config(
    provider: Option<&ProviderData>,
    state: LoggingConfigurationModel,
) -> LoggingConfigurationModel {
    LoggingConfigurationModel {
        tags: state.tags.filter(|t| !t.is_empty()),
        region: region::implicit_region_left_out(provider, state.region),
        timeouts: None,
        ..state
    }
}
