//! List resources (protocol 6.10, Terraform 1.14+): `list "ivschat_room" "all" { ... }` blocks
//! in `.tfquery.hcl` files, run by `terraform query`. A list resource shares its type name with
//! a managed resource: it finds that resource's objects, and Terraform can import them (the
//! identity of each comes from the managed resource's identity schema) or generate their
//! configuration (from the full object, sent when the query asks for it).

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::server::resource::Context;
use crate::server::{Provider, Server, identity, merge};
use crate::value::{Path, Type, Value, msgpack};
use crate::value_serde;

/// One object found.
#[derive(Debug)]
pub struct Listed<M> {
    /// What `terraform query` prints for it.
    pub display_name: String,
    /// The object as the managed resource's state would hold it. When the query did not ask for
    /// full objects, only the identity attributes (and what the listing returned anyway) need
    /// be set.
    pub object: M,
}

/// What a listing is asked for.
#[derive(Clone, Copy, Debug)]
pub struct ListRequest {
    /// Whether each object must be complete (`include_resource = true`, or generating
    /// configuration): worth extra reads.
    pub full: bool,
    /// Terraform reads at most this many objects: stop there.
    pub limit: usize,
}

/// A list resource type, typed for its implementation.
#[async_trait]
pub trait ListResource<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// The `config { ... }` block's model.
    type Config: DeserializeOwned + Send + Sync;
    /// The managed resource's model.
    type Model: Serialize + Send + Sync;

    /// The managed resource's name after the provider prefix (`room` for `ivschat_room`).
    fn name(&self) -> &'static str;

    /// The schema of the `config` block.
    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    async fn list(
        &self,
        ctx: &Context<'_, D>,
        config: Self::Config,
        request: ListRequest,
    ) -> Result<Vec<Listed<Self::Model>>, Diagnostics>;
}

/// The erased face of a list resource, working on values (`ty` is the managed resource's type).
#[async_trait]
pub trait DynListResource<D>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn list(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
        request: ListRequest,
    ) -> Result<Vec<Listed<Value>>, Diagnostics>;
}

#[async_trait]
impl<D, L> DynListResource<D> for L
where
    D: Send + Sync + 'static,
    L: ListResource<D>,
{
    fn name(&self) -> &'static str {
        ListResource::name(self)
    }

    fn schema(&self) -> Schema {
        ListResource::schema(self)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        ListResource::validate(self, config, diags);
    }

    async fn list(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
        request: ListRequest,
    ) -> Result<Vec<Listed<Value>>, Diagnostics> {
        let config: L::Config =
            value_serde::from_value(config).map_err(|e| e.diagnostic("the list configuration"))?;
        let found = ListResource::list(self, ctx, config, request).await?;
        found
            .into_iter()
            .map(|l| {
                let object = value_serde::to_value(&l.object, ty).map_err(|e| {
                    Diagnostics::from(Diagnostic::bug(format!(
                        "a listed object does not fit the resource schema: {e}"
                    )))
                })?;
                Ok(Listed {
                    display_name: l.display_name,
                    object,
                })
            })
            .collect()
    }
}

/// What a listing yields for Terraform: one event per object found, or the diagnostics of a
/// listing that failed.
#[derive(Debug)]
pub enum ListEvent {
    Found {
        display_name: String,
        /// The object's identity, msgpack-encoded.
        identity: Vec<u8>,
        /// The full object, msgpack-encoded, when the query asked for it.
        resource_object: Option<Vec<u8>>,
    },
    Failed(Diagnostics),
}

/// Decodes a request's configuration given the list resource's configuration type.
pub type ConfigDecoder<'a> = Box<dyn FnOnce(&Type) -> Result<Value, Diagnostic> + Send + 'a>;

/// A ListResource request, decoded but for its configuration, which `config` decodes given the
/// list resource's configuration type.
pub struct ListQuery<'a> {
    pub type_name: &'a str,
    pub config: ConfigDecoder<'a>,
    pub include_resource_object: bool,
    /// At most this many objects; 0 or less: no limit.
    pub limit: i64,
}

fn diagnostics_event(diags: &Diagnostics) -> ListEvent {
    ListEvent::Failed(diags.clone())
}

impl<P: Provider> crate::server::ListHandle<'_, P> {
    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.check(config);
        self.entry.imp.validate(config, &mut diags);
        diags
    }
}

impl<P: Provider> Server<P> {
    /// Runs a listing and shapes what it found as ListResource events: one per object (identity,
    /// display name, and the object itself when asked for), or one event carrying the
    /// diagnostics when the listing failed.
    pub async fn list_resource_events(&self, req: ListQuery<'_>) -> Vec<ListEvent> {
        let registry = self.types();
        let (l, r) = match (
            registry.list_resource(req.type_name),
            registry.resource(req.type_name),
        ) {
            (Ok(l), Ok(r)) => (l, r),
            (Err(d), _) | (_, Err(d)) => return vec![diagnostics_event(&d.into())],
        };
        let Some(identity_schema) = r.imp.resource.identity() else {
            return vec![diagnostics_event(
                &Diagnostic::bug(format!("{} has no identity schema", req.type_name)).into(),
            )];
        };
        let config = match (req.config)(&l.ty) {
            Ok(c) => c,
            Err(d) => return vec![diagnostics_event(&d.into())],
        };
        let Some(data) = self.data() else {
            return vec![diagnostics_event(&super::not_configured())];
        };
        let ctx = Context::new(&*data, &self.stop, super::DATA_SOURCE_TIMEOUT);
        let limit = usize::try_from(req.limit)
            .ok()
            .filter(|l| *l > 0)
            .unwrap_or(usize::MAX);
        let request = ListRequest {
            full: req.include_resource_object,
            limit,
        };
        let found = match l.imp.list(&ctx, &r.ty, &config, request).await {
            Ok(found) => found,
            Err(diags) => return vec![diagnostics_event(&diags)],
        };
        let mut events = Vec::with_capacity(found.len().min(limit));
        for listed in found.into_iter().take(limit) {
            let mut object = listed.object;
            merge::null_out_unknowns(&mut object, &Path::root(), &mut Vec::new());
            let Some(id) = identity_schema.from_state(&object) else {
                continue;
            };
            let encoded = identity::encode(&id, &identity_schema).and_then(|identity| {
                let resource_object = if req.include_resource_object {
                    Some(msgpack::encode(&object, &r.ty).map_err(|e| {
                        Diagnostic::bug(format!("cannot encode a value for Terraform: {e}"))
                    })?)
                } else {
                    None
                };
                Ok((identity, resource_object))
            });
            match encoded {
                Ok((identity, resource_object)) => events.push(ListEvent::Found {
                    display_name: listed.display_name,
                    identity,
                    resource_object,
                }),
                Err(d) => {
                    events.push(diagnostics_event(&d.into()));
                    break;
                }
            }
        }
        events
    }
}
