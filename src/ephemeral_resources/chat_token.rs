//! `ivschat_chat_token`: a chat token for one user of one room, minted by CreateChatToken each
//! time Terraform opens the ephemeral resource. The token never reaches a plan or state file;
//! pass it on only to places that accept ephemeral values (provider blocks, write-only
//! arguments, ephemeral outputs and variables, provisioners).
//!
//! A chat token cannot be renewed or revoked through the API: it is good for its first
//! connection until `token_expiration_time`, and the session it opens lasts
//! `session_duration_in_minutes`.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_ivschat::types::ChatTokenCapability;
use serde::{Deserialize, Serialize};

use crate::aws::{Lane, Operation, Scope, Spec};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::domain::arn::{Arn, ArnKind, IsArn};
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::{TypeKind, TypeNeeds, mode};
use crate::domain::regional;
use crate::provider::ProviderData;
use crate::schema::{Attribute, Each, IntBetween, LengthBetween, OneOf, Schema, custom};
use crate::server::{Context, EphemeralResource, Opened};
use crate::value::{Path, Value};

/// The IAM actions this type needs, mode by mode (the IAM guide, [`crate::iam::NEEDS`]).
pub const IAM: TypeNeeds = TypeNeeds {
    kind: TypeKind::EphemeralResource,
    name: "ivschat_chat_token",
    modes: &[mode("open", &[Operation::CreateChatToken])],
};

/// CreateChatToken's quota: 200 calls per second.
pub const LANE: Lane = Lane {
    name: "chat_token",
    quota: 200.0,
    operations: "CreateChatToken",
};

#[allow(non_upper_case_globals)]
impl Operation {
    pub const CreateChatToken: Operation = Operation::of(&Spec::new(
        "CreateChatToken",
        LANE,
        "create a chat token for",
        Scope::Object,
    ));
}

/// The operations this type calls, for the registry ([`crate::registration::operations`]).
pub const OPERATIONS: &[Operation] = &[Operation::CreateChatToken];

pub struct ChatToken;

/// What this type declares for the registry ([`crate::registration`]).
impl Declares for ChatToken {
    const DECLARED: Declared = Declared {
        operations: &[OPERATIONS],
        iam: IAM,
        kinds: &[],
    };
}

/// The capabilities a token can grant.
pub const CAPABILITIES: &[&str] = &["SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"];

/// Session length when none is configured, in minutes (the API's default).
pub const DEFAULT_SESSION_MINUTES: i64 = 60;

/// The most bytes the attributes may hold, keys and values together (1 KB).
pub const MAX_ATTRIBUTE_BYTES: usize = 1024;

/// No `Debug`: the model holds the token, the user id and the attributes.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatTokenModel {
    pub room_identifier: Option<String>,
    pub user_id: Option<String>,
    pub capabilities: Option<Vec<String>>,
    pub session_duration_in_minutes: Option<i64>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub region: Option<String>,
    pub token: Option<String>,
    pub token_expiration_time: Option<String>,
    pub session_expiration_time: Option<String>,
}

/// Total size of the attributes in UTF-8 bytes, keys and values together.
fn attribute_bytes(attributes: &Value) -> Option<usize> {
    let entries = attributes.entries()?;
    Some(
        entries
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
            .sum(),
    )
}

fn schema() -> Schema {
    Schema::new(
        "A chat token that lets one user connect to one IVS Chat room, minted with \
         CreateChatToken each time Terraform opens it (once in plan, once in apply, when its \
         arguments are known). Ephemeral: the token is never written to a plan or state file. \
         Pass it to places that accept ephemeral values: provider blocks, write-only arguments, \
         ephemeral variables and outputs, provisioners. Requires Terraform 1.10 or later.",
    )
    .attribute(
        Attribute::string("room_identifier")
            .required()
            .description(
                "ARN of the room the token opens, \
                 `arn:aws:ivschat:<region>:<account id>:room/<id>` (for example \
                 `ivschat_room.example.arn`).",
            )
            .validate(IsArn(ArnKind::Room)),
    )
    .attribute(
        Attribute::string("user_id")
            .required()
            .sensitive()
            .description(
                "Identifies the user in the room: shown to other users and to message review \
                 handlers, used to disconnect them.",
            )
            .validate(LengthBetween(1, 128)),
    )
    .attribute(
        Attribute::string_set("capabilities")
            .optional()
            .description(
                "What the user may do besides receiving messages: any of `SEND_MESSAGE`, \
                 `DISCONNECT_USER` and `DELETE_MESSAGE`. None when unset (read-only).",
            )
            .validate(Each(OneOf(CAPABILITIES))),
    )
    .attribute(
        Attribute::number("session_duration_in_minutes")
            .default(DEFAULT_SESSION_MINUTES)
            .description(
                "How long the chat session the token opens lasts, in minutes. The user is disconnected when it ends.",
            )
            .validate(IntBetween(1, 180)),
    )
    .attribute(
        Attribute::string_map("attributes")
            .optional()
            .sensitive()
            .description(
                "Attributes of the user, passed to the room's clients and review handler with \
                 each of their messages.",
            )
            .validate(custom(
                "hold at most 1024 bytes of UTF-8 (keys and values together)",
                |v| match attribute_bytes(v) {
                    Some(n) if n > MAX_ATTRIBUTE_BYTES => Err(format!("{n} bytes")),
                    _ => Ok(()),
                },
            )),
    )
    .attribute(
        crate::provider::region::region_attribute().description(
            "The AWS region of the room. Defaults to the region in `room_identifier`, the only \
             region the room can be reached in: when set, it must be that region. The region \
             used is returned here.",
        ),
    )
    .attribute(
        Attribute::string("token")
            .computed()
            .sensitive()
            .description(
                "The chat token: what a chat client passes to connect to the room as this user. \
                 Ephemeral: never written to a plan or state file.",
            ),
    )
    .attribute(Attribute::string("token_expiration_time").computed().description(
        "When the token stops being accepted for a new connection, as an RFC 3339 timestamp.",
    ))
    .attribute(
        Attribute::string("session_expiration_time")
            .computed()
            .description(
                "When the session the token opens ends (if it is used before it expires), as an \
                 RFC 3339 timestamp.",
            ),
    )
}

#[async_trait]
impl EphemeralResource<ProviderData> for ChatToken {
    type Model = ChatTokenModel;

    fn name(&self) -> &'static str {
        "chat_token"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let (Some(Value::String(room)), Some(Value::String(region))) =
            (config.attr("room_identifier"), config.attr("region"))
        else {
            return;
        };
        if let Ok(arn) = Arn::parse_kind(room, ArnKind::Room)
            && arn.region != *region
        {
            diags.push(region_mismatch(room, &arn.region, region));
        }
    }

    async fn open(
        &self,
        ctx: &Context<'_, ProviderData>,
        config: ChatTokenModel,
    ) -> Result<Opened<ChatTokenModel>, Diagnostics> {
        let (Some(room), Some(user_id)) = (config.room_identifier.clone(), config.user_id.clone())
        else {
            let missing = if config.room_identifier.is_none() {
                "room_identifier"
            } else {
                "user_id"
            };
            return Err(Diagnostic::unexpected_input(format!(
                "ivschat_chat_token opened without {missing} (a required attribute)"
            ))
            .at(Path::attr(missing))
            .into());
        };
        let arn = Arn::parse_kind(&room, ArnKind::Room).map_err(|problem| {
            Diagnostic::error("Invalid Room ARN", format!("{problem}."))
                .at(Path::attr("room_identifier"))
        })?;
        let region = regional::region_for_arn(&arn, config.region.as_deref(), |region| {
            region_mismatch(&room, &arn.region, region)
        })?;
        let client = ctx.client(Some(region))?;
        let minutes = config
            .session_duration_in_minutes
            .unwrap_or(DEFAULT_SESSION_MINUTES);
        let minutes_i32 = i32::try_from(minutes).map_err(|_| {
            Diagnostic::error(
                "Invalid Session Duration",
                format!("session_duration_in_minutes must be between 1 and 180, got {minutes}."),
            )
            .at(Path::attr("session_duration_in_minutes"))
        })?;
        let capabilities: Vec<ChatTokenCapability> = config
            .capabilities
            .iter()
            .flatten()
            .map(|c| ChatTokenCapability::from(c.as_str()))
            .collect();
        let attributes: Option<HashMap<String, String>> = config
            .attributes
            .as_ref()
            .map(|a| a.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        let out = client
            .call(Operation::CreateChatToken, |c| {
                c.create_chat_token()
                    .room_identifier(room.clone())
                    .user_id(user_id.clone())
                    .set_capabilities(Some(capabilities.clone()))
                    .session_duration_in_minutes(minutes_i32)
                    .set_attributes(attributes.clone())
                    .send()
            })
            .await
            .map_err(|e| {
                let d = e.diagnostic(&format!("room {room}"));
                if e.is_not_found() {
                    d.at(Path::attr("room_identifier"))
                } else {
                    d
                }
            })?;
        let Some(token) = out.token().filter(|t| !t.is_empty()) else {
            return Err(Diagnostic::error(
                "No Chat Token Returned",
                format!(
                    "IVS Chat CreateChatToken succeeded for room {room} but returned no token. \
                     Try again; if it persists, the endpoint is not behaving as IVS Chat does."
                ),
            )
            .into());
        };
        let result = ChatTokenModel {
            token: Some(token.to_owned()),
            token_expiration_time: timestamp(out.token_expiration_time()),
            session_expiration_time: timestamp(out.session_expiration_time()),
            session_duration_in_minutes: Some(minutes),
            region: Some(client.region().to_owned()),
            ..config
        };
        Ok(Opened {
            result,
            renew_at: None,
            private: None,
        })
    }
}

/// An API timestamp as an RFC 3339 string (`2026-11-25T15:43:30Z`).
fn timestamp(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

fn region_mismatch(room: &str, arn_region: &str, region: &str) -> Diagnostic {
    Diagnostic::error(
        "Region Does Not Match the Room",
        format!(
            "The room {room} is in region {arn_region}, but region is set to {region:?}. A chat \
             token can only be created in the room's region: remove `region`, or set it to \
             {arn_region:?}."
        ),
    )
    .at(Path::attr("region"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::validate;

    const ROOM: &str = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234";

    fn config(f: impl FnOnce(&mut BTreeMap<String, Value>)) -> Value {
        let mut m = BTreeMap::new();
        m.insert("room_identifier".to_owned(), Value::string(ROOM));
        m.insert("user_id".to_owned(), Value::string("alice"));
        f(&mut m);
        let ty = schema().implied_type();
        crate::value_serde::conform(Value::Object(m), &ty).unwrap()
    }

    fn diags(v: &Value) -> Vec<String> {
        let s = schema();
        let mut d = validate::validate(&s.block, v);
        EphemeralResource::<ProviderData>::validate(&ChatToken, v, &mut d);
        d.iter()
            .map(|d| format!("{} {:?}", d.detail, d.path))
            .collect()
    }

    #[test]
    fn a_minimal_configuration_is_valid() {
        assert!(diags(&config(|_| {})).is_empty());
    }

    #[test]
    fn arguments_are_checked_without_echoing_secrets() {
        let d = diags(&config(|m| {
            m.insert(
                "room_identifier".into(),
                Value::string("arn:aws:ivschat:us-east-1:123456789012:logging-configuration/x"),
            );
            m.insert("user_id".into(), Value::string("x".repeat(129)));
            m.insert(
                "capabilities".into(),
                Value::Set(vec![Value::string("SEND_MESSAGE"), Value::string("FLY")]),
            );
            m.insert("session_duration_in_minutes".into(), Value::int(181));
            m.insert(
                "attributes".into(),
                Value::Map([("k".to_owned(), Value::string("s3cr3t".repeat(200)))].into()),
            );
        }));
        let all = d.join("\n");
        assert_eq!(d.len(), 5, "{all}");
        assert!(all.contains("not a room ARN"), "{all}");
        assert!(all.contains("129 characters"), "{all}");
        assert!(all.contains("\"FLY\""), "{all}");
        assert!(all.contains("between 1 and 180"), "{all}");
        assert!(all.contains("1201 bytes"), "{all}");
        assert!(!all.contains("s3cr3t") && !all.contains("xxxx"), "{all}");
    }

    #[test]
    fn a_region_other_than_the_rooms_is_refused() {
        let d = diags(&config(|m| {
            m.insert("region".into(), Value::string("eu-west-1"));
        }));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("us-east-1"), "{d:?}");
    }
}
