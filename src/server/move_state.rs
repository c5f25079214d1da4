//! MoveResourceState (protocol 6.5, Terraform 1.8+): adopting the state of another resource type,
//! possibly of another provider, when a `moved { from = aws_x.a  to = ivschat_x.a }` block changes
//! a resource's type. Terraform hands over the source state as the JSON the source provider
//! stored; the target resource maps it to its own model (the [`crate::server::Adopt`] it was registered
//! with, [`crate::server::ServedResource::adopting`]),
//! and the server adds the identity.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::server::{Provider, ResourceHandle};
use crate::value::{Path, Value};

/// The object a `moved` block brings, as Terraform describes it.
#[derive(Debug)]
pub struct MoveSource<'a> {
    /// The source provider: Terraform 1.8+ sends the provider's local name implied by the type
    /// (`aws` for `aws_ivschat_room`); other clients may send a full address.
    pub provider_address: &'a str,
    pub type_name: &'a str,
    pub schema_version: i64,
    /// The source state, in the source provider's schema.
    pub state: serde_json::Value,
}

impl MoveSource<'_> {
    /// Whether the source provider is `name` (`aws`, `awscc`), given as a local name or as an
    /// address such as `registry.terraform.io/hashicorp/aws`.
    pub fn provider_is(&self, name: &str) -> bool {
        let a = self.provider_address;
        a.is_empty() || a == name || a.rsplit('/').next() == Some(name)
    }
}

impl<P: Provider> ResourceHandle<'_, P> {
    /// The state of this type that the source object becomes.
    pub fn move_state(&self, source: &MoveSource<'_>) -> Result<Value, Diagnostics> {
        match self.entry.imp.adopt(self.ty(), source) {
            None => Err(Diagnostic::error(
                "Unsupported Resource Move",
                format!(
                    "{} cannot adopt a {} from the {:?} provider: it accepts no moved \
                     blocks. Remove the moved block and import the object instead.",
                    self.name(),
                    source.type_name,
                    source.provider_address
                ),
            )
            .into()),
            Some(Ok(mut v)) => {
                crate::server::merge::null_out_unknowns(&mut v, &Path::root(), &mut Vec::new());
                Ok(v)
            }
            Some(Err(d)) => Err(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_match_local_names_and_addresses() {
        let s = |a| MoveSource {
            provider_address: a,
            type_name: "aws_ivschat_room",
            schema_version: 0,
            state: serde_json::Value::Null,
        };
        assert!(s("aws").provider_is("aws"));
        assert!(s("registry.terraform.io/hashicorp/aws").provider_is("aws"));
        assert!(!s("registry.terraform.io/hashicorp/awscc").provider_is("aws"));
        assert!(!s("awscc").provider_is("aws"));
    }
}
