//! The logging configuration: its ARN kind, IVS Chat API operations and quota lane, and the
//! page of its List call. Every type that works on logging configurations uses these.

use aws_sdk_ivschat::operation::get_logging_configuration::{
    GetLoggingConfigurationError, GetLoggingConfigurationOutput,
};
use aws_sdk_ivschat::operation::list_logging_configurations::{
    ListLoggingConfigurationsError, ListLoggingConfigurationsOutput,
};
use aws_sdk_ivschat::types::LoggingConfigurationSummary;

use super::arn::ArnKind;
use crate::aws::{Lane, Operation, Scope, Spec};
use crate::aws::{ListPage, Listable};

#[allow(non_upper_case_globals)]
impl ArnKind {
    pub const LoggingConfiguration: ArnKind = ArnKind {
        resource: "logging-configuration",
        words: "logging configuration",
        title: "Logging Configuration",
        type_name: "logging_configuration",
    };
}

/// The logging configuration operations' quota: 3 calls per second each.
pub const LANE: Lane = Lane {
    name: "logging_configuration",
    quota: 3.0,
    operations: "logging configuration",
};

#[allow(non_upper_case_globals)]
impl Operation {
    pub const CreateLoggingConfiguration: Operation = Operation::of(&Spec::new(
        "CreateLoggingConfiguration",
        LANE,
        "create",
        Scope::Create,
    ));
    pub const GetLoggingConfiguration: Operation = Operation::of(&Spec::new(
        "GetLoggingConfiguration",
        LANE,
        "read",
        Scope::Object,
    ));
    pub const UpdateLoggingConfiguration: Operation = Operation::of(&Spec::new(
        "UpdateLoggingConfiguration",
        LANE,
        "update",
        Scope::Object,
    ));
    pub const DeleteLoggingConfiguration: Operation = Operation::of(&Spec::new(
        "DeleteLoggingConfiguration",
        LANE,
        "delete",
        Scope::Object,
    ));
    pub const ListLoggingConfigurations: Operation = Operation::of(&Spec::new(
        "ListLoggingConfigurations",
        LANE,
        "list",
        Scope::List,
    ));
}

/// Every logging configuration operation, for the registry
/// ([`crate::registration::operations`]).
pub const OPERATIONS: &[Operation] = &[
    Operation::CreateLoggingConfiguration,
    Operation::GetLoggingConfiguration,
    Operation::UpdateLoggingConfiguration,
    Operation::DeleteLoggingConfiguration,
    Operation::ListLoggingConfigurations,
];

impl ListPage for ListLoggingConfigurationsOutput {
    fn next_token(&self) -> Option<&str> {
        ListLoggingConfigurationsOutput::next_token(self)
    }
}

/// The logging configuration as the client lists and reads it (the [`Listable`] impl); the
/// resource, data sources and list resource read configurations through it.
#[derive(Debug)]
pub struct LoggingConfigurationApi;

type HttpResponse = aws_smithy_runtime_api::http::Response;

/// Logging configurations are listed by ListLoggingConfigurations and read by
/// GetLoggingConfiguration: a summary holds the whole configuration, so refreshes answer from
/// the shared listing when its `updateTime` is the recorded one (see [`crate::aws::IvsChat::read_listed`]).
impl Listable for LoggingConfigurationApi {
    type Summary = LoggingConfigurationSummary;
    type Page = ListLoggingConfigurationsOutput;
    type ListError = ListLoggingConfigurationsError;
    type Got = GetLoggingConfigurationOutput;
    type GetError = GetLoggingConfigurationError;
    const LIST: Operation = Operation::ListLoggingConfigurations;
    const GET: Operation = Operation::GetLoggingConfiguration;

    fn list(
        sdk: aws_sdk_ivschat::Client,
        page_size: i32,
        token: Option<String>,
    ) -> impl std::future::Future<
        Output = Result<
            ListLoggingConfigurationsOutput,
            aws_sdk_ivschat::error::SdkError<ListLoggingConfigurationsError, HttpResponse>,
        >,
    > + Send {
        sdk.list_logging_configurations()
            .max_results(page_size)
            .set_next_token(token)
            .send()
    }

    fn summaries(page: &ListLoggingConfigurationsOutput) -> &[LoggingConfigurationSummary] {
        page.logging_configurations()
    }

    fn summary_arn(s: &LoggingConfigurationSummary) -> Option<&str> {
        s.arn()
    }

    fn summary_update_time(s: &LoggingConfigurationSummary) -> Option<&aws_smithy_types::DateTime> {
        s.update_time()
    }

    fn get(
        sdk: aws_sdk_ivschat::Client,
        arn: String,
    ) -> impl std::future::Future<
        Output = Result<
            GetLoggingConfigurationOutput,
            aws_sdk_ivschat::error::SdkError<GetLoggingConfigurationError, HttpResponse>,
        >,
    > + Send {
        sdk.get_logging_configuration().identifier(arn).send()
    }

    fn got_update_time(got: &GetLoggingConfigurationOutput) -> Option<&aws_smithy_types::DateTime> {
        got.update_time()
    }

    fn names(arn: &str) -> bool {
        ArnKind::LoggingConfiguration.names(arn)
    }
}

/// A summary as GetLoggingConfiguration would answer: it carries every field.
pub fn as_got(s: &LoggingConfigurationSummary) -> GetLoggingConfigurationOutput {
    GetLoggingConfigurationOutput::builder()
        .set_arn(s.arn().map(str::to_owned))
        .set_id(s.id().map(str::to_owned))
        .set_name(s.name().map(str::to_owned))
        .set_create_time(s.create_time().copied())
        .set_update_time(s.update_time().copied())
        .set_destination_configuration(s.destination_configuration().cloned())
        .set_state(s.state().cloned())
        .set_tags(s.tags().cloned())
        .build()
}
