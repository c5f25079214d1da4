//! `list "ivschat_logging_configuration"`: the logging configurations of a region (every page
//! of ListLoggingConfigurations), optionally by name and tags. Full objects cost one
//! GetLoggingConfiguration each (a region has at most 10).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::provider::ProviderData;
use crate::provider::client::Operation;
use crate::resources::logging_configuration::{LoggingConfiguration, LoggingConfigurationModel};
use crate::resources::room::{NAME_PATTERN, NAME_RULE};
use crate::schema::{Attribute, LengthBetween, Matches, Schema};
use crate::server::{Context, ListRequest, ListResource, Listed, Resource};

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
        let mut matching = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = client
                .call(Operation::ListLoggingConfigurations, |c| {
                    c.list_logging_configurations()
                        .max_results(50)
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .map_err(|e| e.diagnostic(&format!("the logging configurations of {region}")))?;
            for s in out.logging_configurations() {
                let name_ok = config
                    .name
                    .as_deref()
                    .is_none_or(|n| s.name().unwrap_or("") == n);
                if let (Some(arn), true, true) =
                    (s.arn(), name_ok, super::has_all_tags(s.tags(), &wanted))
                {
                    matching.push((arn.to_owned(), s.name().unwrap_or("").to_owned()));
                }
            }
            match out.next_token() {
                Some(next) if !next.is_empty() && token.as_deref() != Some(next) => {
                    token = Some(next.to_owned());
                }
                Some(next) if !next.is_empty() => {
                    return Err(Diagnostic::error(
                        "Cannot List Logging Configurations",
                        format!(
                            "IVS Chat ListLoggingConfigurations in {region} returned the same \
                             nextToken twice, so the listing would never end. Try again."
                        ),
                    )
                    .into());
                }
                _ => break,
            }
        }
        let mut found = Vec::new();
        for (arn, name) in matching.into_iter().take(request.limit) {
            let listed = LoggingConfigurationModel {
                arn: Some(arn.clone()),
                id: Some(arn.clone()),
                name: Some(name),
                region: Some(region.clone()),
                ..LoggingConfigurationModel::default()
            };
            let object = if request.full {
                match Resource::read(&LoggingConfiguration, ctx, listed).await? {
                    Some(c) => c,
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
