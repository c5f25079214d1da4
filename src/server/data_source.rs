//! The data source contract, typed for data source code and erased for the registry.

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::server::resource::Context;
use crate::value::{Type, Value};
use crate::value_serde;

#[async_trait]
pub trait DataSource<D: Send + Sync + 'static>: Send + Sync + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync;

    /// The type name after the provider prefix: `rooms` for `ivschat_rooms`.
    fn name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Reads the data the configuration asks for; every computed attribute must be set.
    async fn read(
        &self,
        ctx: &Context<'_, D>,
        config: Self::Model,
    ) -> Result<Self::Model, Diagnostics>;
}

#[async_trait]
pub trait DynDataSource<D>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn read(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
    ) -> Result<Value, Diagnostics>;
}

#[async_trait]
impl<D, S> DynDataSource<D> for S
where
    D: Send + Sync + 'static,
    S: DataSource<D>,
{
    fn name(&self) -> &'static str {
        DataSource::name(self)
    }

    fn schema(&self) -> Schema {
        DataSource::schema(self)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        DataSource::validate(self, config, diags);
    }

    async fn read(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let config: S::Model =
            value_serde::from_value(config).map_err(|e| e.diagnostic("the configuration"))?;
        let result = DataSource::read(self, ctx, config).await?;
        value_serde::to_value(&result, ty)
            .map_err(|e| Diagnostic::bug(format!("result does not fit the schema: {e}")).into())
    }
}
