//! The logging configuration: its ARN kind, IVS Chat API operations and quota lane, and the
//! page of its List call. Every type that works on logging configurations uses these.

use aws_sdk_ivschat::operation::list_logging_configurations::ListLoggingConfigurationsOutput;

use super::arn::Kind;
use crate::provider::client::Page;
use crate::provider::operation::{Lane, Operation, Scope, Spec};

#[allow(non_upper_case_globals)]
impl Kind {
    pub const LoggingConfiguration: Kind = Kind {
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

impl Page for ListLoggingConfigurationsOutput {
    fn next_token(&self) -> Option<&str> {
        ListLoggingConfigurationsOutput::next_token(self)
    }
}
