//! What a Terraform type needs of IAM, mode by mode: each type declares its [`TypeNeeds`] in its
//! own file; [`crate::iam::NEEDS`] collects them for the generated `docs/guides/iam.md`.

use crate::aws::Operation;

/// What a Terraform type is, as the registry groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Resource,
    DataSource,
    EphemeralResource,
    ListResource,
    Action,
    Function,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Resource => "Resource",
            Kind::DataSource => "Data source",
            Kind::EphemeralResource => "Ephemeral resource",
            Kind::ListResource => "List resource",
            Kind::Action => "Action",
            Kind::Function => "Function",
        }
    }
}

/// One mode of a type (`create`, `refresh and plan`, ...) and the API operations it calls.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    pub mode: &'static str,
    pub operations: &'static [Operation],
    /// When the mode needs these operations only in some cases, which.
    pub note: &'static str,
}

/// The IAM needs of one Terraform type.
#[derive(Clone, Copy, Debug)]
pub struct TypeNeeds {
    pub kind: Kind,
    /// The type's name (`ivschat_room`), or a function's bare name (`parse_arn`).
    pub name: &'static str,
    pub modes: &'static [Mode],
}

pub const fn mode(mode: &'static str, operations: &'static [Operation]) -> Mode {
    Mode {
        mode,
        operations,
        note: "",
    }
}

pub const fn mode_when(
    mode: &'static str,
    operations: &'static [Operation],
    note: &'static str,
) -> Mode {
    Mode {
        mode,
        operations,
        note,
    }
}

pub const MARKER_NOTE: &str = "UntagResource always (the temporary create marker is removed), TagResource always (the marker, and `tags`), the List, Get and Delete calls only after a create whose outcome was unknown (to find, adopt, and delete duplicates). With `create_markers = false`: the create call, and TagResource only with tags";
