//! The generic provider server: turns protocol-level requests (already decoded into values) into
//! calls on the registered resource and data source types, and enforces Terraform's rules on
//! what comes back. Nothing here knows about IVS Chat; nothing in a resource knows about this.
//!
//! - [`provider`], [`resource`], [`data_source`]: the contracts types implement.
//! - [`plan`], [`validate`], [`merge`], [`timeouts`]: the steps, each pure and unit-tested.
//! - [`generate`]: configuration generated from state (GenerateResourceConfig).
//! - [`grpc`]: the tfplugin6 gRPC service over this server (decode, call, encode).

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

mod registry;

use std::sync::{Arc, OnceLock, RwLock};

use tokio_util::sync::CancellationToken;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::value::{Path, Value, json};

pub use action::{Action, DynAction, Progress};
pub use data_source::{DataSource, DynDataSource};
pub use ephemeral::{DynEphemeralResource, EphemeralResource, Opened, OpenedValue, Renewed};
pub use function::{Function, FunctionError, Parameter};
pub use identity::IdentitySchema;
pub use list::{DynListResource, ListRequest, ListResource, Listed};
pub use move_state::MoveSource;
pub use private::{PrivateData, PrivateState};
pub use provider::Provider;
pub use registry::{Registered, Registry};
pub use resource::{Context, DynResource, Failed, PlanRequest, Resource};

/// The outcome of planning one resource change.
#[derive(Debug)]
pub struct PlannedChange {
    pub planned: Value,
    pub requires_replace: Vec<Path>,
    pub diags: Diagnostics,
}

pub struct Server<P: Provider> {
    provider: P,
    registry: OnceLock<Registry<P::Data>>,
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
            registry: OnceLock::new(),
            data: RwLock::new(None),
            stop: CancellationToken::new(),
        }
    }

    /// Schemas are built on first use, not at start-up, so the handshake is never delayed.
    pub fn registry(&self) -> &Registry<P::Data> {
        self.registry.get_or_init(|| Registry::new(&self.provider))
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
        let mut diags = validate::validate(&self.registry().provider_schema.block, config);
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

    pub fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let r = match self.registry().resource(type_name) {
            Ok(r) => r,
            Err(d) => return d.into(),
        };
        let mut diags = validate::validate(&r.schema.block, config);
        r.imp.validate(config, &mut diags);
        diags
    }

    pub fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let d = match self.registry().data_source(type_name) {
            Ok(d) => d,
            Err(d) => return d.into(),
        };
        let mut diags = validate::validate(&d.schema.block, config);
        d.imp.validate(config, &mut diags);
        diags
    }

    /// State as stored (JSON), migrated to the current schema version and decoded.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let r = self.registry().resource(type_name)?;
        let mut raw = raw_json.to_vec();
        if version > r.schema.version {
            return Err(Diagnostic::error(
                "State Written By A Newer Provider",
                format!(
                    "The state of this {type_name} was written at schema version {version}, but this provider \
                     only knows up to version {}. Upgrade the provider.",
                    r.schema.version
                ),
            )
            .into());
        }
        if version < r.schema.version {
            let mut state: serde_json::Value = serde_json::from_slice(&raw).map_err(|e| {
                Diagnostic::error(
                    "Unreadable Resource State",
                    format!("The stored state is not JSON: {e}."),
                )
            })?;
            for from in version..r.schema.version {
                state = r.imp.upgrade_state(from, state)?;
            }
            raw = serde_json::to_vec(&state).map_err(Diagnostic::bug)?;
        }
        json::decode_lenient(&raw, &r.ty).map_err(|e| {
            Diagnostic::error(
                "Unreadable Resource State",
                format!("The stored state of this {type_name} does not match its schema: {e}."),
            )
            .into()
        })
    }

    fn context<'a>(
        &'a self,
        data: &'a P::Data,
        object: &Value,
        operation: &str,
        r: &Registered<Box<dyn DynResource<P::Data>>>,
    ) -> Context<'a, P::Data> {
        let timeout = timeouts::configured(object, operation)
            .unwrap_or_else(|| r.imp.default_timeout(operation));
        Context::new(data, &self.stop, timeout)
    }

    /// The configuration a person would write for an object in `state`
    /// (GenerateResourceConfig): the type's own shaping, then the schema's
    /// ([`generate::config_from_state`]).
    pub fn generate_resource_config(
        &self,
        type_name: &str,
        state: &Value,
    ) -> Result<Value, Diagnostics> {
        let r = self.registry().resource(type_name)?;
        let data = self.data();
        let mut config = r.imp.generate_config(data.as_deref(), &r.ty, state)?;
        generate::config_from_state(&r.schema.block, &mut config);
        Ok(config)
    }

    /// The object as it is now, or null when it is gone.
    pub async fn read_resource(&self, type_name: &str, state: &Value) -> (Value, Diagnostics) {
        let (state, _, diags) = self.read_resource_private(type_name, state, None).await;
        (state, diags)
    }

    /// [`Server::read_resource`] with the object's private state: the bytes Terraform sent in,
    /// the bytes to store out.
    pub async fn read_resource_private(
        &self,
        type_name: &str,
        state: &Value,
        private: Option<&[u8]>,
    ) -> (Value, Vec<u8>, Diagnostics) {
        let unchanged = || private.map(<[u8]>::to_vec).unwrap_or_default();
        let r = match self.registry().resource(type_name) {
            Ok(r) => r,
            Err(d) => return (state.clone(), unchanged(), d.into()),
        };
        if state.is_null() {
            return (Value::Null, Vec::new(), Diagnostics::new());
        }
        let Some(data) = self.data() else {
            return (state.clone(), unchanged(), not_configured());
        };
        let ctx = self
            .context(&data, state, "read", r)
            .with_private(PrivateState::decode(private));
        let result = r.imp.read(&ctx, &r.ty, state).await;
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

    pub fn plan_resource_change(
        &self,
        type_name: &str,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> PlannedChange {
        let r = match self.registry().resource(type_name) {
            Ok(r) => r,
            Err(d) => {
                return PlannedChange {
                    planned: proposed.clone(),
                    requires_replace: vec![],
                    diags: d.into(),
                };
            }
        };
        let mut planned = plan::plan(&r.schema, prior, proposed, config);
        if !planned.value.is_null() {
            let data = self.data();
            r.imp.modify_plan(PlanRequest {
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

    /// Create (null prior), delete (null plan) or update, returning the new state. On failure the
    /// returned state is what exists: prior state, or the partial object a create made.
    pub async fn apply_resource_change(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
    ) -> (Value, Diagnostics) {
        let (state, _, diags) = self
            .apply_resource_change_private(type_name, prior, planned, None)
            .await;
        (state, diags)
    }

    /// [`Server::apply_resource_change`] with the object's private state (the plan's planned
    /// private bytes in, the bytes to store out). Runs under the operation's time limit: a
    /// failure after it passed says which operation ran out, after how long, and what exists.
    pub async fn apply_resource_change_private(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        private: Option<&[u8]>,
    ) -> (Value, Vec<u8>, Diagnostics) {
        let unchanged = || private.map(<[u8]>::to_vec).unwrap_or_default();
        let r = match self.registry().resource(type_name) {
            Ok(r) => r,
            Err(d) => return (prior.clone(), unchanged(), d.into()),
        };
        let Some(data) = self.data() else {
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
            .context(&data, object, operation, r)
            .with_private(PrivateState::decode(private));
        if planned.is_null() {
            let result = r.imp.delete(&ctx, prior).await;
            return match result {
                Ok(()) => (Value::Null, Vec::new(), Diagnostics::new()),
                Err(mut diags) => {
                    overran(&ctx, type_name, operation, true, &mut diags);
                    (prior.clone(), ctx.private_state().encode(), diags)
                }
            };
        }
        let result = if prior.is_null() {
            r.imp.create(&ctx, &r.ty, planned).await
        } else {
            r.imp.update(&ctx, &r.ty, prior, planned).await
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
    pub async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> (Option<Value>, Diagnostics) {
        let r = match self.registry().resource(type_name) {
            Ok(r) => r,
            Err(d) => return (None, d.into()),
        };
        let Some(data) = self.data() else {
            return (None, not_configured());
        };
        let ctx = self.context(&data, &Value::Null, "read", r);
        match r.imp.import(&ctx, &r.ty, id).await {
            None => (
                None,
                Diagnostic::error(
                    "Resource Import Not Implemented",
                    format!("{type_name} cannot be imported."),
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

    pub async fn read_data_source(&self, type_name: &str, config: &Value) -> (Value, Diagnostics) {
        let d = match self.registry().data_source(type_name) {
            Ok(d) => d,
            Err(diag) => return (config.clone(), diag.into()),
        };
        let Some(data) = self.data() else {
            return (config.clone(), not_configured());
        };
        let ctx = Context::new(&*data, &self.stop, DATA_SOURCE_TIMEOUT);
        match d.imp.read(&ctx, &d.ty, config).await {
            Ok(actual) => {
                let mut new = merge::keep_config(config, &actual);
                let mut unknown = Vec::new();
                merge::null_out_unknowns(&mut new, &Path::root(), &mut unknown);
                let diags = unknown
                    .into_iter()
                    .map(|p| {
                        Diagnostic::bug(format!("{type_name} left attribute {p} unknown")).at(p)
                    })
                    .collect();
                (new, diags)
            }
            Err(diags) => (config.clone(), diags),
        }
    }

    pub fn validate_ephemeral_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Diagnostics {
        let e = match self.registry().ephemeral_resource(type_name) {
            Ok(e) => e,
            Err(d) => return d.into(),
        };
        let mut diags = validate::validate(&e.schema.block, config);
        e.imp.validate(config, &mut diags);
        diags
    }

    /// Opens an ephemeral resource: its result (configuration kept, computed attributes set),
    /// renewal deadline and private bytes.
    pub async fn open_ephemeral_resource(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<OpenedValue, Diagnostics> {
        let e = self.registry().ephemeral_resource(type_name)?;
        if !config.is_wholly_known() {
            // Terraform opens an ephemeral resource only once its configuration is known; answer
            // an unknown result rather than calling the API with partial arguments.
            return Ok(Opened {
                result: merge::keep_config(config, &unknown_object(&e.ty)),
                renew_at: None,
                private: None,
            });
        }
        let data = self.data().ok_or_else(not_configured)?;
        let ctx = self.ephemeral_context(&data);
        let mut opened = e.imp.open(&ctx, &e.ty, config).await?;
        let mut result = merge::keep_config(config, &opened.result);
        let mut unknown = Vec::new();
        merge::null_out_unknowns(&mut result, &Path::root(), &mut unknown);
        if let Some(p) = unknown.into_iter().next() {
            return Err(Diagnostic::bug(format!(
                "{type_name} left attribute {p} unknown after open"
            ))
            .into());
        }
        opened.result = result;
        Ok(opened)
    }

    pub async fn renew_ephemeral_resource(
        &self,
        type_name: &str,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics> {
        let e = self.registry().ephemeral_resource(type_name)?;
        let data = self.data().ok_or_else(not_configured)?;
        e.imp.renew(&self.ephemeral_context(&data), private).await
    }

    pub async fn close_ephemeral_resource(
        &self,
        type_name: &str,
        private: Option<Vec<u8>>,
    ) -> Diagnostics {
        let e = match self.registry().ephemeral_resource(type_name) {
            Ok(e) => e,
            Err(d) => return d.into(),
        };
        let Some(data) = self.data() else {
            return not_configured();
        };
        match e.imp.close(&self.ephemeral_context(&data), private).await {
            Ok(()) => Diagnostics::new(),
            Err(diags) => diags,
        }
    }

    fn ephemeral_context<'a>(&'a self, data: &'a P::Data) -> Context<'a, P::Data> {
        Context::new(data, &self.stop, DATA_SOURCE_TIMEOUT)
    }

    /// Calls a provider-defined function by name.
    pub fn call_function(&self, name: &str, args: &[Value]) -> Result<Value, FunctionError> {
        let f = self.registry().function(name)?;
        f.call(args)
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
            humantime_short(ctx.timeout),
            ctx.elapsed().as_secs_f64()
        ),
    ));
}

/// `90s` -> `1m30s`, as Terraform users write durations.
fn humantime_short(d: std::time::Duration) -> String {
    let total = d.as_secs();
    let millis = d.subsec_millis();
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || millis > 0 || out.is_empty() {
        if millis > 0 {
            out.push_str(&format!("{s}.{millis:03}s"));
        } else {
            out.push_str(&format!("{s}s"));
        }
    }
    out
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
