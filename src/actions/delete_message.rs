//! `ivschat_delete_message`: removes a message from every connected client's view of a room
//! (DeleteMessage), a moderation step.

use async_trait::async_trait;
use serde::Deserialize;

use crate::aws::{Operation, Scope, Spec};
use crate::diagnostics::Diagnostics;
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{TypeKind, TypeNeeds, mode};
use crate::provider::ProviderData;
use crate::schema::{Attribute, LengthBetween, Matches, Schema};
use crate::server::{Action, Context, Progress};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Action,
    name: "ivschat_delete_message",
    modes: &[mode("invoke", &[Operation::DeleteMessage])],
};

#[allow(non_upper_case_globals)]
impl Operation {
    pub const DeleteMessage: Operation = Operation::of(&Spec::new(
        "DeleteMessage",
        super::LANE,
        "delete a message in",
        Scope::Object,
    ));
}

/// The operation this action calls, for the registry ([`crate::registration::operations`]).
pub const OPERATIONS: &[Operation] = &[Operation::DeleteMessage];

pub struct DeleteMessage;

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for DeleteMessage {
    const DECLARED: Declared = Declared {
        operations: &[OPERATIONS],
        iam: IAM,
        kinds: &[],
    };
}

#[derive(Deserialize)]
pub struct DeleteMessageModel {
    pub room_identifier: String,
    pub id: String,
    pub reason: Option<String>,
}

#[async_trait]
impl Action<ProviderData> for DeleteMessage {
    type Model = DeleteMessageModel;

    fn name(&self) -> &'static str {
        "delete_message"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Tells every client connected to an IVS Chat room to delete a message (DeleteMessage). \
             Invoke it with `terraform apply -invoke=action.ivschat_delete_message.<name>`. Requires \
             Terraform 1.14 or later.",
        )
        .attribute(super::room_identifier())
        .attribute(
            Attribute::string("id")
                .required()
                .description("ID of the message, the `Id` a client received with it: 12 letters and digits.")
                .validate(LengthBetween(12, 12))
                .validate(Matches::new("[a-zA-Z0-9]+", "contain only letters and digits")),
        )
        .attribute(super::reason())
    }

    async fn invoke(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: DeleteMessageModel,
        progress: &Progress,
    ) -> Result<(), Diagnostics> {
        let client = super::client_for_room(ctx, &config.room_identifier)?;
        progress.report(format!(
            "Deleting message {} in room {}",
            config.id, config.room_identifier
        ));
        client
            .call_at_most_once(Operation::DeleteMessage, |c| {
                c.delete_message()
                    .room_identifier(&config.room_identifier)
                    .id(&config.id)
                    .set_reason(config.reason.clone())
                    .send()
            })
            .await
            .map_err(|e| {
                super::failed(
                    &e,
                    &format!("message {} in room {}", config.id, config.room_identifier),
                )
            })?;
        progress.report(format!("Deleted message {}", config.id));
        Ok(())
    }
}
