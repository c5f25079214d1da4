//! What a Terraform type needs of IAM, mode by mode: each type declares its [`TypeNeeds`] in its
//! own file; [`crate::iam::NEEDS`] collects them for the generated `docs/guides/iam.md`.

use crate::aws::Operation;

/// What a Terraform type is, as the registry groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeKind {
    Resource,
    DataSource,
    EphemeralResource,
    ListResource,
    Action,
    Function,
}

impl TypeKind {
    pub fn title(self) -> &'static str {
        match self {
            TypeKind::Resource => "Resource",
            TypeKind::DataSource => "Data source",
            TypeKind::EphemeralResource => "Ephemeral resource",
            TypeKind::ListResource => "List resource",
            TypeKind::Action => "Action",
            TypeKind::Function => "Function",
        }
    }
}

/// One mode of a type (`create`, `refresh and plan`, ...) and the API operations it calls.
#[derive(Clone, Copy, Debug)]
pub struct ModeNeeds {
    pub mode: &'static str,
    pub operations: &'static [Operation],
    /// When the mode needs these operations only in some cases, which.
    pub note: &'static str,
}

/// The IAM needs of one Terraform type.
#[derive(Clone, Copy, Debug)]
pub struct TypeNeeds {
    pub kind: TypeKind,
    /// The type's name (`ivschat_room`), or a function's bare name (`parse_arn`).
    pub name: &'static str,
    pub modes: &'static [ModeNeeds],
}

pub const fn mode(mode: &'static str, operations: &'static [Operation]) -> ModeNeeds {
    ModeNeeds {
        mode,
        operations,
        note: "",
    }
}

pub const fn mode_when(
    mode: &'static str,
    operations: &'static [Operation],
    note: &'static str,
) -> ModeNeeds {
    ModeNeeds {
        mode,
        operations,
        note,
    }
}

pub const MARKER_NOTE: &str = "UntagResource always (the temporary create marker is removed), TagResource always (the marker, and `tags`), the List, Get and Delete calls only after a create whose outcome was unknown (to find, adopt, and delete duplicates). With `create_markers = false`: the create call, and TagResource only with tags";
