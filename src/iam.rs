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

use Operation::*;

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
            mode_when(
                "refresh, plan and import",
                &[GetRoom, ListRooms],
                "ListRooms for refreshes of rooms whose state records a version (it answers 50 \
                 rooms a call; denied, those reads use GetRoom)",
            ),
            mode_when(
                "create",
                &[
                    CreateRoom,
                    TagResource,
                    UntagResource,
                    ListRooms,
                    GetRoom,
                    DeleteRoom,
                ],
                MARKER_NOTE,
            ),
            mode_when(
                "update",
                &[UpdateRoom, TagResource, UntagResource],
                "TagResource and UntagResource only when tags change",
            ),
            mode("delete", &[DeleteRoom]),
        ],
    },
    TypeNeeds {
        kind: Kind::Resource,
        name: "ivschat_logging_configuration",
        modes: &[
            mode_when(
                "refresh, plan and import",
                &[GetLoggingConfiguration, ListLoggingConfigurations],
                "ListLoggingConfigurations for refreshes of configurations whose state records a \
                 version (denied, those reads use GetLoggingConfiguration)",
            ),
            mode_when(
                "create",
                &[
                    CreateLoggingConfiguration,
                    GetLoggingConfiguration,
                    TagResource,
                    UntagResource,
                    ListLoggingConfigurations,
                    DeleteLoggingConfiguration,
                ],
                MARKER_NOTE,
            ),
            mode_when(
                "update",
                &[
                    UpdateLoggingConfiguration,
                    GetLoggingConfiguration,
                    TagResource,
                    UntagResource,
                ],
                "TagResource and UntagResource only when tags change",
            ),
            mode(
                "delete",
                &[DeleteLoggingConfiguration, GetLoggingConfiguration],
            ),
        ],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_room",
        modes: &[mode("read", &[GetRoom])],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_rooms",
        modes: &[mode("read", &[ListRooms])],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_logging_configuration",
        modes: &[mode("read", &[GetLoggingConfiguration])],
    },
    TypeNeeds {
        kind: Kind::DataSource,
        name: "ivschat_logging_configurations",
        modes: &[mode("read", &[ListLoggingConfigurations])],
    },
    TypeNeeds {
        kind: Kind::EphemeralResource,
        name: "ivschat_chat_token",
        modes: &[mode("open", &[CreateChatToken])],
    },
    TypeNeeds {
        kind: Kind::ListResource,
        name: "ivschat_room",
        modes: &[mode_when(
            "list (terraform query)",
            &[ListRooms, GetRoom],
            "GetRoom only with `include_resource = true`",
        )],
    },
    TypeNeeds {
        kind: Kind::ListResource,
        name: "ivschat_logging_configuration",
        modes: &[mode("list (terraform query)", &[ListLoggingConfigurations])],
    },
    TypeNeeds {
        kind: Kind::Action,
        name: "ivschat_send_event",
        modes: &[mode("invoke", &[SendEvent])],
    },
    TypeNeeds {
        kind: Kind::Action,
        name: "ivschat_delete_message",
        modes: &[mode("invoke", &[DeleteMessage])],
    },
    TypeNeeds {
        kind: Kind::Action,
        name: "ivschat_disconnect_user",
        modes: &[mode("invoke", &[DisconnectUser])],
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
    !matches!(
        op,
        ListRooms | ListLoggingConfigurations | CreateRoom | CreateLoggingConfiguration
    )
}

/// Every operation any type needs, once, in a stable order.
pub fn all_operations() -> Vec<Operation> {
    let mut ops: Vec<Operation> = NEEDS
        .iter()
        .flat_map(|t| t.modes.iter().flat_map(|m| m.operations.iter().copied()))
        .collect();
    ops.sort();
    ops.dedup();
    ops
}
