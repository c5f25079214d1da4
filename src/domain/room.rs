//! The room: its ARN kind, IVS Chat API operations and quota lane, and the page of its List
//! call.
//! Every type that works on rooms (the resource, data sources, list resource) uses these.

use aws_sdk_ivschat::operation::list_rooms::ListRoomsOutput;

use super::arn::Kind;
use crate::provider::client::Page;
use crate::provider::operation::{Lane, Operation, Scope, Spec};

#[allow(non_upper_case_globals)]
impl Kind {
    pub const Room: Kind = Kind {
        resource: "room",
        words: "room",
        title: "Room",
        type_name: "room",
    };
}

/// The room operations' quota: 5 calls per second each.
pub const LANE: Lane = Lane {
    name: "room",
    quota: 5.0,
    operations: "room (CreateRoom, GetRoom, UpdateRoom, DeleteRoom, ListRooms)",
};

#[allow(non_upper_case_globals)]
impl Operation {
    pub const CreateRoom: Operation =
        Operation::of(&Spec::new("CreateRoom", LANE, "create", Scope::Create));
    pub const GetRoom: Operation =
        Operation::of(&Spec::new("GetRoom", LANE, "read", Scope::Object));
    pub const UpdateRoom: Operation =
        Operation::of(&Spec::new("UpdateRoom", LANE, "update", Scope::Object));
    pub const DeleteRoom: Operation =
        Operation::of(&Spec::new("DeleteRoom", LANE, "delete", Scope::Object));
    pub const ListRooms: Operation =
        Operation::of(&Spec::new("ListRooms", LANE, "list", Scope::List));
}

/// Every room operation, for the registry ([`crate::registration::operations`]).
pub const OPERATIONS: &[Operation] = &[
    Operation::CreateRoom,
    Operation::GetRoom,
    Operation::UpdateRoom,
    Operation::DeleteRoom,
    Operation::ListRooms,
];

impl Page for ListRoomsOutput {
    fn next_token(&self) -> Option<&str> {
        ListRoomsOutput::next_token(self)
    }
}
