//! `ivschat_send_event`: sends an application-defined event to every client connected to a room
//! (SendEvent), for example to tell clients to reload after the room's settings changed.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use serde::Deserialize;

use crate::aws::{Operation, Scope, Spec};
use crate::diagnostics::Diagnostics;
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{TypeKind, TypeNeeds, mode};
use crate::provider::ProviderData;
use crate::schema::{Attribute, LengthBetween, Schema, custom};
use crate::server::{Action, Context, Progress};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::Action,
    name: "ivschat_send_event",
    modes: &[mode("invoke", &[Operation::SendEvent])],
};

#[allow(non_upper_case_globals)]
impl Operation {
    pub const SendEvent: Operation = Operation::of(&Spec::new(
        "SendEvent",
        super::LANE,
        "send an event to",
        Scope::Object,
    ));
}

/// The operation this action calls, for the registry ([`crate::registration::operations`]).
pub const OPERATIONS: &[Operation] = &[Operation::SendEvent];

pub struct SendEvent;

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for SendEvent {
    const DECLARED: Declared = Declared {
        operations: &[OPERATIONS],
        iam: IAM,
        kinds: &[],
    };
}

#[derive(Deserialize)]
pub struct SendEventModel {
    pub room_identifier: String,
    pub event_name: String,
    pub attributes: Option<BTreeMap<String, String>>,
}

/// The most bytes event attributes may hold, keys and values together.
const MAX_ATTRIBUTE_BYTES: usize = 1024;

#[async_trait]
impl Action<ProviderData> for SendEvent {
    type Model = SendEventModel;

    fn name(&self) -> &'static str {
        "send_event"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Sends an application-defined event to every client connected to an IVS Chat room \
             (SendEvent). Invoke it with `terraform apply -invoke=action.ivschat_send_event.<name>`, \
             or from a resource's `action_trigger`, for example to tell clients to reload after a \
             room update. Requires Terraform 1.14 or later.",
        )
        .attribute(super::room_identifier())
        .attribute(
            Attribute::string("event_name")
                .required()
                .description("Application-defined name of the event: 1 to 100 characters.")
                .validate(LengthBetween(1, 100)),
        )
        .attribute(
            Attribute::string_map("attributes")
                .optional()
                .description("Application-defined metadata sent with the event, at most 1 KB in all.")
                .validate(custom("hold at most 1024 bytes (keys and values together)", |v| {
                    let bytes: usize = v
                        .entries()
                        .map(|m| m.iter().map(|(k, v)| k.len() + v.as_str().map_or(0, str::len)).sum())
                        .unwrap_or(0);
                    if bytes > MAX_ATTRIBUTE_BYTES { Err(format!("{bytes} bytes")) } else { Ok(()) }
                })),
        )
    }

    async fn invoke(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: SendEventModel,
        progress: &Progress,
    ) -> Result<(), Diagnostics> {
        let client = super::client_for_room(ctx, &config.room_identifier)?;
        progress.report(format!(
            "Sending event {:?} to room {}",
            config.event_name, config.room_identifier
        ));
        let attributes: Option<HashMap<String, String>> =
            config.attributes.map(|a| a.into_iter().collect());
        let out = client
            .call_at_most_once(Operation::SendEvent, |c| {
                c.send_event()
                    .room_identifier(&config.room_identifier)
                    .event_name(&config.event_name)
                    .set_attributes(attributes.clone())
                    .send()
            })
            .await
            .map_err(|e| super::failed(&e, &format!("room {}", config.room_identifier)))?;
        progress.report(format!(
            "Sent event {:?} (id {})",
            config.event_name,
            out.id().unwrap_or("unknown")
        ));
        Ok(())
    }
}
