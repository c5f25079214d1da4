//! The ephemeral resource contract (Terraform ≥ 1.10), typed for ephemeral resource code and
//! erased for the registry.
//!
//! An ephemeral resource is opened when Terraform needs its value (in plan and again in apply),
//! may be renewed while Terraform still uses it, and is closed at the end of the run. Its result
//! never reaches a plan or state file. What the resource needs to renew or close it travels in
//! `private` bytes that Terraform holds for the length of the run only.

use std::time::SystemTime;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model;
use crate::schema::Schema;
use crate::server::resource::Context;
use crate::value::{Type, Value};

/// What opening an ephemeral resource gives back.
#[derive(Debug)]
pub struct Opened<M> {
    /// The result object: the configuration plus every computed attribute.
    pub result: M,
    /// When set, Terraform calls Renew before this instant if it still needs the value.
    pub renew_at: Option<SystemTime>,
    /// Opaque bytes passed back to Renew and Close.
    pub private: Option<Vec<u8>>,
}

/// What renewing an ephemeral resource gives back.
#[derive(Debug, Default)]
pub struct Renewed {
    /// The next renewal deadline, if another renewal is needed.
    pub renew_at: Option<SystemTime>,
    /// Replaces the private bytes held by Terraform.
    pub private: Option<Vec<u8>>,
}

#[async_trait]
pub trait EphemeralResource<D: Send + Sync + 'static>: Send + Sync + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync;

    /// The type name after the provider prefix: `chat_token` for `ivschat_chat_token`.
    fn name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Makes the ephemeral object the (wholly known) configuration describes.
    async fn open(
        &self,
        ctx: &Context<'_, D>,
        config: Self::Model,
    ) -> Result<Opened<Self::Model>, Diagnostics>;

    /// Extends the object's life. The default has nothing to renew.
    async fn renew(
        &self,
        _ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics> {
        Ok(Renewed {
            renew_at: None,
            private,
        })
    }

    /// Releases the object at the end of the run. The default has nothing to release.
    async fn close(
        &self,
        _ctx: &Context<'_, D>,
        _private: Option<Vec<u8>>,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// [`Opened`] with the result as a value of the schema's type.
pub type OpenedValue = Opened<Value>;

#[async_trait]
pub trait DynEphemeralResource<D>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn open(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
    ) -> Result<OpenedValue, Diagnostics>;
    async fn renew(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics>;
    async fn close(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<(), Diagnostics>;
}

#[async_trait]
impl<D, E> DynEphemeralResource<D> for E
where
    D: Send + Sync + 'static,
    E: EphemeralResource<D>,
{
    fn name(&self) -> &'static str {
        EphemeralResource::name(self)
    }

    fn schema(&self) -> Schema {
        EphemeralResource::schema(self)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        EphemeralResource::validate(self, config, diags);
    }

    async fn open(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
    ) -> Result<OpenedValue, Diagnostics> {
        let config: E::Model = model::from_value(config)
            .map_err(|e| Diagnostic::bug(format!("reading the configuration: {e}")))?;
        let opened = EphemeralResource::open(self, ctx, config).await?;
        let result = model::to_value(&opened.result, ty)
            .map_err(|e| Diagnostic::bug(format!("result does not fit the schema: {e}")))?;
        Ok(Opened {
            result,
            renew_at: opened.renew_at,
            private: opened.private,
        })
    }

    async fn renew(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics> {
        EphemeralResource::renew(self, ctx, private).await
    }

    async fn close(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<(), Diagnostics> {
        EphemeralResource::close(self, ctx, private).await
    }
}
