//! The IAM actions each Terraform type of this provider needs, mode by mode: the source of the
//! generated `docs/guides/iam.md` (with a minimal policy). `tests/docs.rs` checks that every
//! registered type is listed here and that nothing listed is unknown.

use crate::provider::client::Operation;

/// What a Terraform type is, as the registry groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Resource,
    DataSource,
    EphemeralResource,
    ListResource,
    Action,
    Function,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Resource => "Resource",
            Kind::DataSource => "Data source",
            Kind::EphemeralResource => "Ephemeral resource",
            Kind::ListResource => "List resource",
            Kind::Action => "Action",
            Kind::Function => "Function",
        }
    }
}

/// One mode of a type (`create`, `refresh and plan`, ...) and the API operations it calls.
pub struct Mode {
    pub mode: &'static str,
    pub operations: &'static [Operation],
    /// When the mode needs these operations only in some cases, which.
    pub note: &'static str,
}

/// The IAM needs of one Terraform type.
pub struct TypeNeeds {
    pub kind: Kind,
    /// The type's name (`ivschat_room`), or a function's bare name (`parse_arn`).
    pub name: &'static str,
    pub modes: &'static [Mode],
}

/// Short for the operation consts each concept declares (`O::GetRoom`).
type O = Operation;

const fn mode(mode: &'static str, operations: &'static [Operation]) -> Mode {
    Mode {
        mode,
        operations,
        note: "",
    }
}

const fn mode_when(
    mode: &'static str,
    operations: &'static [Operation],
    note: &'static str,
) -> Mode {
    Mode {
        mode,
        operations,
        note,
    }
}

const MARKER_NOTE: &str = "UntagResource always (the temporary create marker is removed), TagResource always (the marker, and `tags`), the List, Get and Delete calls only after a create whose outcome was unknown (to find, adopt, and delete duplicates). With `create_markers = false`: the create call, and TagResource only with tags";

/// Every type's needs. Functions compute locally and call nothing.
pub const NEEDS: &[TypeNeeds] = &[
    TypeNeeds {
        kind: Kind::Resource,
        name: "ivschat_room",
        modes: &[
            mode("refresh, plan and import", &[O::GetRoom]),
            mode_when(
                "create",
                &[
                    O::CreateRoom,
                    O::TagResource,
                    O::UntagResource,
                    O::ListRooms,
                    O::GetRoom,
                    O::DeleteRoom,
                ],
                MARKER_NOTE,
            ),
            mode_when(
                "update",
                &[O::UpdateRoom, O::TagResource, O::UntagResource],
                "TagResource and UntagResource only when tags change",
            ),
            mode("delete", &[O::DeleteRoom]),
        ],
    },
    TypeNeeds {
        kind: Kind::Resource,
        name: "ivschat_logging_configuration",
        modes: &[
            mode("refresh, plan and import", &[O::GetLoggingConfiguration]),
            mode_when(
                "create",
                &[
                    O::CreateLoggingConfiguration,
                    O::GetLoggingConfiguration,
                    O::TagResource,
                    O::UntagResource,
                    O::ListLoggingConfigurations,
                    O::DeleteLoggingConfiguration,
                ],
                MARKER_NOTE,
            ),
            mode_when(
                "update",
                &[
                    O::UpdateLoggingConfiguration,
                    O::GetLoggingConfiguration,
                    O::TagResource,
                    O::UntagResource,
                ],
                "TagResource and UntagResource only when tags change",
            ),
            mode(
                "delete",
                &[O::DeleteLoggingConfiguration, O::GetLoggingConfiguration],
            ),
        ],
    },
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
    TypeNeeds {
        kind: Kind::EphemeralResource,
        name: "ivschat_chat_token",
        modes: &[mode("open", &[O::CreateChatToken])],
    },
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
    TypeNeeds {
        kind: Kind::Action,
        name: "ivschat_send_event",
        modes: &[mode("invoke", &[O::SendEvent])],
    },
    TypeNeeds {
        kind: Kind::Action,
        name: "ivschat_delete_message",
        modes: &[mode("invoke", &[O::DeleteMessage])],
    },
    TypeNeeds {
        kind: Kind::Action,
        name: "ivschat_disconnect_user",
        modes: &[mode("invoke", &[O::DisconnectUser])],
    },
    TypeNeeds {
        kind: Kind::Function,
        name: "parse_arn",
        modes: &[mode("call", &[])],
    },
    TypeNeeds {
        kind: Kind::Function,
        name: "room_arn",
        modes: &[mode("call", &[])],
    },
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
