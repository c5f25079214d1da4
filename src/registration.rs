//! The provider and every Terraform type it serves: the one place that names the type folders,
//! so that [`crate::provider`] never imports them. A new type is one file in its folder plus one
//! line in that folder's `all()` (resources: here, wrapped with their migrations).

use async_trait::async_trait;

use crate::diagnostics::Diagnostics;
use crate::provider::{self, ProviderData};
use crate::schema::Schema;
use crate::server::{
    DynAction, DynDataSource, DynEphemeralResource, DynListResource, DynResource, Function,
    Provider,
};
use crate::value::Value;
use crate::{
    actions, data_sources, ephemeral_resources, functions, list_resources, migrations, resources,
};

/// The IVS Chat provider.
#[derive(Debug, Default)]
pub struct IvschatProvider;

#[async_trait]
impl Provider for IvschatProvider {
    type Data = ProviderData;

    fn type_prefix(&self) -> &'static str {
        "ivschat"
    }

    fn schema(&self) -> Schema {
        provider::provider_schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        provider::validate_config(config, diags);
    }

    async fn configure(&self, config: &Value) -> Result<ProviderData, Diagnostics> {
        provider::configure(config)
    }

    fn resources(&self) -> Vec<Box<dyn DynResource<ProviderData>>> {
        vec![
            Box::new(migrations::Migrated(resources::room::Room)),
            Box::new(migrations::Migrated(
                resources::logging_configuration::LoggingConfiguration,
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<ProviderData>>> {
        data_sources::all()
    }

    fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<ProviderData>>> {
        ephemeral_resources::all()
    }

    fn actions(&self) -> Vec<Box<dyn DynAction<ProviderData>>> {
        actions::all()
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        functions::all()
    }

    fn list_resources(&self) -> Vec<Box<dyn DynListResource<ProviderData>>> {
        list_resources::all()
    }
}
