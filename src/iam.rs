//! The IAM actions each Terraform type of this provider needs, mode by mode: the source of the
//! generated `docs/guides/iam.md` (with a minimal policy). Each type declares its needs in its
//! own file; [`NEEDS`] (in [`crate::registration`]) lists them. `tests/docs.rs` checks that
//! every registered type is listed and that nothing listed is unknown.

use crate::aws::Operation;
pub use crate::domain::iam::{ModeNeeds, TypeKind, TypeNeeds};
pub use crate::registration::NEEDS;

/// Whether `op` acts on one object (its ARN can scope the policy) rather than the account.
pub fn on_one_object(op: Operation) -> bool {
    op.on_one_object()
}

/// Every operation any type needs, once, in the registry's order
/// ([`crate::registration::operations`]).
pub fn all_operations() -> Vec<Operation> {
    let needed: Vec<Operation> = NEEDS
        .iter()
        .flat_map(|t| t.modes.iter().flat_map(|m| m.operations.iter().copied()))
        .collect();
    crate::registration::operations()
        .into_iter()
        .filter(|op| needed.contains(op))
        .collect()
}
