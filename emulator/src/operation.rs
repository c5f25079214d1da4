//! The 17 operations of the IVS Chat API the emulator serves: their names, the HTTP method and
//! path each is bound to, and the facts the pipeline and the quotas ask of them.

use axum::http::Method;

/// The 17 operations of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Operation {
    CreateChatToken,
    CreateLoggingConfiguration,
    CreateRoom,
    DeleteLoggingConfiguration,
    DeleteMessage,
    DeleteRoom,
    DisconnectUser,
    GetLoggingConfiguration,
    GetRoom,
    ListLoggingConfigurations,
    ListRooms,
    ListTagsForResource,
    SendEvent,
    TagResource,
    UntagResource,
    UpdateLoggingConfiguration,
    UpdateRoom,
}

impl Operation {
    pub(crate) const ALL: [Operation; 17] = [
        Self::CreateChatToken,
        Self::CreateLoggingConfiguration,
        Self::CreateRoom,
        Self::DeleteLoggingConfiguration,
        Self::DeleteMessage,
        Self::DeleteRoom,
        Self::DisconnectUser,
        Self::GetLoggingConfiguration,
        Self::GetRoom,
        Self::ListLoggingConfigurations,
        Self::ListRooms,
        Self::ListTagsForResource,
        Self::SendEvent,
        Self::TagResource,
        Self::UntagResource,
        Self::UpdateLoggingConfiguration,
        Self::UpdateRoom,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::CreateChatToken => "CreateChatToken",
            Self::CreateLoggingConfiguration => "CreateLoggingConfiguration",
            Self::CreateRoom => "CreateRoom",
            Self::DeleteLoggingConfiguration => "DeleteLoggingConfiguration",
            Self::DeleteMessage => "DeleteMessage",
            Self::DeleteRoom => "DeleteRoom",
            Self::DisconnectUser => "DisconnectUser",
            Self::GetLoggingConfiguration => "GetLoggingConfiguration",
            Self::GetRoom => "GetRoom",
            Self::ListLoggingConfigurations => "ListLoggingConfigurations",
            Self::ListRooms => "ListRooms",
            Self::ListTagsForResource => "ListTagsForResource",
            Self::SendEvent => "SendEvent",
            Self::TagResource => "TagResource",
            Self::UntagResource => "UntagResource",
            Self::UpdateLoggingConfiguration => "UpdateLoggingConfiguration",
            Self::UpdateRoom => "UpdateRoom",
        }
    }

    pub(crate) fn index(self) -> usize {
        Self::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }

    pub(crate) fn is_logging(self) -> bool {
        matches!(
            self,
            Self::CreateLoggingConfiguration
                | Self::GetLoggingConfiguration
                | Self::UpdateLoggingConfiguration
                | Self::DeleteLoggingConfiguration
                | Self::ListLoggingConfigurations
        )
    }

    /// Whether the model lists PendingVerification among the operation's errors.
    pub(crate) fn can_be_pending_verification(self) -> bool {
        !matches!(
            self,
            Self::GetLoggingConfiguration
                | Self::GetRoom
                | Self::ListLoggingConfigurations
                | Self::ListRooms
                | Self::ListTagsForResource
                | Self::TagResource
                | Self::UntagResource
        )
    }

    /// The operation an HTTP method and path are bound to.
    pub(crate) fn of(method: &Method, path: &str) -> Option<Self> {
        if path.starts_with("/tags/") && path.len() > "/tags/".len() {
            return match *method {
                Method::POST => Some(Self::TagResource),
                Method::DELETE => Some(Self::UntagResource),
                Method::GET => Some(Self::ListTagsForResource),
                _ => None,
            };
        }
        if *method != Method::POST {
            return None;
        }
        let name = path.strip_prefix('/')?;
        Self::ALL.iter().copied().find(|o| {
            o.name() == name
                && !matches!(
                    o,
                    Self::TagResource | Self::UntagResource | Self::ListTagsForResource
                )
        })
    }
}
