//! `list "ivschat_logging_configuration"`: the logging configurations of a region (every page
//! of ListLoggingConfigurations, or the process's shared listing), optionally by name and
//! tags. Full objects come from the summaries, which hold every attribute: no further calls.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;
use crate::domain::listing;
use crate::domain::names::{NAME_PATTERN, NAME_RULE};
use crate::provider::ProviderData;
use crate::provider::client::Share;
use crate::provider::tags;
use crate::resources::logging_configuration::{self as resource, LoggingConfigurationModel};
use crate::schema::{Attribute, LengthBetween, Matches, Schema};
use crate::server::{Context, ListRequest, ListResource, Listed};

pub struct LoggingConfigurationList;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingConfigurationListConfig {
    pub name: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
}

fn schema() -> Schema {
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
        schema()
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
        let failed = |e: crate::provider::client::ApiError| {
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
                resource::from_summary(ctx.provider, &client, summary, &listed)
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
impl crate::domain::declaration::Declares for LoggingConfigurationList {
    const DECLARED: crate::domain::declaration::Declared = crate::domain::declaration::Declared {
        operations: &[crate::domain::logging_configuration::OPERATIONS],
        iam: crate::domain::iam::TypeNeeds {
            kind: crate::domain::iam::Kind::ListResource,
            name: "ivschat_logging_configuration",
            modes: &[crate::domain::iam::mode(
                "list (terraform query)",
                &[crate::provider::Operation::ListLoggingConfigurations],
            )],
        },
        kinds: &[],
    };
}
