//! `ivschat_disconnect_user`: disconnects every connection of one user from a room
//! (DisconnectUser), a moderation step. The user id is sensitive and never logged or shown.

use async_trait::async_trait;
use serde::Deserialize;

use crate::aws::{Operation, Scope, Spec};
use crate::diagnostics::Diagnostics;
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{TypeKind, TypeNeeds, mode};
use crate::provider::ProviderData;
use crate::schema::{Attribute, LengthBetween, Schema};
use crate::server::{Action, Context, Progress};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Action,
    name: "ivschat_disconnect_user",
    modes: &[mode("invoke", &[Operation::DisconnectUser])],
};

#[allow(non_upper_case_globals)]
impl Operation {
    pub const DisconnectUser: Operation = Operation::of(&Spec::new(
        "DisconnectUser",
        super::LANE,
        "disconnect a user from",
        Scope::Object,
    ));
}

/// The operation this action calls, for the registry ([`crate::registration::operations`]).
pub const OPERATIONS: &[Operation] = &[Operation::DisconnectUser];

pub struct DisconnectUser;

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for DisconnectUser {
    const DECLARED: Declared = Declared {
        operations: &[OPERATIONS],
        iam: IAM,
        kinds: &[],
    };
}

/// No `Debug`: the model holds the user id.
#[derive(Deserialize)]
pub struct DisconnectUserModel {
    pub room_identifier: String,
    pub user_id: String,
    pub reason: Option<String>,
}

#[async_trait]
impl Action<ProviderData> for DisconnectUser {
    type Model = DisconnectUserModel;

    fn name(&self) -> &'static str {
        "disconnect_user"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Disconnects every connection of a user from an IVS Chat room (DisconnectUser). Invoke \
             it with `terraform apply -invoke=action.ivschat_disconnect_user.<name>`. Requires \
             Terraform 1.14 or later.",
        )
        .attribute(super::room_identifier())
        .attribute(
            Attribute::string("user_id")
                .required()
                .sensitive()
                .description("ID of the user to disconnect, as given to the chat token: 1 to 128 characters.")
                .validate(LengthBetween(1, 128)),
        )
        .attribute(super::reason())
    }

    async fn invoke(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: DisconnectUserModel,
        progress: &Progress,
    ) -> Result<(), Diagnostics> {
        let client = super::client_for_room(ctx, &config.room_identifier)?;
        progress.report(format!(
            "Disconnecting a user from room {}",
            config.room_identifier
        ));
        client
            .call_at_most_once(Operation::DisconnectUser, |c| {
                c.disconnect_user()
                    .room_identifier(&config.room_identifier)
                    .user_id(&config.user_id)
                    .set_reason(config.reason.clone())
                    .send()
            })
            .await
            .map_err(|e| super::failed(&e, &format!("room {}", config.room_identifier)))?;
        progress.report("Disconnected the user");
        Ok(())
    }
}
