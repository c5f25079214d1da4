//! The IAM actions each Terraform type of this provider needs, mode by mode: the source of the
//! generated `docs/guides/iam.md` (with a minimal policy). `tests/docs.rs` checks that every
//! registered type is listed here and that nothing listed is unknown.

pub use crate::domain::iam::{Kind, Mode, TypeNeeds};
use crate::domain::iam::{mode, mode_when};
use crate::provider::client::Operation;

/// Short for the operation consts each concept declares (`O::GetRoom`).
type O = Operation;

/// Every type's needs, each declared in the type's own file (the data sources' and list
/// resources' here until they move there too). Functions compute locally and call nothing.
pub const NEEDS: &[TypeNeeds] = &[
    crate::resources::room::IAM,
    crate::resources::logging_configuration::IAM,
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
    crate::ephemeral_resources::chat_token::IAM,
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
    crate::actions::send_event::IAM,
    crate::actions::delete_message::IAM,
    crate::actions::disconnect_user::IAM,
    crate::functions::parse_arn::IAM,
    crate::functions::room_arn::IAM,
];

/// Whether `op` acts on one object (its ARN can scope the policy) rather than the account.
pub fn on_one_object(op: Operation) -> bool {
    op.on_one_object()
}

/// Every operation any type needs, once, in the registry's order
/// ([`crate::registration::OPERATIONS`]).
pub fn all_operations() -> Vec<Operation> {
    let needed: Vec<Operation> = NEEDS
        .iter()
        .flat_map(|t| t.modes.iter().flat_map(|m| m.operations.iter().copied()))
        .collect();
    crate::registration::operations()
        .into_iter()
        .filter(|op| needed.contains(op))
        .collect()
}
