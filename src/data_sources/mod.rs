//! Data source types, one file each, registered in [`all`].

use crate::provider::ProviderData;
use crate::server::DynDataSource;

/// Every data source this provider serves.
pub fn all() -> Vec<Box<dyn DynDataSource<ProviderData>>> {
    vec![]
}
