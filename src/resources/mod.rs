//! Managed resource types, one file each, registered in [`all`].

pub mod arn;
pub mod logging_configuration;
pub mod room;
pub mod tagging;
pub mod timeouts;

use crate::provider::ProviderData;
use crate::server::DynResource;

/// Every resource type this provider serves.
pub fn all() -> Vec<Box<dyn DynResource<ProviderData>>> {
    vec![
        Box::new(room::Room),
        Box::new(logging_configuration::LoggingConfiguration),
    ]
}

#[cfg(test)]
mod consistency_tests;
#[cfg(test)]
mod listing_tests;
