//! The resource contract: what a resource type implements, in plain Rust types, and the erased
//! form the server stores in its registry.
//!
//! Resource code sees typed, known models. It never sees msgpack, gRPC or unknown values on apply:
//! the server converts, and merges what the resource returns into the plan so that every value
//! Terraform was promised is what it gets back.

use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::server::identity::IdentitySchema;
use crate::server::move_state::MoveSource;
use crate::server::private::{PrivateData, PrivateState};
use crate::value::{Path, Type, Value};
use crate::value_serde::{self, ModelError};

/// What every operation receives: the configured provider, the signal to give up, the time
/// limit, and the object's private state. Only the server builds one ([`Context::new`]), so
/// every operation of every type runs under a deadline and the stop signal: the provider's
/// client is obtained from the context and carries both.
pub struct Context<'a, D> {
    pub provider: &'a D,
    /// Cancelled when Terraform calls StopProvider (Ctrl-C): stop waiting and return promptly.
    pub cancel: &'a CancellationToken,
    /// The operation's time limit from the `timeouts` block, or the resource's default.
    pub timeout: Duration,
    started: Instant,
    private: PrivateState,
}

impl<'a, D> Context<'a, D> {
    /// A context whose time limit starts now, with empty private state.
    pub fn new(provider: &'a D, cancel: &'a CancellationToken, timeout: Duration) -> Self {
        Context {
            provider,
            cancel,
            timeout,
            started: Instant::now(),
            private: PrivateState::default(),
        }
    }

    /// The same, with the private state Terraform sent.
    #[must_use]
    pub fn with_private(mut self, private: PrivateState) -> Self {
        self.private = private;
        self
    }

    /// When the operation must have ended (saturating far in the future).
    pub fn deadline(&self) -> Instant {
        crate::duration::instant_after(self.started, self.timeout)
    }

    /// How long the operation has run.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// True once the deadline has passed.
    pub fn timed_out(&self) -> bool {
        Instant::now() >= self.deadline()
    }

    /// The piece of private data stored under `T::KEY`, if any.
    pub fn private<T: PrivateData>(&self) -> Option<T> {
        self.private.get()
    }

    /// Stores `value` in the object's private state (sent back to Terraform with the result).
    pub fn set_private<T: PrivateData>(&self, value: &T) {
        self.private.set(value);
    }

    /// Removes the piece stored under `T::KEY`.
    pub fn remove_private<T: PrivateData>(&self) {
        self.private.remove::<T>();
    }

    /// The private state, for the server to encode after the call.
    pub fn private_state(&self) -> &PrivateState {
        &self.private
    }
}

/// A failed create or update. `partial` is what exists now: a create that made an object before
/// a later step failed returns it here, and Terraform keeps it in state (tainted), so nothing
/// leaks.
#[derive(Debug)]
pub struct Failed<M> {
    pub partial: Option<M>,
    pub diags: Diagnostics,
}

impl<M> Failed<M> {
    pub fn nothing_created(diags: impl Into<Diagnostics>) -> Failed<M> {
        Failed {
            partial: None,
            diags: diags.into(),
        }
    }

    pub fn with_partial(partial: M, diags: impl Into<Diagnostics>) -> Failed<M> {
        Failed {
            partial: Some(partial),
            diags: diags.into(),
        }
    }
}

impl<M> From<Diagnostic> for Failed<M> {
    fn from(d: Diagnostic) -> Failed<M> {
        Failed::nothing_created(d)
    }
}

impl<M> From<Diagnostics> for Failed<M> {
    fn from(d: Diagnostics) -> Failed<M> {
        Failed::nothing_created(d)
    }
}

/// What a plan hook sees: the pipeline's plan, the configuration and the prior state, as values
/// (plans hold unknowns, which models cannot).
pub struct PlanRequest<'a, D> {
    pub provider: Option<&'a D>,
    pub config: &'a Value,
    pub prior: &'a Value,
    pub plan: &'a mut Value,
    pub requires_replace: &'a mut Vec<Path>,
    pub diags: &'a mut Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// The model whose fields are the schema's attributes.
    type Model: Serialize + DeserializeOwned + Send + Sync;

    /// The type name after the provider prefix: `room` for `ivschat_room`.
    fn name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Rules across attributes beyond the schema's validators.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Adjusts the plan after the generic pipeline (for example, tags merged with default tags).
    fn modify_plan(&self, _req: PlanRequest<'_, D>) {}

    /// The time limit of an operation ("create", "update", "delete") given the object's
    /// `timeouts` block, if the schema has one.
    fn default_timeout(&self, _operation: &str) -> Duration {
        Duration::from_secs(300)
    }

    async fn create(
        &self,
        ctx: &Context<'_, D>,
        plan: Self::Model,
    ) -> Result<Self::Model, Failed<Self::Model>>;

    /// The object as it is now; `None` when it no longer exists.
    async fn read(
        &self,
        ctx: &Context<'_, D>,
        state: Self::Model,
    ) -> Result<Option<Self::Model>, Diagnostics>;

    async fn update(
        &self,
        ctx: &Context<'_, D>,
        prior: Self::Model,
        plan: Self::Model,
    ) -> Result<Self::Model, Failed<Self::Model>>;

    /// Deletes the object; succeeds when it is already gone.
    async fn delete(&self, ctx: &Context<'_, D>, state: Self::Model) -> Result<(), Diagnostics>;

    /// The object an import id names, to be completed by a read. `None`: not importable.
    async fn import(
        &self,
        _ctx: &Context<'_, D>,
        _id: &str,
    ) -> Option<Result<Self::Model, Diagnostics>> {
        None
    }

    /// Migrates state JSON written by schema version `from` to the next version.
    fn upgrade_state(
        &self,
        from: i64,
        _state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Err(Diagnostic::error(
            "Unsupported State Version",
            format!(
                "No migration from schema version {from} of {} exists.",
                self.name()
            ),
        )
        .into())
    }

    /// The identity schema (Terraform ≥ 1.12): attributes copied from the state attributes of
    /// the same name by the server. `None`: no identity.
    fn identity(&self) -> Option<IdentitySchema> {
        None
    }

    /// The configuration a person would write for the object `state` describes
    /// (GenerateResourceConfig, Terraform ≥ 1.14): this type's own choices, such as empty
    /// collections left unset. The server then leaves out what the schema decides (computed
    /// attributes, defaults: [`crate::server::generate`]). `provider` is `None` when the
    /// provider is not configured.
    fn generate_config(&self, _provider: Option<&D>, state: Self::Model) -> Self::Model {
        state
    }
}

/// How a resource type adopts the state of another type that a `moved` block brings
/// (Terraform ≥ 1.8): the source, as its provider stored it, becomes this type's model, to be
/// completed by a read.
pub type Adopt<M> = fn(&MoveSource<'_>) -> Result<M, Diagnostics>;

/// [`Adopt`] erased to values.
type DynAdopt = Box<dyn Fn(&Type, &MoveSource<'_>) -> Result<Value, Diagnostics> + Send + Sync>;

/// A resource type as a provider serves it: the type, and the `moved` blocks it accepts.
/// Adoption is registered beside the type, not wrapped around it, so every [`Resource`] method
/// (a new default one too) reaches the server as the type wrote it.
pub struct ServedResource<D> {
    pub resource: Box<dyn DynResource<D>>,
    adopt: Option<DynAdopt>,
}

impl<D: Send + Sync + 'static> ServedResource<D> {
    /// A type that accepts no `moved` blocks from other types.
    pub fn new<R: Resource<D>>(resource: R) -> ServedResource<D> {
        ServedResource {
            resource: Box::new(resource),
            adopt: None,
        }
    }

    /// A type that adopts other types' state with `adopt`.
    pub fn adopting<R: Resource<D>>(resource: R, adopt: Adopt<R::Model>) -> ServedResource<D> {
        ServedResource {
            resource: Box::new(resource),
            adopt: Some(Box::new(move |ty, source| {
                let model = adopt(source)?;
                value_serde::to_value(&model, ty)
                    .map_err(|e| model_error("moved state does not fit the schema", e))
            })),
        }
    }

    /// The state a `moved` block brings, as a value of type `ty`; `None`: no moves accepted.
    pub fn adopt(&self, ty: &Type, source: &MoveSource<'_>) -> Option<Result<Value, Diagnostics>> {
        self.adopt.as_ref().map(|adopt| adopt(ty, source))
    }
}

/// A model the provider built that does not fit its own schema: a bug.
fn model_bug(what: &str, e: ModelError) -> Diagnostics {
    Diagnostic::bug(format!("{what}: {e}")).into()
}

/// A value from Terraform that does not fit the model.
fn model_error(what: &str, e: ModelError) -> Diagnostics {
    e.diagnostic(what).into()
}

/// The erased face of a resource, working on values.
#[async_trait]
pub trait DynResource<D>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    fn modify_plan(&self, req: PlanRequest<'_, D>);
    fn default_timeout(&self, operation: &str) -> Duration;
    async fn create(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        plan: &Value,
    ) -> Result<Value, (Option<Value>, Diagnostics)>;
    async fn read(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics>;
    async fn update(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        prior: &Value,
        plan: &Value,
    ) -> Result<Value, (Option<Value>, Diagnostics)>;
    async fn delete(&self, ctx: &Context<'_, D>, state: &Value) -> Result<(), Diagnostics>;
    async fn import(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        id: &str,
    ) -> Option<Result<Value, Diagnostics>>;
    fn upgrade_state(
        &self,
        from: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics>;
    fn identity(&self) -> Option<IdentitySchema>;
    fn generate_config(
        &self,
        provider: Option<&D>,
        ty: &Type,
        state: &Value,
    ) -> Result<Value, Diagnostics>;
}

fn failed_to_values<M: Serialize>(ty: &Type, f: Failed<M>) -> (Option<Value>, Diagnostics) {
    let mut diags = f.diags;
    let partial = f.partial.and_then(|m| match value_serde::to_value(&m, ty) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.extend(model_bug("partial state does not fit the schema", e));
            None
        }
    });
    (partial, diags)
}

#[async_trait]
impl<D, R> DynResource<D> for R
where
    D: Send + Sync + 'static,
    R: Resource<D>,
{
    fn name(&self) -> &'static str {
        Resource::name(self)
    }

    fn schema(&self) -> Schema {
        Resource::schema(self)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        Resource::validate(self, config, diags);
    }

    fn modify_plan(&self, req: PlanRequest<'_, D>) {
        Resource::modify_plan(self, req);
    }

    fn default_timeout(&self, operation: &str) -> Duration {
        Resource::default_timeout(self, operation)
    }

    async fn create(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        plan: &Value,
    ) -> Result<Value, (Option<Value>, Diagnostics)> {
        let plan: R::Model =
            value_serde::from_value(plan).map_err(|e| (None, model_error("the plan", e)))?;
        match Resource::create(self, ctx, plan).await {
            Ok(m) => value_serde::to_value(&m, ty)
                .map_err(|e| (None, model_bug("new state does not fit the schema", e))),
            Err(f) => Err(failed_to_values(ty, f)),
        }
    }

    async fn read(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let state: R::Model =
            value_serde::from_value(state).map_err(|e| model_error("the state", e))?;
        match Resource::read(self, ctx, state).await? {
            Some(m) => value_serde::to_value(&m, ty)
                .map(Some)
                .map_err(|e| model_bug("read state does not fit the schema", e)),
            None => Ok(None),
        }
    }

    async fn update(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        prior: &Value,
        plan: &Value,
    ) -> Result<Value, (Option<Value>, Diagnostics)> {
        let prior_model: R::Model =
            value_serde::from_value(prior).map_err(|e| (None, model_error("the state", e)))?;
        let plan: R::Model =
            value_serde::from_value(plan).map_err(|e| (None, model_error("the plan", e)))?;
        match Resource::update(self, ctx, prior_model, plan).await {
            Ok(m) => value_serde::to_value(&m, ty)
                .map_err(|e| (None, model_bug("new state does not fit the schema", e))),
            Err(f) => Err(failed_to_values(ty, f)),
        }
    }

    async fn delete(&self, ctx: &Context<'_, D>, state: &Value) -> Result<(), Diagnostics> {
        let state: R::Model =
            value_serde::from_value(state).map_err(|e| model_error("the state", e))?;
        Resource::delete(self, ctx, state).await
    }

    async fn import(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        id: &str,
    ) -> Option<Result<Value, Diagnostics>> {
        let result = Resource::import(self, ctx, id).await?;
        Some(result.and_then(|m| {
            value_serde::to_value(&m, ty)
                .map_err(|e| model_error("imported state does not fit the schema", e))
        }))
    }

    fn upgrade_state(
        &self,
        from: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Resource::upgrade_state(self, from, state)
    }

    fn identity(&self) -> Option<IdentitySchema> {
        Resource::identity(self)
    }

    fn generate_config(
        &self,
        provider: Option<&D>,
        ty: &Type,
        state: &Value,
    ) -> Result<Value, Diagnostics> {
        if state.is_null() {
            return Ok(Value::Null);
        }
        let state: R::Model =
            value_serde::from_value(state).map_err(|e| model_error("the state", e))?;
        let config = Resource::generate_config(self, provider, state);
        value_serde::to_value(&config, ty)
            .map_err(|e| model_bug("generated configuration does not fit the schema", e))
    }
}
