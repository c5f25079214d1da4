//! The IAM actions each Terraform type of this provider needs, mode by mode: the source of the
//! generated `docs/guides/iam.md` (with a minimal policy). Each type declares its needs in its
//! own file; [`NEEDS`] (in [`crate::registration`]) lists them. `tests/it/docs.rs` checks that
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

/// The IAM resource patterns of the calls on one object: one per declared ARN kind
/// ([`crate::registration::kinds`]), so a new object type's ARNs are in the policy by itself.
pub fn object_patterns() -> Vec<String> {
    crate::registration::kinds()
        .iter()
        .map(|kind| format!("arn:aws:ivschat:*:*:{}/*", kind.as_str()))
        .collect()
}

/// The kinds of those objects in words, plural: `rooms and logging configurations`.
pub fn object_kinds_in_words() -> String {
    let words: Vec<String> = crate::registration::kinds()
        .iter()
        .map(|kind| format!("{}s", kind.words()))
        .collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_patterns_follow_the_declared_kinds() {
        let kinds = crate::registration::kinds();
        let patterns = object_patterns();
        assert_eq!(patterns.len(), kinds.len());
        for (pattern, kind) in patterns.iter().zip(kinds) {
            assert_eq!(*pattern, format!("arn:aws:ivschat:*:*:{}/*", kind.as_str()));
            let arn = pattern
                .replace('*', "x")
                .replace(":x:x:", ":us-east-1:123456789012:");
            assert_eq!(
                crate::domain::arn::Arn::parse(&arn, kinds).map(|a| a.kind),
                Ok(*kind),
                "{pattern} names {arn}"
            );
            assert!(object_kinds_in_words().contains(kind.words()));
        }
    }
}
