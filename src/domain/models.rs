//! The object shapes that resources, data sources, list resources and migrations share: a
//! room's message review handler and a logging configuration's destination.

use aws_sdk_ivschat::types::{
    CloudWatchLogsDestinationConfiguration, DestinationConfiguration, FallbackResult,
    FirehoseDestinationConfiguration, MessageReviewHandler, S3DestinationConfiguration,
};
use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;

/// A room's `message_review_handler` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HandlerModel {
    pub uri: Option<String>,
    pub fallback_result: Option<String>,
}

impl HandlerModel {
    /// An empty uri is how the API detaches a handler.
    pub fn is_detached(&self) -> bool {
        self.uri.as_deref().unwrap_or("").is_empty()
    }

    pub fn to_api(&self) -> MessageReviewHandler {
        MessageReviewHandler::builder()
            .uri(self.uri.clone().unwrap_or_default())
            .fallback_result(FallbackResult::from(
                self.fallback_result.as_deref().unwrap_or("ALLOW"),
            ))
            .build()
    }

    /// The handler the API returned; `None` when none is attached (no uri or an empty one).
    pub fn from_api(h: Option<&MessageReviewHandler>) -> Option<HandlerModel> {
        let h = h?;
        let uri = h.uri().unwrap_or("");
        if uri.is_empty() {
            return None;
        }
        Some(HandlerModel {
            uri: Some(uri.to_owned()),
            fallback_result: Some(
                h.fallback_result()
                    .map_or("ALLOW", |f| f.as_str())
                    .to_owned(),
            ),
        })
    }
}

/// A logging configuration's `destination_configuration` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DestinationModel {
    pub s3: Vec<S3Model>,
    pub cloudwatch_logs: Vec<CloudWatchLogsModel>,
    pub firehose: Vec<FirehoseModel>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct S3Model {
    pub bucket_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudWatchLogsModel {
    pub log_group_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FirehoseModel {
    pub delivery_stream_name: String,
}

impl DestinationModel {
    pub fn from_api(d: &DestinationConfiguration) -> DestinationModel {
        let mut m = DestinationModel::default();
        match d {
            DestinationConfiguration::S3(s) => m.s3.push(S3Model {
                bucket_name: s.bucket_name().to_owned(),
            }),
            DestinationConfiguration::CloudWatchLogs(c) => {
                m.cloudwatch_logs.push(CloudWatchLogsModel {
                    log_group_name: c.log_group_name().to_owned(),
                })
            }
            DestinationConfiguration::Firehose(f) => m.firehose.push(FirehoseModel {
                delivery_stream_name: f.delivery_stream_name().to_owned(),
            }),
            _ => {}
        }
        m
    }

    pub fn to_api(&self) -> Result<DestinationConfiguration, Diagnostic> {
        let built = if let Some(s) = self.s3.first() {
            S3DestinationConfiguration::builder()
                .bucket_name(&s.bucket_name)
                .build()
                .map(DestinationConfiguration::S3)
        } else if let Some(c) = self.cloudwatch_logs.first() {
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name(&c.log_group_name)
                .build()
                .map(DestinationConfiguration::CloudWatchLogs)
        } else if let Some(f) = self.firehose.first() {
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name(&f.delivery_stream_name)
                .build()
                .map(DestinationConfiguration::Firehose)
        } else {
            // Validation requires exactly one; only a plan Terraform did not validate lacks it.
            return Err(Diagnostic::unexpected_input(
                "destination_configuration has no destination",
            )
            .at(crate::value::Path::attr("destination_configuration").join_index(0)));
        };
        built.map_err(Diagnostic::bug)
    }
}
