//! The room: its ARN kind, IVS Chat API operations and quota lane, and the page of its List
//! call.
//! Every type that works on rooms (the resource, data sources, list resource) uses these.

use std::future::Future;

use aws_sdk_ivschat::operation::get_room::{GetRoomError, GetRoomOutput};
use aws_sdk_ivschat::operation::list_rooms::{ListRoomsError, ListRoomsOutput};
use aws_sdk_ivschat::types::RoomSummary;

use super::arn::ArnKind;
use crate::aws::{Lane, Operation, Scope, Spec};
use crate::aws::{ListPage, Listable};

#[allow(non_upper_case_globals)]
impl ArnKind {
    pub const Room: ArnKind = ArnKind {
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

impl ListPage for ListRoomsOutput {
    fn next_token(&self) -> Option<&str> {
        ListRoomsOutput::next_token(self)
    }
}

/// The room as the client lists and reads it (the [`Listable`] impl); the resource, data sources
/// and list resource read rooms through it.
#[derive(Debug)]
pub struct RoomApi;

/// Rooms are listed by ListRooms and read by GetRoom: refreshes answer from the shared
/// listing (see [`crate::aws::IvsChat::read_listed`]); a summary lacks only the two maximum values, which
/// UpdateRoom alone changes, moving `updateTime`.
impl Listable for RoomApi {
    type Summary = RoomSummary;
    type Page = ListRoomsOutput;
    type ListError = ListRoomsError;
    type Got = GetRoomOutput;
    type GetError = GetRoomError;
    const LIST: Operation = Operation::ListRooms;
    const GET: Operation = Operation::GetRoom;

    fn list(
        sdk: aws_sdk_ivschat::Client,
        page_size: i32,
        token: Option<String>,
    ) -> impl Future<
        Output = Result<
            ListRoomsOutput,
            aws_sdk_ivschat::error::SdkError<
                ListRoomsError,
                aws_smithy_runtime_api::http::Response,
            >,
        >,
    > + Send {
        sdk.list_rooms()
            .max_results(page_size)
            .set_next_token(token)
            .send()
    }

    fn summaries(page: &ListRoomsOutput) -> &[RoomSummary] {
        page.rooms()
    }

    fn summary_arn(s: &RoomSummary) -> Option<&str> {
        s.arn()
    }

    fn summary_update_time(s: &RoomSummary) -> Option<&aws_smithy_types::DateTime> {
        s.update_time()
    }

    fn get(
        sdk: aws_sdk_ivschat::Client,
        arn: String,
    ) -> impl Future<
        Output = Result<
            GetRoomOutput,
            aws_sdk_ivschat::error::SdkError<GetRoomError, aws_smithy_runtime_api::http::Response>,
        >,
    > + Send {
        sdk.get_room().identifier(arn).send()
    }

    fn got_update_time(got: &GetRoomOutput) -> Option<&aws_smithy_types::DateTime> {
        got.update_time()
    }

    fn names(arn: &str) -> bool {
        ArnKind::Room.names(arn)
    }
}
