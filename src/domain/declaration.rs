//! What a Terraform type declares about itself for the registry ([`crate::registration`]): the
//! IVS Chat operations it calls, what it needs of IAM, and the kinds of object whose ARNs it
//! manages. The registry derives from these its list of operations (and so the quota lanes of
//! the provider's `rate_limits` block), the IAM guide and the kinds the ARN parser knows; a new
//! type declares them in its own file and is registered with one line.

use super::arn;
use super::iam::TypeNeeds;
use crate::aws::Operation;

/// A type's declaration.
#[derive(Clone, Copy, Debug)]
pub struct Declared {
    /// The operations it calls, as the groups their concepts declare (`domain::room::OPERATIONS`,
    /// `aws::tagging::OPERATIONS`, ...), its own concept's first.
    pub operations: &'static [&'static [Operation]],
    /// What it needs of IAM, mode by mode (the IAM guide).
    pub iam: TypeNeeds,
    /// The kinds of IVS Chat object whose ARNs a resource manages: its own kind, or its
    /// parent's for a part of another object (a room's tag: rooms). The ARN parser accepts
    /// them and the IAM guide scopes the calls on one object to them.
    pub kinds: &'static [arn::ArnKind],
}

/// Implemented by every registered type.
pub trait Declares {
    const DECLARED: Declared;
}
