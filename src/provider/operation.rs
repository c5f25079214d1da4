//! The IVS Chat API operations: names, quota lanes, and the verbs diagnostics use.

use std::fmt;

use crate::provider::config::RateLimits;

/// An IVS Chat API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    CreateRoom,
    GetRoom,
    UpdateRoom,
    DeleteRoom,
    ListRooms,
    CreateLoggingConfiguration,
    GetLoggingConfiguration,
    UpdateLoggingConfiguration,
    DeleteLoggingConfiguration,
    ListLoggingConfigurations,
    TagResource,
    UntagResource,
    ListTagsForResource,
    CreateChatToken,
    SendEvent,
    DeleteMessage,
    DisconnectUser,
}

/// The quota groups of the IVS Chat API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Room,
    LoggingConfiguration,
    Tags,
    ChatToken,
    Messaging,
}

impl Class {
    pub fn rate(self, rates: &RateLimits) -> f64 {
        match self {
            Class::Room => rates.room,
            Class::LoggingConfiguration => rates.logging_configuration,
            Class::Tags => rates.tags,
            Class::ChatToken => rates.chat_token,
            Class::Messaging => rates.messaging,
        }
    }
}

impl Operation {
    /// Makes an object: an attempt in flight is never abandoned on StopProvider.
    pub fn is_create(self) -> bool {
        matches!(
            self,
            Operation::CreateRoom | Operation::CreateLoggingConfiguration
        )
    }

    /// The API name, as in AWS documentation and CloudTrail.
    pub fn name(self) -> &'static str {
        use Operation::*;
        match self {
            CreateRoom => "CreateRoom",
            GetRoom => "GetRoom",
            UpdateRoom => "UpdateRoom",
            DeleteRoom => "DeleteRoom",
            ListRooms => "ListRooms",
            CreateLoggingConfiguration => "CreateLoggingConfiguration",
            GetLoggingConfiguration => "GetLoggingConfiguration",
            UpdateLoggingConfiguration => "UpdateLoggingConfiguration",
            DeleteLoggingConfiguration => "DeleteLoggingConfiguration",
            ListLoggingConfigurations => "ListLoggingConfigurations",
            TagResource => "TagResource",
            UntagResource => "UntagResource",
            ListTagsForResource => "ListTagsForResource",
            CreateChatToken => "CreateChatToken",
            SendEvent => "SendEvent",
            DeleteMessage => "DeleteMessage",
            DisconnectUser => "DisconnectUser",
        }
    }

    pub fn class(self) -> Class {
        use Operation::*;
        match self {
            CreateRoom | GetRoom | UpdateRoom | DeleteRoom | ListRooms => Class::Room,
            CreateLoggingConfiguration
            | GetLoggingConfiguration
            | UpdateLoggingConfiguration
            | DeleteLoggingConfiguration
            | ListLoggingConfigurations => Class::LoggingConfiguration,
            TagResource | UntagResource | ListTagsForResource => Class::Tags,
            CreateChatToken => Class::ChatToken,
            SendEvent | DeleteMessage | DisconnectUser => Class::Messaging,
        }
    }

    /// The verb of a diagnostic's summary: "Cannot {verb} {subject}".
    pub fn verb(self) -> &'static str {
        use Operation::*;
        match self {
            CreateRoom | CreateLoggingConfiguration => "create",
            GetRoom | GetLoggingConfiguration => "read",
            UpdateRoom | UpdateLoggingConfiguration => "update",
            DeleteRoom | DeleteLoggingConfiguration => "delete",
            ListRooms | ListLoggingConfigurations => "list",
            TagResource | UntagResource => "update the tags of",
            ListTagsForResource => "read the tags of",
            CreateChatToken => "create a chat token for",
            SendEvent => "send an event to",
            DeleteMessage => "delete a message in",
            DisconnectUser => "disconnect a user from",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
