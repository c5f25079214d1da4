//! Managed resource types, one file each, registered in [`crate::registration`].

pub mod logging_configuration;
pub mod room;
pub mod tagging;
pub mod timeouts;

#[cfg(test)]
mod consistency_tests;
#[cfg(test)]
mod listing_tests;
