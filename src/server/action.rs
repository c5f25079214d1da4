//! The action contract (Terraform ≥ 1.14): an operation that changes the world without being
//! a resource, invoked with `terraform apply -invoke=action.<type>.<name>` or from a resource's
//! `action_trigger`. Typed for action code, erased for the registry.
//!
//! Planning an action only validates what is known; invoking it reports progress as it goes,
//! which Terraform prints while it waits.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::UnboundedSender;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::server::resource::Context;
use crate::value::Value;
use crate::value_serde;

/// Where an action reports what it is doing, one line at a time.
#[derive(Clone)]
pub struct Progress(UnboundedSender<String>);

impl Progress {
    pub fn new(sender: UnboundedSender<String>) -> Progress {
        Progress(sender)
    }

    /// Sends one progress line; a Terraform that stopped listening is not an error.
    pub fn report(&self, message: impl Into<String>) {
        let _ = self.0.send(message.into());
    }
}

#[async_trait]
pub trait Action<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// The model whose fields are the schema's attributes; every value is known on invoke.
    type Model: DeserializeOwned + Send + Sync;

    /// The type name after the provider prefix: `send_event` for `ivschat_send_event`.
    fn name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn invoke(
        &self,
        ctx: &Context<'_, D>,
        config: Self::Model,
        progress: &Progress,
    ) -> Result<(), Diagnostics>;
}

#[async_trait]
pub trait DynAction<D>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn invoke(
        &self,
        ctx: &Context<'_, D>,
        config: &Value,
        progress: &Progress,
    ) -> Result<(), Diagnostics>;
}

#[async_trait]
impl<D, A> DynAction<D> for A
where
    D: Send + Sync + 'static,
    A: Action<D>,
{
    fn name(&self) -> &'static str {
        Action::name(self)
    }

    fn schema(&self) -> Schema {
        Action::schema(self)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        Action::validate(self, config, diags);
    }

    async fn invoke(
        &self,
        ctx: &Context<'_, D>,
        config: &Value,
        progress: &Progress,
    ) -> Result<(), Diagnostics> {
        if !config.is_wholly_known() {
            return Err(Diagnostic::unexpected_input(
                "An action was invoked with unknown configuration values",
            )
            .into());
        }
        let config: A::Model = value_serde::from_value(config)
            .map_err(|e| e.diagnostic("the action configuration"))?;
        Action::invoke(self, ctx, config, progress).await
    }
}

impl<P: crate::server::Provider> crate::server::ActionHandle<'_, P> {
    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.check(config);
        self.entry.imp.validate(config, &mut diags);
        diags
    }

    /// Runs the action, reporting progress; the configuration is wholly known by now.
    pub async fn invoke(&self, config: &Value, progress: &Progress) -> Diagnostics {
        let Some(data) = self.server.data() else {
            return Diagnostic::bug("an action ran before the provider was configured").into();
        };
        let ctx = Context::new(&*data, &self.server.stop, super::DATA_SOURCE_TIMEOUT);
        match self.entry.imp.invoke(&ctx, config, progress).await {
            Ok(()) => Diagnostics::new(),
            Err(diags) => diags,
        }
    }
}
