//! The generic provider server: turns protocol-level requests (already decoded into values) into
//! calls on the registered resource and data source types, and enforces Terraform's rules on
//! what comes back. Nothing here knows about IVS Chat; nothing in a resource knows about this.
//!
//! - [`provider`], [`resource`], [`data_source`]: the contracts types implement; a provider
//!   serves a resource type with the `moved` blocks it adopts ([`ServedResource`]).
//! - [`TypeTable`]: the types by name; a request looks its type up once ([`Server::resource`],
//!   ...) and runs every step on the [`TypeHandle`] it gets.
//! - [`plan`], [`validate`], [`merge`], [`timeouts`]: the steps, each pure and unit-tested.
//! - [`generate`]: configuration generated from state (GenerateResourceConfig).
//! - [`grpc`]: the tfplugin6 gRPC service over this server (look up and decode, call, encode).

pub mod action;
pub mod data_source;
pub mod ephemeral;
pub mod function;
pub mod generate;
pub mod grpc;
pub mod identity;
pub mod list;
pub mod merge;
pub mod move_state;
pub mod plan;
pub mod private;
pub mod provider;
pub mod resource;
pub mod timeouts;
pub mod validate;
pub mod wire;

mod type_table;

use std::sync::{Arc, OnceLock, RwLock};

use tokio_util::sync::CancellationToken;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::{Path, Type, Value, json};

pub use action::{Action, DynAction, Progress};
pub use data_source::{DataSource, DynDataSource};
pub use ephemeral::{DynEphemeralResource, EphemeralResource, Opened, OpenedValue, Renewed};
pub use function::{Function, FunctionError, Parameter};
pub use identity::IdentitySchema;
pub use list::{DynListResource, ListRequest, ListResource, Listed};
pub use move_state::MoveSource;
pub use private::{PrivateData, PrivateState};
pub use provider::Provider;
pub use resource::{Adopt, Context, DynResource, Failed, PlanRequest, Resource, ServedResource};
pub use type_table::{TypeEntry, TypeTable};

/// The outcome of planning one resource change.
#[derive(Debug)]
pub struct PlannedChange {
    pub planned: Value,
    pub requires_replace: Vec<Path>,
    pub diags: Diagnostics,
}

pub struct Server<P: Provider> {
    provider: P,
    types: OnceLock<TypeTable<P::Data>>,
    data: RwLock<Option<Arc<P::Data>>>,
    stop: CancellationToken,
}

/// The time limit of a data source read, ephemeral resource call, list or action, which have no
/// `timeouts` block: long enough for every retry budget, short enough that nothing hangs.
pub const DATA_SOURCE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

fn not_configured() -> Diagnostics {
    Diagnostic::bug("an operation ran before the provider was configured").into()
}

impl<P: Provider> Server<P> {
    pub fn new(provider: P) -> Server<P> {
        Server {
            provider,
            types: OnceLock::new(),
            data: RwLock::new(None),
            stop: CancellationToken::new(),
        }
    }

    /// Schemas are built on first use, not at start-up, so the handshake is never delayed.
    pub fn types(&self) -> &TypeTable<P::Data> {
        self.types.get_or_init(|| TypeTable::new(&self.provider))
    }

    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// Cancels in-flight operations (StopProvider).
    pub fn stop(&self) {
        self.stop.cancel();
    }

    fn data(&self) -> Option<Arc<P::Data>> {
        self.data.read().ok().and_then(|d| d.clone())
    }

    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut diags = validate::validate(&self.types().provider_schema.block, config);
        self.provider.validate(config, &mut diags);
        diags
    }

    pub async fn configure(&self, config: &Value) -> Diagnostics {
        match self.provider.configure(config).await {
            Ok(data) => {
                if let Ok(mut slot) = self.data.write() {
                    *slot = Some(Arc::new(data));
                }
                Diagnostics::new()
            }
            Err(diags) => diags,
        }
    }

    /// The resource type `type_name`, looked up once for a request.
    pub fn resource<'a>(&'a self, type_name: &'a str) -> Result<ResourceHandle<'a, P>, Diagnostic> {
        Ok(self.handle(type_name, self.types().resource(type_name)?))
    }

    /// The data source `type_name`, looked up once for a request.
    pub fn data_source<'a>(
        &'a self,
        type_name: &'a str,
    ) -> Result<DataSourceHandle<'a, P>, Diagnostic> {
        Ok(self.handle(type_name, self.types().data_source(type_name)?))
    }

    /// The ephemeral resource type `type_name`, looked up once for a request.
    pub fn ephemeral_resource<'a>(
        &'a self,
        type_name: &'a str,
    ) -> Result<EphemeralHandle<'a, P>, Diagnostic> {
        Ok(self.handle(type_name, self.types().ephemeral_resource(type_name)?))
    }

    /// The list resource type `type_name`, looked up once for a request.
    pub fn list_resource<'a>(
        &'a self,
        type_name: &'a str,
    ) -> Result<ListHandle<'a, P>, Diagnostic> {
        Ok(self.handle(type_name, self.types().list_resource(type_name)?))
    }

    /// The action type `type_name`, looked up once for a request.
    pub fn action<'a>(&'a self, type_name: &'a str) -> Result<ActionHandle<'a, P>, Diagnostic> {
        Ok(self.handle(type_name, self.types().action(type_name)?))
    }

    fn handle<'a, T>(&'a self, name: &'a str, entry: &'a TypeEntry<T>) -> TypeHandle<'a, P, T> {
        TypeHandle {
            server: self,
            name,
            entry,
        }
    }

    /// Calls a provider-defined function by name.
    pub fn call_function(&self, name: &str, args: &[Value]) -> Result<Value, FunctionError> {
        let f = self.types().function(name)?;
        f.call(args)
    }
}

/// One type of a [`Server`], looked up by name once for a request ([`Server::resource`],
/// [`Server::data_source`], ...): every step of the request runs on it.
pub struct TypeHandle<'a, P: Provider, T> {
    server: &'a Server<P>,
    name: &'a str,
    entry: &'a TypeEntry<T>,
}

pub type ResourceHandle<'a, P> = TypeHandle<'a, P, ServedResource<<P as Provider>::Data>>;
pub type DataSourceHandle<'a, P> = TypeHandle<'a, P, Box<dyn DynDataSource<<P as Provider>::Data>>>;
pub type EphemeralHandle<'a, P> =
    TypeHandle<'a, P, Box<dyn DynEphemeralResource<<P as Provider>::Data>>>;
pub type ListHandle<'a, P> = TypeHandle<'a, P, Box<dyn DynListResource<<P as Provider>::Data>>>;
pub type ActionHandle<'a, P> = TypeHandle<'a, P, Box<dyn DynAction<<P as Provider>::Data>>>;

impl<'a, P: Provider, T> TypeHandle<'a, P, T> {
    /// The full type name (`ivschat_room`).
    pub fn name(&self) -> &'a str {
        self.name
    }

    pub fn schema(&self) -> &'a Schema {
        &self.entry.schema
    }

    /// The schema's implied type: what the type's values are decoded and encoded against.
    pub fn ty(&self) -> &'a Type {
        &self.entry.ty
    }

    /// The schema's checks on `config`.
    fn check(&self, config: &Value) -> Diagnostics {
        validate::validate(&self.entry.schema.block, config)
    }
}

impl<'a, P: Provider> ResourceHandle<'a, P> {
    fn imp(&self) -> &'a dyn DynResource<P::Data> {
        &*self.entry.imp.resource
    }

    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.check(config);
        self.imp().validate(config, &mut diags);
        diags
    }

    /// State as stored (JSON), migrated to the current schema version and decoded.
    pub fn upgrade_state(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let (type_name, schema) = (self.name, self.schema());
        let mut raw = raw_json.to_vec();
        if version > schema.version {
            return Err(Diagnostic::error(
                "State Written By A Newer Provider",
                format!(
                    "The state of this {type_name} was written at schema version {version}, but this provider \
                     only knows up to version {}. Upgrade the provider.",
                    schema.version
                ),
            )
            .into());
        }
        if version < schema.version {
            let mut state: serde_json::Value = serde_json::from_slice(&raw).map_err(|e| {
                Diagnostic::error(
                    "Unreadable Resource State",
                    format!("The stored state is not JSON: {e}."),
                )
            })?;
            for from in version..schema.version {
                state = self.imp().upgrade_state(from, state)?;
            }
            raw = serde_json::to_vec(&state).map_err(Diagnostic::bug)?;
        }
        json::decode_lenient(&raw, self.ty()).map_err(|e| {
            Diagnostic::error(
                "Unreadable Resource State",
                format!("The stored state of this {type_name} does not match its schema: {e}."),
            )
            .into()
        })
    }

    fn context(&self, data: &'a P::Data, object: &Value, operation: &str) -> Context<'a, P::Data> {
        let timeout = timeouts::configured(object, operation)
            .unwrap_or_else(|| self.imp().default_timeout(operation));
        Context::new(data, &self.server.stop, timeout)
    }

    /// The configuration a person would write for an object in `state`
    /// (GenerateResourceConfig): the type's own shaping, then the schema's
    /// ([`generate::config_from_state`]).
    pub fn generate_config(&self, state: &Value) -> Result<Value, Diagnostics> {
        let data = self.server.data();
        let mut config = self
            .imp()
            .generate_config(data.as_deref(), self.ty(), state)?;
        generate::config_from_state(&self.schema().block, &mut config);
        Ok(config)
    }

    /// The object as it is now, or null when it is gone, with the object's private state: the
    /// bytes Terraform sent in, the bytes to store out.
    pub async fn read(
        &self,
        state: &Value,
        private: Option<&[u8]>,
    ) -> (Value, Vec<u8>, Diagnostics) {
        let unchanged = || private.map(<[u8]>::to_vec).unwrap_or_default();
        if state.is_null() {
            return (Value::Null, Vec::new(), Diagnostics::new());
        }
        let Some(data) = self.server.data() else {
            return (state.clone(), unchanged(), not_configured());
        };
        let ctx = self
            .context(&data, state, "read")
            .with_private(PrivateState::decode(private));
        let result = self.imp().read(&ctx, self.ty(), state).await;
        let private = ctx.private_state().encode();
        match result {
            Ok(Some(mut new)) => {
                let mut unknown = Vec::new();
                merge::null_out_unknowns(&mut new, &Path::root(), &mut unknown);
                (new, private, Diagnostics::new())
            }
            Ok(None) => (Value::Null, Vec::new(), Diagnostics::new()),
            // Keep the prior state on failure: a failed read must never drop the object.
            Err(diags) => (state.clone(), private, diags),
        }
    }

    pub fn plan(&self, prior: &Value, proposed: &Value, config: &Value) -> PlannedChange {
        let mut planned = plan::plan(self.schema(), prior, proposed, config);
        if !planned.value.is_null() {
            let data = self.server.data();
            self.imp().modify_plan(PlanRequest {
                provider: data.as_deref(),
                config,
                prior,
                plan: &mut planned.value,
                requires_replace: &mut planned.requires_replace,
                diags: &mut planned.diags,
            });
            planned.requires_replace.sort();
            planned.requires_replace.dedup();
        }
        PlannedChange {
            planned: planned.value,
            requires_replace: planned.requires_replace,
            diags: planned.diags,
        }
    }

    /// Create (null prior), delete (null plan) or update, returning the new state and the
    /// object's private state (the plan's planned private bytes in, the bytes to store out). On
    /// failure the returned state is what exists: prior state, or the partial object a create
    /// made. Runs under the operation's time limit: a failure after it passed says which
    /// operation ran out, after how long, and what exists.
    pub async fn apply(
        &self,
        prior: &Value,
        planned: &Value,
        private: Option<&[u8]>,
    ) -> (Value, Vec<u8>, Diagnostics) {
        let type_name = self.name;
        let unchanged = || private.map(<[u8]>::to_vec).unwrap_or_default();
        let Some(data) = self.server.data() else {
            return (prior.clone(), unchanged(), not_configured());
        };
        let operation = if planned.is_null() {
            "delete"
        } else if prior.is_null() {
            "create"
        } else {
            "update"
        };
        let object = if planned.is_null() { prior } else { planned };
        let ctx = self
            .context(&data, object, operation)
            .with_private(PrivateState::decode(private));
        if planned.is_null() {
            let result = self.imp().delete(&ctx, prior).await;
            return match result {
                Ok(()) => (Value::Null, Vec::new(), Diagnostics::new()),
                Err(mut diags) => {
                    overran(&ctx, type_name, operation, true, &mut diags);
                    (prior.clone(), ctx.private_state().encode(), diags)
                }
            };
        }
        let result = if prior.is_null() {
            self.imp().create(&ctx, self.ty(), planned).await
        } else {
            self.imp().update(&ctx, self.ty(), prior, planned).await
        };
        let private = ctx.private_state().encode();
        let (state, mut diags) = match result {
            Ok(actual) => {
                let mut new = merge::fill_unknowns(planned, &actual);
                let mut unknown = Vec::new();
                merge::null_out_unknowns(&mut new, &Path::root(), &mut unknown);
                let diags = unknown
                    .into_iter()
                    .map(|p| {
                        Diagnostic::bug(format!(
                            "{type_name} left attribute {p} unknown after apply"
                        ))
                        .at(p)
                    })
                    .collect();
                (new, diags)
            }
            Err((partial, diags)) => {
                let state = match partial {
                    // A failed update's partial object is what the resource knows exists: prior
                    // values for what was not applied, new values only for what the API
                    // confirmed. Filling it from the plan would record unapplied values.
                    Some(mut actual) if !prior.is_null() => {
                        merge::null_out_unknowns(&mut actual, &Path::root(), &mut Vec::new());
                        actual
                    }
                    Some(actual) => {
                        let mut new = merge::fill_unknowns(planned, &actual);
                        merge::null_out_unknowns(&mut new, &Path::root(), &mut Vec::new());
                        new
                    }
                    None if prior.is_null() => Value::Null,
                    None => prior.clone(),
                };
                (state, diags)
            }
        };
        overran(&ctx, type_name, operation, !state.is_null(), &mut diags);
        (state, private, diags)
    }

    /// The objects an import id names (one), still to be read by Terraform.
    pub async fn import(&self, id: &str) -> (Option<Value>, Diagnostics) {
        let Some(data) = self.server.data() else {
            return (None, not_configured());
        };
        let ctx = self.context(&data, &Value::Null, "read");
        match self.imp().import(&ctx, self.ty(), id).await {
            None => (
                None,
                Diagnostic::error(
                    "Resource Import Not Implemented",
                    format!("{} cannot be imported.", self.name),
                )
                .into(),
            ),
            Some(Ok(mut v)) => {
                merge::null_out_unknowns(&mut v, &Path::root(), &mut Vec::new());
                (Some(v), Diagnostics::new())
            }
            Some(Err(diags)) => (None, diags),
        }
    }
}

impl<'a, P: Provider> DataSourceHandle<'a, P> {
    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.check(config);
        self.entry.imp.validate(config, &mut diags);
        diags
    }

    pub async fn read(&self, config: &Value) -> (Value, Diagnostics) {
        let Some(data) = self.server.data() else {
            return (config.clone(), not_configured());
        };
        let ctx = Context::new(&*data, &self.server.stop, DATA_SOURCE_TIMEOUT);
        match self.entry.imp.read(&ctx, self.ty(), config).await {
            Ok(actual) => {
                let mut new = merge::keep_config(config, &actual);
                let mut unknown = Vec::new();
                merge::null_out_unknowns(&mut new, &Path::root(), &mut unknown);
                let diags = unknown
                    .into_iter()
                    .map(|p| {
                        Diagnostic::bug(format!("{} left attribute {p} unknown", self.name)).at(p)
                    })
                    .collect();
                (new, diags)
            }
            Err(diags) => (config.clone(), diags),
        }
    }
}

impl<'a, P: Provider> EphemeralHandle<'a, P> {
    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.check(config);
        self.entry.imp.validate(config, &mut diags);
        diags
    }

    fn context(&self, data: &'a P::Data) -> Context<'a, P::Data> {
        Context::new(data, &self.server.stop, DATA_SOURCE_TIMEOUT)
    }

    /// Opens an ephemeral resource: its result (configuration kept, computed attributes set),
    /// renewal deadline and private bytes.
    pub async fn open(&self, config: &Value) -> Result<OpenedValue, Diagnostics> {
        if !config.is_wholly_known() {
            // Terraform opens an ephemeral resource only once its configuration is known; answer
            // an unknown result rather than calling the API with partial arguments.
            return Ok(Opened {
                result: merge::keep_config(config, &unknown_object(self.ty())),
                renew_at: None,
                private: None,
            });
        }
        let data = self.server.data().ok_or_else(not_configured)?;
        let mut opened = self
            .entry
            .imp
            .open(&self.context(&data), self.ty(), config)
            .await?;
        let mut result = merge::keep_config(config, &opened.result);
        let mut unknown = Vec::new();
        merge::null_out_unknowns(&mut result, &Path::root(), &mut unknown);
        if let Some(p) = unknown.into_iter().next() {
            return Err(Diagnostic::bug(format!(
                "{} left attribute {p} unknown after open",
                self.name
            ))
            .into());
        }
        opened.result = result;
        Ok(opened)
    }

    pub async fn renew(&self, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        let data = self.server.data().ok_or_else(not_configured)?;
        self.entry.imp.renew(&self.context(&data), private).await
    }

    pub async fn close(&self, private: Option<Vec<u8>>) -> Diagnostics {
        let Some(data) = self.server.data() else {
            return not_configured();
        };
        match self.entry.imp.close(&self.context(&data), private).await {
            Ok(()) => Diagnostics::new(),
            Err(diags) => diags,
        }
    }
}

/// When an operation failed after its time limit passed, says so: which operation, after how
/// long, and what exists now (Terraform keeps a created object in state, tainted).
fn overran<D>(
    ctx: &Context<'_, D>,
    type_name: &str,
    operation: &str,
    exists: bool,
    diags: &mut Diagnostics,
) {
    if !diags.has_errors() || !ctx.timed_out() {
        return;
    }
    let what = match (operation, exists) {
        ("create", true) => {
            "The object was created and stays in state, marked tainted: the next apply replaces it \
             (or untaint it if it is fine)."
        }
        ("create", false) => "No object was recorded in state.",
        ("delete", _) => "The object stays in state; apply or destroy again to finish deleting it.",
        _ => "The state records what was applied before the limit; apply again to finish.",
    };
    diags.push(Diagnostic::error(
        "Operation Timed Out",
        format!(
            "The {operation} of this {type_name} did not finish within its time limit of {} \
             (it ran {:.1}s). {what} Raise the limit in the resource's `timeouts` block if the \
             service is slow.",
            crate::duration::format_go_duration(ctx.timeout),
            ctx.elapsed().as_secs_f64()
        ),
    ));
}

/// An object of type `ty` whose attributes are all unknown.
fn unknown_object(ty: &crate::value::Type) -> Value {
    match ty {
        crate::value::Type::Object(attrs) => Value::Object(
            attrs
                .keys()
                .map(|k| (k.clone(), Value::unknown()))
                .collect(),
        ),
        _ => Value::unknown(),
    }
}

#[cfg(test)]
mod tests;
