//! The tagging operations, shared by every object type: the client itself uses them to
//! remove a create's marker.

use super::operation::{Lane, Operation, Scope, Spec};

/// The tagging operations' quota: 10 calls per second each.
pub const LANE: Lane = Lane {
    name: "tags",
    quota: 10.0,
    operations: "tagging (TagResource, UntagResource, ListTagsForResource)",
};

/// The tagging operations, shared by every object type (and the create marker).
#[allow(non_upper_case_globals)]
impl Operation {
    pub const TagResource: Operation = Operation::of(&Spec::new(
        "TagResource",
        LANE,
        "update the tags of",
        Scope::Object,
    ));
    pub const UntagResource: Operation = Operation::of(&Spec::new(
        "UntagResource",
        LANE,
        "update the tags of",
        Scope::Object,
    ));
    pub const ListTagsForResource: Operation = Operation::of(&Spec::new(
        "ListTagsForResource",
        LANE,
        "read the tags of",
        Scope::Object,
    ));
}

/// Every tagging operation, for the registry of the provider's operations.
pub const OPERATIONS: &[Operation] = &[
    Operation::TagResource,
    Operation::UntagResource,
    Operation::ListTagsForResource,
];
