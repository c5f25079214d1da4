//! Actions, one file each, registered in [`crate::registration`]: IVS Chat's messaging operations, which change
//! what connected chat clients see without being resources.

pub mod delete_message;
pub mod disconnect_user;
pub mod send_event;

use crate::aws::Lane;
use crate::aws::{ApiError, IvsChat};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{ArnError, ArnKind, IsArn, RoomArn};
use crate::provider::ProviderData;
use crate::schema::{Attribute, LengthBetween};
use crate::server::Context;
use crate::value::Path;

/// The messaging operations' quota (SendEvent, DeleteMessage, DisconnectUser): 100 calls per
/// second each. Each action declares its operation in its own file.
pub const LANE: Lane = Lane {
    name: "messaging",
    quota: 100.0,
    operations: "messaging (SendEvent, DeleteMessage, DisconnectUser)",
};

/// The `room_identifier` argument every action takes.
fn room_identifier() -> Attribute {
    Attribute::string("room_identifier")
        .required()
        .description("ARN of the room, `arn:aws:ivschat:<region>:<account id>:room/<id>` (for example `ivschat_room.example.arn`).")
        .validate(IsArn(ArnKind::Room))
}

/// The optional `reason` argument of moderation actions.
fn reason() -> Attribute {
    Attribute::string("reason")
        .optional()
        .description("Why, shown to the affected clients: 1 to 256 characters.")
        .validate(LengthBetween(1, 256))
}

/// The client for the room's region: the room can only be reached in the region of its ARN.
fn client_for_room(ctx: &Context<'_, ProviderData>, room: &str) -> Result<IvsChat, Diagnostics> {
    let RoomArn(arn) = room.parse().map_err(|e: ArnError| {
        Diagnostic::error("Invalid Room ARN", e.to_string()).at(Path::attr("room_identifier"))
    })?;
    Ok(ctx.client(Some(&arn.region))?)
}

/// The diagnostic of a failed action. An action runs at most once
/// ([`IvsChat::call_at_most_once`]): when its outcome is unknown, the advice says so instead of
/// suggesting a retry.
pub(crate) fn failed(e: &ApiError, subject: &str) -> Diagnostic {
    let mut d = e.diagnostic(subject);
    if e.ambiguous {
        let what = d.detail.split("\n\n").next().unwrap_or_default().to_owned();
        d.detail = format!(
            "{what}\n\nThe outcome is unknown: the action may or may not have taken effect, and it was not \
             retried so that it never happens twice. Check whether it took effect (what the room's clients \
             saw, or CloudTrail) before invoking it again."
        );
    }
    d
}
