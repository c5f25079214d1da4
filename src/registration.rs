//! The provider and every Terraform type it serves: the one place that names the type folders,
//! so that [`crate::provider`] never imports them. A new type is one file in its folder plus one
//! line in that folder's `all()` (resources: here, wrapped with their migrations).
//!
//! The IVS Chat API operations are registered here too ([`OPERATIONS`]): each is declared as
//! a const of [`Operation`] beside its concept (a new object type: in its own file, or in
//! [`crate::domain`] once several types share it), with its quota lane ([`Lane`]). The
//! provider's `rate_limits` block gets one attribute per lane ([`lanes`]) and the IAM guide
//! lists the operations in this order. Each type's IAM needs, declared in its file, are listed
//! in [`NEEDS`].

use async_trait::async_trait;

use crate::diagnostics::Diagnostics;
use crate::domain::iam::{Kind, TypeNeeds, mode, mode_when};
use crate::provider::{self, Lane, Operation, ProviderData, tags};
use crate::schema::Schema;
use crate::server::{
    DynAction, DynDataSource, DynEphemeralResource, DynListResource, DynResource, Function,
    Provider,
};
use crate::value::Value;
use crate::{
    actions, data_sources, domain, ephemeral_resources, functions, list_resources, migrations,
    resources,
};

/// Every IVS Chat API operation the registered types call, each declared beside the concept it
/// belongs to. The IAM guide lists them in this order; the provider's `rate_limits` block has
/// one attribute per quota lane among them ([`lanes`]).
pub const OPERATIONS: &[&[Operation]] = &[
    domain::room::OPERATIONS,
    domain::logging_configuration::OPERATIONS,
    tags::OPERATIONS,
    ephemeral_resources::chat_token::OPERATIONS,
    actions::send_event::OPERATIONS,
    actions::delete_message::OPERATIONS,
    actions::disconnect_user::OPERATIONS,
];

/// Short for the operation consts each concept declares (`O::GetRoom`).
type O = Operation;

/// Every type's needs, each declared in the type's own file (the data sources' and list
/// resources' here until they move there too). Functions compute locally and call nothing.
pub const NEEDS: &[TypeNeeds] = &[
    resources::room::IAM,
    resources::logging_configuration::IAM,
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_room",
        modes: &[mode("read", &[O::GetRoom])],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_rooms",
        modes: &[mode("read", &[O::ListRooms])],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_logging_configuration",
        modes: &[mode("read", &[O::GetLoggingConfiguration])],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_logging_configurations",
        modes: &[mode("read", &[O::ListLoggingConfigurations])],
    },
    ephemeral_resources::chat_token::IAM,
    TypeNeeds {
        kind: Kind::ListResource,
        name: "ivschat_room",
        modes: &[mode_when(
            "list (terraform query)",
            &[O::ListRooms, O::GetRoom],
            "GetRoom only with `include_resource = true`",
        )],
    },
    TypeNeeds {
        kind: Kind::ListResource,
        name: "ivschat_logging_configuration",
        modes: &[mode_when(
            "list (terraform query)",
            &[O::ListLoggingConfigurations, O::GetLoggingConfiguration],
            "GetLoggingConfiguration only with `include_resource = true`",
        )],
    },
    actions::send_event::IAM,
    actions::delete_message::IAM,
    actions::disconnect_user::IAM,
    functions::parse_arn::IAM,
    functions::room_arn::IAM,
];

/// Every registered operation, once, in registry order.
pub fn operations() -> Vec<Operation> {
    let mut all: Vec<Operation> = Vec::new();
    for op in OPERATIONS.iter().flat_map(|ops| ops.iter()) {
        if !all.contains(op) {
            all.push(*op);
        }
    }
    all
}

/// The quota lanes of the registered operations, in registry order.
pub fn lanes() -> Vec<Lane> {
    provider::operation::lanes_of(OPERATIONS.iter().flat_map(|ops| ops.iter()))
}

/// The IVS Chat provider.
#[derive(Debug, Default)]
pub struct IvschatProvider;

#[async_trait]
impl Provider for IvschatProvider {
    type Data = ProviderData;

    fn type_prefix(&self) -> &'static str {
        "ivschat"
    }

    fn schema(&self) -> Schema {
        provider::provider_schema(&lanes())
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        provider::validate_config(config, &lanes(), diags);
    }

    async fn configure(&self, config: &Value) -> Result<ProviderData, Diagnostics> {
        provider::configure(config)
    }

    fn resources(&self) -> Vec<Box<dyn DynResource<ProviderData>>> {
        vec![
            Box::new(migrations::Migrated(resources::room::Room)),
            Box::new(migrations::Migrated(
                resources::logging_configuration::LoggingConfiguration,
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<ProviderData>>> {
        data_sources::all()
    }

    fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<ProviderData>>> {
        ephemeral_resources::all()
    }

    fn actions(&self) -> Vec<Box<dyn DynAction<ProviderData>>> {
        actions::all()
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        functions::all()
    }

    fn list_resources(&self) -> Vec<Box<dyn DynListResource<ProviderData>>> {
        list_resources::all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::config::RateLimits;

    #[test]
    fn every_operation_has_a_class_name_and_verb() {
        let all = [
            Operation::CreateRoom,
            Operation::GetRoom,
            Operation::UpdateRoom,
            Operation::DeleteRoom,
            Operation::ListRooms,
            Operation::CreateLoggingConfiguration,
            Operation::GetLoggingConfiguration,
            Operation::UpdateLoggingConfiguration,
            Operation::DeleteLoggingConfiguration,
            Operation::ListLoggingConfigurations,
            Operation::TagResource,
            Operation::UntagResource,
            Operation::ListTagsForResource,
            Operation::CreateChatToken,
            Operation::SendEvent,
            Operation::DeleteMessage,
            Operation::DisconnectUser,
        ];
        // The registry lists each exactly once, in this order.
        assert_eq!(operations(), all);
        let rates = RateLimits::default();
        for op in all {
            assert!(!op.verb().is_empty());
            let expected = match op.name() {
                n if n.contains("LoggingConfiguration") => 3.0,
                n if n.contains("Room") && n != "DeleteMessage" => 5.0,
                "TagResource" | "UntagResource" | "ListTagsForResource" => 10.0,
                "CreateChatToken" => 200.0,
                _ => 100.0,
            };
            assert_eq!(op.lane().rate(&rates), expected, "{op}");
        }
    }
}
