//! Data source types, one file each, registered in [`all`].
//!
//! hashicorp/aws has no IVS Chat data sources and hashicorp/awscc returns bare ARNs without
//! filters. Ours find rooms by name, review handler, logging configuration and tags, follow
//! every page at the API's pace, and return whole objects.

mod common;
pub mod logging_configuration;
pub mod logging_configurations;
pub mod room;
pub mod rooms;

use crate::provider::ProviderData;
use crate::server::DynDataSource;

/// Every data source this provider serves.
pub fn all() -> Vec<Box<dyn DynDataSource<ProviderData>>> {
    vec![
        Box::new(rooms::Rooms),
        Box::new(room::Room),
        Box::new(logging_configurations::LoggingConfigurations),
        Box::new(logging_configuration::LoggingConfiguration),
    ]
}

#[cfg(test)]
mod tests;
