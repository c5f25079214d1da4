//! `ivschat_logging_configurations`: every logging configuration of a region, with state and
//! destination (ListLoggingConfigurations, every page).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ivschat::types::LoggingConfigurationSummary;
use serde::{Deserialize, Serialize};

use super::common;
use super::logging_configuration::computed_attributes;
use crate::aws::{ApiError, Share};
use crate::diagnostics::Diagnostics;
use crate::domain::listing;
use crate::domain::logging_configuration::LoggingConfigurationApi;
use crate::domain::models::DestinationModel;
use crate::provider::ProviderData;
use crate::schema::{Attribute, Schema};
use crate::server::{Context, DataSource};

pub struct LoggingConfigurationsDataSource;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingConfigurationsDataSourceModel {
    pub region: Option<String>,
    pub logging_configurations: Vec<SummaryModel>,
    pub arns: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryModel {
    pub arn: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
    pub state: Option<String>,
    pub destination_configuration: Vec<DestinationModel>,
    pub tags: BTreeMap<String, String>,
}

fn schema() -> Schema {
    let mut attributes = vec![
        Attribute::string("arn")
            .computed()
            .description("The logging configuration's ARN."),
    ];
    attributes.extend(computed_attributes());
    Schema::new(
        "All the IVS Chat logging configurations of a region, with their state and destination. \
         None is not an error: the lists are then empty.",
    )
    .attribute(common::list_region_attribute())
    .attribute(common::object_list(
        "logging_configurations",
        "The logging configurations, in the API's order: most recently updated first.",
        attributes,
    ))
    .attribute(
        Attribute::string_list("arns")
            .computed()
            .description("Their ARNs, in the order of `logging_configurations`."),
    )
}

fn summary(data: &ProviderData, s: &LoggingConfigurationSummary) -> SummaryModel {
    SummaryModel {
        arn: s.arn().map(str::to_owned),
        id: s.id().map(str::to_owned),
        name: Some(s.name().unwrap_or("").to_owned()),
        create_time: common::timestamp(s.create_time()),
        update_time: common::timestamp(s.update_time()),
        state: s.state().map(|s| s.as_str().to_owned()),
        destination_configuration: common::destination(s.destination_configuration()),
        tags: common::clean_tags(data, s.tags()),
    }
}

#[async_trait]
impl DataSource<ProviderData> for LoggingConfigurationsDataSource {
    type Model = LoggingConfigurationsDataSourceModel;

    fn name(&self) -> &'static str {
        "logging_configurations"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: LoggingConfigurationsDataSourceModel,
    ) -> Result<LoggingConfigurationsDataSourceModel, Diagnostics> {
        let client = ctx.client(config.region.as_deref())?;
        // Read-your-writes: configurations this provider just created or changed are listed as
        // they are.
        client
            .settle_writes::<LoggingConfigurationApi>()
            .await
            .map_err(|e| e.diagnostic("logging configurations"))?;
        let failed = |e: ApiError| {
            e.diagnostic(&format!(
                "the logging configurations of {}",
                client.region()
            ))
        };
        // The process's shared listing (the one refreshes use) when it can answer.
        let all = match client
            .list_shared::<LoggingConfigurationApi>(Share::Join)
            .await
            .map_err(failed)?
        {
            Some(all) => all,
            None => listing::logging_configurations(&client)
                .await
                .map_err(failed)?,
        };
        let found: Vec<_> = all.iter().map(|s| summary(ctx.provider, s)).collect();
        Ok(LoggingConfigurationsDataSourceModel {
            arns: found.iter().filter_map(|c| c.arn.clone()).collect(),
            logging_configurations: found,
            region: Some(client.region().to_owned()),
        })
    }
}

/// What this type declares for the registry ([`crate::registration`]): the operations it calls
/// and its IAM needs (the IAM guide).
impl crate::domain::declaration::Declares for LoggingConfigurationsDataSource {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::logging_configuration::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::TypeKind::DataSource,
            name: "ivschat_logging_configurations",
            modes: &[crate::domain::iam::mode(
                "read",
                &[crate::aws::Operation::ListLoggingConfigurations],
            )],
        },
        kinds: &[],
    };
}
