//! Data source types, one file each, registered in [`crate::registration`].
//!
//! hashicorp/aws has no IVS Chat data sources and hashicorp/awscc returns bare ARNs without
//! filters. Ours find rooms by name, review handler, logging configuration and tags, follow
//! every page at the API's pace, and return whole objects.

mod common;
pub mod logging_configuration;
pub mod logging_configurations;
pub mod room;
pub mod rooms;

#[cfg(test)]
mod tests;
