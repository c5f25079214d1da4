//! `ivschat_logging_configuration`: one logging configuration by ARN, with its state and
//! destination. A missing configuration is an error naming the ARN.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::common;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{ArnKind, IsArn};
use crate::domain::models::DestinationModel;
use crate::provider::ProviderData;
use aws_sdk_ivschat::operation::get_logging_configuration::GetLoggingConfigurationOutput;

use crate::aws::{ApiError, ErrorKind, Fresh, Operation, Share};
use crate::domain::logging_configuration::{LoggingConfigurationApi, as_got};
use crate::schema::{Attribute, Schema};
use crate::server::{Context, DataSource};

pub struct LoggingConfigurationDataSource;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingConfigurationDataSourceModel {
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
    pub state: Option<String>,
    pub destination_configuration: Vec<DestinationModel>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
}

pub const STATE_DESCRIPTION: &str = "Where the configuration is in its life: `ACTIVE` once \
    usable; `CREATING`, `UPDATING` and `DELETING` while it settles; `CREATE_FAILED`, \
    `UPDATE_FAILED`, `DELETE_FAILED` when IVS Chat could not complete the change.";

/// The attributes of a logging configuration as the data sources return it (without `arn`).
pub fn computed_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("id")
            .computed()
            .description("The logging configuration's ID: the 12 characters that end its ARN."),
        Attribute::string("name")
            .computed()
            .description("The logging configuration's name (empty when it has none)."),
        common::time_attribute(
            "create_time",
            "When the logging configuration was created, as an RFC 3339 timestamp.",
        ),
        common::time_attribute(
            "update_time",
            "When the logging configuration was last changed, as an RFC 3339 timestamp.",
        ),
        Attribute::string("state")
            .computed()
            .description(STATE_DESCRIPTION),
        common::destination_attribute(),
        common::tags_attribute("The logging configuration's tags."),
    ]
}

fn schema() -> Schema {
    let mut schema = Schema::new(
        "One IVS Chat logging configuration, by ARN, with its state and destination. Fails when \
         no logging configuration has that ARN.",
    )
    .attribute(
        Attribute::string("arn")
            .required()
            .description(
                "The logging configuration's ARN, \
                 `arn:aws:ivschat:<region>:<account id>:logging-configuration/<id>`. It is read \
                 in the ARN's region.",
            )
            .validate(IsArn(ArnKind::LoggingConfiguration)),
    );
    for a in computed_attributes() {
        schema = schema.attribute(a);
    }
    schema.attribute(common::arn_region_attribute())
}

#[async_trait]
impl DataSource<ProviderData> for LoggingConfigurationDataSource {
    type Model = LoggingConfigurationDataSourceModel;

    fn name(&self) -> &'static str {
        "logging_configuration"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: LoggingConfigurationDataSourceModel,
    ) -> Result<LoggingConfigurationDataSourceModel, Diagnostics> {
        let Some(arn) = config.arn.clone() else {
            return Err(Diagnostic::unexpected_input(
                "ivschat_logging_configuration read without an arn (a required attribute)",
            )
            .at(crate::value::Path::attr("arn"))
            .into());
        };
        let client = common::client_for_arn(
            ctx,
            &arn,
            ArnKind::LoggingConfiguration,
            config.region.as_deref(),
        )?;
        // Read-your-writes: a configuration this provider just created or updated is waited for.
        let failed = |e: &ApiError| {
            common::get_failed(e, ArnKind::LoggingConfiguration, &arn, client.region())
        };
        // A complete listing of this process (which wrote no configuration)
        // answers without a call; otherwise, or when it does not show the ARN, Get.
        let listed = client
            .list_shared::<LoggingConfigurationApi>(Share::IfComplete)
            .await
            .map_err(|e| failed(&e))?
            .and_then(|all| all.into_iter().find(|s| s.arn() == Some(arn.as_str())));
        if let Some(s) = listed {
            return Ok(model(ctx, &arn, &client, &as_got(&s)));
        }
        let out = match client
            .read_fresh::<LoggingConfigurationApi>(&arn, None)
            .await
        {
            Ok(Fresh::Found(out)) => out,
            Ok(Fresh::Gone) => {
                let e = ApiError::new(
                    Operation::GetLoggingConfiguration,
                    ErrorKind::NotFound,
                    "not found",
                );
                return Err(failed(&e).into());
            }
            Err(e) => return Err(failed(&e).into()),
        };
        Ok(model(ctx, &arn, &client, &out))
    }
}

fn model(
    ctx: &Context<'_, ProviderData>,
    arn: &str,
    client: &crate::aws::IvsChat,
    out: &GetLoggingConfigurationOutput,
) -> LoggingConfigurationDataSourceModel {
    LoggingConfigurationDataSourceModel {
        arn: Some(arn.to_owned()),
        id: out.id().map(str::to_owned),
        name: Some(out.name().unwrap_or("").to_owned()),
        create_time: common::timestamp(out.create_time()),
        update_time: common::timestamp(out.update_time()),
        state: out.state().map(|s| s.as_str().to_owned()),
        destination_configuration: common::destination(out.destination_configuration()),
        tags: Some(common::clean_tags(ctx.provider, out.tags())),
        region: Some(client.region().to_owned()),
    }
}

/// What this type declares for the registry ([`crate::registration`]): the operations it calls
/// and its IAM needs (the IAM guide).
impl crate::domain::declaration::Declares for LoggingConfigurationDataSource {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::logging_configuration::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::TypeKind::DataSource,
            name: "ivschat_logging_configuration",
            modes: &[crate::domain::iam::mode(
                "read",
                &[crate::aws::Operation::GetLoggingConfiguration],
            )],
        },
        kinds: &[],
    };
}
