//! Ephemeral resource types (Terraform ≥ 1.10), one file each, registered in [`all`].

pub mod chat_token;

use crate::provider::ProviderData;
use crate::server::DynEphemeralResource;

/// Every ephemeral resource this provider serves.
pub fn all() -> Vec<Box<dyn DynEphemeralResource<ProviderData>>> {
    vec![Box::new(chat_token::ChatToken)]
}
