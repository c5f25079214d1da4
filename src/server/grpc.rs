//! The tfplugin6 `Provider` gRPC service over a [`Server`]: each RPC decodes its request with
//! [`wire`], calls the server, and encodes the answer. Problems travel as diagnostics in the
//! response; gRPC errors are kept for transport failures. RPCs not listed here answer
//! UNIMPLEMENTED through the generated default stubs.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::tfplugin6 as pb;
use crate::plugin::tfplugin6::provider_server;
use crate::server::list::ListQuery;
use crate::server::wire;
use crate::server::{Provider, Server, TypeHandle};
use crate::value::Value;

/// The gRPC face of a provider server.
pub struct GrpcProvider<P: Provider> {
    server: Arc<Server<P>>,
}

impl<P: Provider> GrpcProvider<P> {
    pub fn new(server: Arc<Server<P>>) -> GrpcProvider<P> {
        GrpcProvider { server }
    }
}

/// The values a request carries, decoded against the type its type name was looked up as: the
/// one decode step of an RPC, beside its one lookup.
fn decoded<'a, P: Provider, T, const N: usize>(
    found: Result<TypeHandle<'a, P, T>, Diagnostic>,
    values: [Option<&pb::DynamicValue>; N],
) -> Result<(TypeHandle<'a, P, T>, [Value; N]), Diagnostic> {
    let found = found?;
    let mut decoded: [Value; N] = std::array::from_fn(|_| Value::Null);
    for (slot, dv) in decoded.iter_mut().zip(values) {
        *slot = wire::decode(dv, found.ty())?;
    }
    Ok((found, decoded))
}

/// A response whose diagnostics say why the request was not carried out.
trait Refused: Default {
    fn refused(diagnostics: Vec<pb::Diagnostic>) -> Self;
}

macro_rules! refused {
    ($($response:ident),* $(,)?) => {$(
        impl Refused for pb::$response::Response {
            fn refused(diagnostics: Vec<pb::Diagnostic>) -> Self {
                #[allow(clippy::needless_update)]
                pb::$response::Response { diagnostics, ..Default::default() }
            }
        }
    )*};
}

refused!(
    validate_provider_config,
    configure_provider,
    validate_resource_config,
    validate_data_resource_config,
    upgrade_resource_state,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    import_resource_state,
    generate_resource_config,
    read_data_source,
    move_resource_state,
    validate_list_resource_config,
    validate_ephemeral_resource_config,
    open_ephemeral_resource,
    renew_ephemeral_resource,
    close_ephemeral_resource,
    validate_action_config,
    plan_action,
);

/// The response, or the diagnostics that stopped the request in one.
fn answer<R: Refused>(result: Result<R, Diagnostics>) -> Result<Response<R>, Status> {
    Ok(Response::new(result.unwrap_or_else(|diags| {
        R::refused(wire::diagnostics(&diags))
    })))
}

/// An encoded identity for a response.
fn identity(
    data: Result<Option<Vec<u8>>, Diagnostic>,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostic> {
    data.map(|id| id.map(wire::identity_data))
}

#[tonic::async_trait]
impl<P: Provider> provider_server::Provider for GrpcProvider<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let registry = self.server.types();
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: registry
                .resources
                .keys()
                .map(|name| pb::get_metadata::ResourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            data_sources: registry
                .data_sources
                .keys()
                .map(|name| pb::get_metadata::DataSourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            list_resources: registry
                .list_resources
                .keys()
                .map(|name| pb::get_metadata::ListResourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            ephemeral_resources: registry
                .ephemeral_resources
                .keys()
                .map(|name| pb::get_metadata::EphemeralMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            functions: registry
                .functions
                .keys()
                .map(|name| pb::get_metadata::FunctionMetadata { name: name.clone() })
                .collect(),
            actions: registry
                .actions
                .keys()
                .map(|name| pb::get_metadata::ActionMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let registry = self.server.types();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(wire::schema(&registry.provider_schema)),
            resource_schemas: registry
                .resources
                .iter()
                .map(|(n, r)| (n.clone(), wire::schema(&r.schema)))
                .collect(),
            data_source_schemas: registry
                .data_sources
                .iter()
                .map(|(n, d)| (n.clone(), wire::schema(&d.schema)))
                .collect(),
            list_resource_schemas: registry
                .list_resources
                .iter()
                .map(|(n, l)| (n.clone(), wire::schema(&l.schema)))
                .collect(),
            ephemeral_resource_schemas: registry
                .ephemeral_resources
                .iter()
                .map(|(n, e)| (n.clone(), wire::schema(&e.schema)))
                .collect(),
            functions: registry
                .functions
                .iter()
                .map(|(n, f)| (n.clone(), wire::function(f)))
                .collect(),
            action_schemas: registry
                .actions
                .iter()
                .map(|(n, a)| {
                    (
                        n.clone(),
                        pb::ActionSchema {
                            schema: Some(wire::schema(&a.schema)),
                        },
                    )
                })
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let config = wire::decode(req.config.as_ref(), &self.server.types().provider_type)?;
            Ok(pb::validate_provider_config::Response {
                diagnostics: wire::diagnostics(&self.server.validate_provider_config(&config)),
            })
        })())
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let ty = &self.server.types().provider_type;
                let config = wire::decode(req.config.as_ref(), ty)?;
                let diags = self.server.configure(&config).await;
                Ok(pb::configure_provider::Response {
                    diagnostics: wire::diagnostics(&diags),
                })
            }
            .await,
        )
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (r, [config]) =
                decoded(self.server.resource(&req.type_name), [req.config.as_ref()])?;
            Ok(pb::validate_resource_config::Response {
                diagnostics: wire::diagnostics(&r.validate(&config)),
            })
        })())
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (d, [config]) = decoded(
                self.server.data_source(&req.type_name),
                [req.config.as_ref()],
            )?;
            Ok(pb::validate_data_resource_config::Response {
                diagnostics: wire::diagnostics(&d.validate(&config)),
            })
        })())
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let r = self.server.resource(&req.type_name)?;
            let raw = req.raw_state.map(|s| s.json).unwrap_or_default();
            let state = if raw.is_empty() {
                Value::Null
            } else {
                r.upgrade_state(req.version, &raw)?
            };
            Ok(pb::upgrade_resource_state::Response {
                upgraded_state: Some(wire::encode(&state, r.ty())?),
                diagnostics: Vec::new(),
            })
        })())
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let (r, [state]) = decoded(
                    self.server.resource(&req.type_name),
                    [req.current_state.as_ref()],
                )?;
                let (new_state, private, diags) = r.read(&state, Some(&req.private)).await;
                Ok(pb::read_resource::Response {
                    new_state: Some(wire::encode(&new_state, r.ty())?),
                    diagnostics: wire::diagnostics(&diags),
                    private,
                    new_identity: identity(r.identity_data(&new_state))?,
                    ..Default::default()
                })
            }
            .await,
        )
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (r, [prior, proposed, config]) = decoded(
                self.server.resource(&req.type_name),
                [
                    req.prior_state.as_ref(),
                    req.proposed_new_state.as_ref(),
                    req.config.as_ref(),
                ],
            )?;
            let change = r.plan(&prior, &proposed, &config);
            Ok(pb::plan_resource_change::Response {
                planned_state: Some(wire::encode(&change.planned, r.ty())?),
                requires_replace: change
                    .requires_replace
                    .iter()
                    .map(wire::attribute_path)
                    .collect(),
                planned_private: req.prior_private.clone(),
                diagnostics: wire::diagnostics(&change.diags),
                planned_identity: identity(r.identity_data(&change.planned))?,
                ..Default::default()
            })
        })())
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let (r, [prior, planned]) = decoded(
                    self.server.resource(&req.type_name),
                    [req.prior_state.as_ref(), req.planned_state.as_ref()],
                )?;
                let (new_state, private, diags) =
                    r.apply(&prior, &planned, Some(&req.planned_private)).await;
                Ok(pb::apply_resource_change::Response {
                    new_state: Some(wire::encode(&new_state, r.ty())?),
                    private,
                    diagnostics: wire::diagnostics(&diags),
                    new_identity: identity(r.identity_data(&new_state))?,
                    ..Default::default()
                })
            }
            .await,
        )
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let r = self.server.resource(&req.type_name)?;
                // An `import { identity = {...} }` block sends the identity instead of an id.
                let id = match &req.identity {
                    Some(identity) if req.id.is_empty() => r.import_id_from_identity(|ty| {
                        wire::decode(identity.identity_data.as_ref(), ty)
                    })?,
                    _ => req.id.clone(),
                };
                let (state, diags) = r.import(&id).await;
                let imported_resources = match state {
                    Some(state) => vec![pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        identity: identity(r.identity_data(&state))?,
                        state: Some(wire::encode(&state, r.ty())?),
                        ..Default::default()
                    }],
                    None => Vec::new(),
                };
                Ok(pb::import_resource_state::Response {
                    imported_resources,
                    diagnostics: wire::diagnostics(&diags),
                    ..Default::default()
                })
            }
            .await,
        )
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (r, [state]) = decoded(self.server.resource(&req.type_name), [req.state.as_ref()])?;
            let config = r.generate_config(&state)?;
            Ok(pb::generate_resource_config::Response {
                config: Some(wire::encode(&config, r.ty())?),
                diagnostics: Vec::new(),
            })
        })())
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let (d, [config]) = decoded(
                    self.server.data_source(&req.type_name),
                    [req.config.as_ref()],
                )?;
                let (state, diags) = d.read(&config).await;
                Ok(pb::read_data_source::Response {
                    state: Some(wire::encode(&state, d.ty())?),
                    diagnostics: wire::diagnostics(&diags),
                    ..Default::default()
                })
            }
            .await,
        )
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .server
                .identity_schemas()
                .into_iter()
                .map(|(n, s)| (n, wire::identity_schema(&s)))
                .collect(),
            ..Default::default()
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = request.into_inner();
        let raw = req.raw_identity.map(|s| s.json).unwrap_or_default();
        Ok(Response::new(
            match self
                .server
                .upgrade_resource_identity(&req.type_name, req.version, &raw)
            {
                Ok(upgraded) => pb::upgrade_resource_identity::Response {
                    upgraded_identity: Some(wire::identity_data(upgraded)),
                    ..Default::default()
                },
                Err(diags) => pb::upgrade_resource_identity::Response {
                    diagnostics: wire::diagnostics(&diags),
                    ..Default::default()
                },
            },
        ))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let r = self.server.resource(&req.target_type_name)?;
            let raw = req
                .source_state
                .as_ref()
                .map(|s| s.json.as_slice())
                .unwrap_or_default();
            let state = serde_json::from_slice(raw).map_err(|e| {
                Diagnostic::error(
                    "Unreadable Source State",
                    format!(
                        "The state of the {} being moved is not JSON: {e}.",
                        req.source_type_name
                    ),
                )
            })?;
            let source = crate::server::MoveSource {
                provider_address: &req.source_provider_address,
                type_name: &req.source_type_name,
                schema_version: req.source_schema_version,
                state,
            };
            let moved = r.move_state(&source)?;
            Ok(pb::move_resource_state::Response {
                target_state: Some(wire::encode(&moved, r.ty())?),
                target_identity: identity(r.identity_data(&moved))?,
                ..Default::default()
            })
        })())
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<tonic::codegen::BoxStream<pb::list_resource::Event>>, Status> {
        let req = request.into_inner();
        let config = req.config;
        let events = self
            .server
            .list_resource_events(ListQuery {
                type_name: &req.type_name,
                config: Box::new(move |ty| wire::decode(config.as_ref(), ty)),
                include_resource_object: req.include_resource_object,
                limit: req.limit,
            })
            .await;
        Ok(Response::new(Box::pin(futures_util::stream::iter(
            events.into_iter().map(|e| Ok(wire::list_event(e))),
        ))))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (l, [config]) = decoded(
                self.server.list_resource(&req.type_name),
                [req.config.as_ref()],
            )?;
            Ok(pb::validate_list_resource_config::Response {
                diagnostics: wire::diagnostics(&l.validate(&config)),
            })
        })())
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (e, [config]) = decoded(
                self.server.ephemeral_resource(&req.type_name),
                [req.config.as_ref()],
            )?;
            Ok(pb::validate_ephemeral_resource_config::Response {
                diagnostics: wire::diagnostics(&e.validate(&config)),
            })
        })())
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let (e, [config]) = decoded(
                    self.server.ephemeral_resource(&req.type_name),
                    [req.config.as_ref()],
                )?;
                let opened = e.open(&config).await?;
                Ok(pb::open_ephemeral_resource::Response {
                    diagnostics: Vec::new(),
                    renew_at: opened.renew_at.map(wire::timestamp),
                    result: Some(wire::encode(&opened.result, e.ty())?),
                    private: opened.private,
                    deferred: None,
                })
            }
            .await,
        )
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let e = self.server.ephemeral_resource(&req.type_name)?;
                let renewed = e.renew(req.private.clone()).await?;
                Ok(pb::renew_ephemeral_resource::Response {
                    diagnostics: Vec::new(),
                    renew_at: renewed.renew_at.map(wire::timestamp),
                    private: renewed.private,
                })
            }
            .await,
        )
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        answer(
            async {
                let e = self.server.ephemeral_resource(&req.type_name)?;
                Ok(pb::close_ephemeral_resource::Response {
                    diagnostics: wire::diagnostics(&e.close(req.private.clone()).await),
                })
            }
            .await,
        )
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        let registry = self.server.types();
        Ok(Response::new(pb::get_functions::Response {
            functions: registry
                .functions
                .iter()
                .map(|(n, f)| (n.clone(), wire::function(f)))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        let failed = |e: crate::server::FunctionError| {
            Ok(Response::new(pb::call_function::Response {
                result: None,
                error: Some(wire::function_error(&e)),
            }))
        };
        let f = match self.server.types().function(&req.name) {
            Ok(f) => f,
            Err(e) => return failed(e),
        };
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, (dv, p)) in req.arguments.iter().zip(&f.parameters).enumerate() {
            match wire::decode(Some(dv), &p.ty) {
                Ok(v) => args.push(v),
                Err(d) => {
                    return failed(crate::server::FunctionError::argument(
                        i,
                        format!("{} {}", d.summary, d.detail),
                    ));
                }
            }
        }
        // Extra arguments are kept (as null) so that the count check reports them.
        args.resize(req.arguments.len().max(args.len()), Value::Null);
        let result = match self.server.call_function(&req.name, &args).and_then(|v| {
            wire::encode(&v, &f.return_type)
                .map_err(|d| crate::server::FunctionError::new(d.detail))
        }) {
            Ok(result) => result,
            Err(e) => return failed(e),
        };
        Ok(Response::new(pb::call_function::Response {
            result: Some(result),
            error: None,
        }))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (a, [config]) = decoded(self.server.action(&req.type_name), [req.config.as_ref()])?;
            Ok(pb::validate_action_config::Response {
                diagnostics: wire::diagnostics(&a.validate(&config)),
            })
        })())
    }

    /// Planning an action checks its configuration (values may still be unknown).
    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = request.into_inner();
        answer((|| {
            let (a, [config]) =
                decoded(self.server.action(&req.action_type), [req.config.as_ref()])?;
            Ok(pb::plan_action::Response {
                diagnostics: wire::diagnostics(&a.validate(&config)),
                deferred: None,
            })
        })())
    }

    /// Streams the action's progress lines, then one Completed event with its diagnostics.
    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<tonic::codegen::BoxStream<pb::invoke_action::Event>>, Status> {
        use futures_util::StreamExt as _;
        use pb::invoke_action::{Event, event};

        let req = request.into_inner();
        let (progress_tx, progress_rx) = tokio::sync::mpsc::unbounded_channel();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let server = self.server.clone();
        tokio::spawn(async move {
            let progress = crate::server::Progress::new(progress_tx);
            let diags = match decoded(server.action(&req.action_type), [req.config.as_ref()]) {
                Ok((a, [config])) => a.invoke(&config, &progress).await,
                Err(d) => d.into(),
            };
            drop(progress);
            let _ = done_tx.send(diags);
        });
        let lines =
            tokio_stream::wrappers::UnboundedReceiverStream::new(progress_rx).map(|message| {
                Ok(Event {
                    r#type: Some(event::Type::Progress(event::Progress { message })),
                })
            });
        let end = futures_util::stream::once(async move {
            let diags = done_rx.await.unwrap_or_else(|_| {
                Diagnostic::bug("the action stopped without reporting its outcome").into()
            });
            Ok(Event {
                r#type: Some(event::Type::Completed(event::Completed {
                    diagnostics: wire::diagnostics(&diags),
                })),
            })
        });
        Ok(Response::new(Box::pin(lines.chain(end))))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        self.server.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

/// What this server does beyond the base protocol. `plan_destroy`: destroy plans are answered
/// (null). `get_provider_schema_optional`: no RPC depends on GetProviderSchema being called first.
/// `move_resource_state`: `moved` blocks from other resource types are answered (see
/// [`crate::server::move_state`]). `generate_resource_config`: configuration generated from
/// state is answered (see [`crate::server::generate`]); Terraform before 1.14 ignores it.
fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

/// Identity, moves and listing through the gRPC service, with an in-memory resource type.
#[cfg(test)]
#[path = "grpc_tests.rs"]
mod tests;
