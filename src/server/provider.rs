//! The provider contract: its own configuration schema, how it configures itself, and the one
//! place where its types are registered.

use async_trait::async_trait;

use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::server::action::DynAction;
use crate::server::data_source::DynDataSource;
use crate::server::ephemeral::DynEphemeralResource;
use crate::server::function::Function;
use crate::server::list::DynListResource;
use crate::server::resource::ServedResource;
use crate::value::Value;

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What configuration produces and every operation receives (clients, settings).
    type Data: Send + Sync + 'static;

    /// The prefix of every type name: `ivschat` for `ivschat_room`.
    fn type_prefix(&self) -> &'static str;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Builds the provider's data from its configuration, which may hold unknown values during
    /// plan. Must not block on the network: Terraform starts a provider for every phase.
    async fn configure(&self, config: &Value) -> Result<Self::Data, Diagnostics>;

    fn resources(&self) -> Vec<ServedResource<Self::Data>>;

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Self::Data>>>;

    /// Ephemeral resource types (Terraform ≥ 1.10); none by default.
    fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<Self::Data>>> {
        Vec::new()
    }

    /// Provider-defined functions (Terraform ≥ 1.8); none by default.
    fn functions(&self) -> Vec<Box<dyn Function>> {
        Vec::new()
    }

    /// List resource types for `terraform query` (Terraform ≥ 1.14); none by default. Each
    /// shares its name with a managed resource type that has an identity schema.
    fn list_resources(&self) -> Vec<Box<dyn DynListResource<Self::Data>>> {
        Vec::new()
    }

    /// Action types (Terraform ≥ 1.14); none by default.
    fn actions(&self) -> Vec<Box<dyn DynAction<Self::Data>>> {
        Vec::new()
    }
}
