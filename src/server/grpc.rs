//! The tfplugin6 `Provider` gRPC service over a [`Server`]: each RPC decodes its request with
//! [`wire`], calls the server, and encodes the answer. Problems travel as diagnostics in the
//! response; gRPC errors are kept for transport failures. RPCs not listed here answer
//! UNIMPLEMENTED through the generated default stubs.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::plugin::tfplugin6 as pb;
use crate::plugin::tfplugin6::provider_server;
use crate::server::list::ListQuery;
use crate::server::wire;
use crate::server::{Provider, Server};
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

/// Unwraps a decoding result, or answers at once with the diagnostic in the response.
macro_rules! decoded {
    ($result:expr, $($response:ident)::+) => {
        match $result {
            Ok(v) => v,
            Err(d) => {
                #[allow(clippy::needless_update)]
                return Ok(Response::new($($response)::+ {
                    diagnostics: wire::diagnostics(&d.into()),
                    ..Default::default()
                }));
            }
        }
    };
}

#[tonic::async_trait]
impl<P: Provider> provider_server::Provider for GrpcProvider<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let registry = self.server.registry();
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
        let registry = self.server.registry();
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
        let ty = &self.server.registry().provider_type;
        let config = decoded!(
            wire::decode(req.config.as_ref(), ty),
            pb::validate_provider_config::Response
        );
        let diags = self.server.validate_provider_config(&config);
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        let ty = &self.server.registry().provider_type;
        let config = decoded!(
            wire::decode(req.config.as_ref(), ty),
            pb::configure_provider::Response
        );
        let diags = self.server.configure(&config).await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::validate_resource_config::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &r.ty),
            pb::validate_resource_config::Response
        );
        let diags = self
            .server
            .validate_resource_config(&req.type_name, &config);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let d = decoded!(
            self.server.registry().data_source(&req.type_name),
            pb::validate_data_resource_config::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &d.ty),
            pb::validate_data_resource_config::Response
        );
        let diags = self
            .server
            .validate_data_source_config(&req.type_name, &config);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let empty = pb::upgrade_resource_state::Response::default();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::upgrade_resource_state::Response
        );
        let raw = req.raw_state.map(|s| s.json).unwrap_or_default();
        let state = if raw.is_empty() {
            Value::Null
        } else {
            match self
                .server
                .upgrade_resource_state(&req.type_name, req.version, &raw)
            {
                Ok(v) => v,
                Err(diags) => {
                    return Ok(Response::new(pb::upgrade_resource_state::Response {
                        diagnostics: wire::diagnostics(&diags),
                        ..empty
                    }));
                }
            }
        };
        let upgraded = decoded!(
            wire::encode(&state, &r.ty),
            pb::upgrade_resource_state::Response
        );
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: Some(upgraded),
            diagnostics: Vec::new(),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let empty = pb::read_resource::Response::default();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::read_resource::Response
        );
        let state = decoded!(
            wire::decode(req.current_state.as_ref(), &r.ty),
            pb::read_resource::Response
        );
        let (new_state, private, diags) = self
            .server
            .read_resource_private(&req.type_name, &state, Some(&req.private))
            .await;
        let encoded = decoded!(wire::encode(&new_state, &r.ty), pb::read_resource::Response);
        let new_identity = decoded!(
            self.server
                .identity_data(&req.type_name, &new_state)
                .map(|id| id.map(wire::identity_data)),
            pb::read_resource::Response
        );
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(encoded),
            diagnostics: wire::diagnostics(&diags),
            private,
            new_identity,
            ..empty
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let empty = pb::plan_resource_change::Response::default();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::plan_resource_change::Response
        );
        let prior = decoded!(
            wire::decode(req.prior_state.as_ref(), &r.ty),
            pb::plan_resource_change::Response
        );
        let proposed = decoded!(
            wire::decode(req.proposed_new_state.as_ref(), &r.ty),
            pb::plan_resource_change::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &r.ty),
            pb::plan_resource_change::Response
        );
        let change = self
            .server
            .plan_resource_change(&req.type_name, &prior, &proposed, &config);
        let planned = decoded!(
            wire::encode(&change.planned, &r.ty),
            pb::plan_resource_change::Response
        );
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned),
            requires_replace: change
                .requires_replace
                .iter()
                .map(wire::attribute_path)
                .collect(),
            planned_private: req.prior_private,
            diagnostics: wire::diagnostics(&change.diags),
            planned_identity: decoded!(
                self.server
                    .identity_data(&req.type_name, &change.planned)
                    .map(|id| id.map(wire::identity_data)),
                pb::plan_resource_change::Response
            ),
            ..empty
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let empty = pb::apply_resource_change::Response::default();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::apply_resource_change::Response
        );
        let prior = decoded!(
            wire::decode(req.prior_state.as_ref(), &r.ty),
            pb::apply_resource_change::Response
        );
        let planned = decoded!(
            wire::decode(req.planned_state.as_ref(), &r.ty),
            pb::apply_resource_change::Response
        );
        let (new_state, private, diags) = self
            .server
            .apply_resource_change_private(
                &req.type_name,
                &prior,
                &planned,
                Some(&req.planned_private),
            )
            .await;
        let encoded = decoded!(
            wire::encode(&new_state, &r.ty),
            pb::apply_resource_change::Response
        );
        let new_identity = decoded!(
            self.server
                .identity_data(&req.type_name, &new_state)
                .map(|id| id.map(wire::identity_data)),
            pb::apply_resource_change::Response
        );
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(encoded),
            private,
            diagnostics: wire::diagnostics(&diags),
            new_identity,
            ..empty
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let empty = pb::import_resource_state::Response::default();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::import_resource_state::Response
        );
        // An `import { identity = {...} }` block sends the identity instead of an id.
        let id = match &req.identity {
            Some(identity) if req.id.is_empty() => decoded!(
                self.server
                    .import_id_from_identity(&req.type_name, |ty| wire::decode(
                        identity.identity_data.as_ref(),
                        ty
                    )),
                pb::import_resource_state::Response
            ),
            _ => req.id.clone(),
        };
        let (state, diags) = self.server.import_resource_state(&req.type_name, &id).await;
        let imported_resources = match state {
            Some(state) => vec![pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                identity: decoded!(
                    self.server
                        .identity_data(&req.type_name, &state)
                        .map(|id| id.map(wire::identity_data)),
                    pb::import_resource_state::Response
                ),
                state: Some(decoded!(
                    wire::encode(&state, &r.ty),
                    pb::import_resource_state::Response
                )),
                ..Default::default()
            }],
            None => Vec::new(),
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: wire::diagnostics(&diags),
            ..empty
        }))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let r = decoded!(
            self.server.registry().resource(&req.type_name),
            pb::generate_resource_config::Response
        );
        let state = decoded!(
            wire::decode(req.state.as_ref(), &r.ty),
            pb::generate_resource_config::Response
        );
        let config = match self.server.generate_resource_config(&req.type_name, &state) {
            Ok(config) => config,
            Err(diags) => {
                return Ok(Response::new(pb::generate_resource_config::Response {
                    diagnostics: wire::diagnostics(&diags),
                    ..Default::default()
                }));
            }
        };
        let encoded = decoded!(
            wire::encode(&config, &r.ty),
            pb::generate_resource_config::Response
        );
        Ok(Response::new(pb::generate_resource_config::Response {
            config: Some(encoded),
            diagnostics: Vec::new(),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let empty = pb::read_data_source::Response::default();
        let d = decoded!(
            self.server.registry().data_source(&req.type_name),
            pb::read_data_source::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &d.ty),
            pb::read_data_source::Response
        );
        let (state, diags) = self.server.read_data_source(&req.type_name, &config).await;
        let encoded = decoded!(wire::encode(&state, &d.ty), pb::read_data_source::Response);
        Ok(Response::new(pb::read_data_source::Response {
            state: Some(encoded),
            diagnostics: wire::diagnostics(&diags),
            ..empty
        }))
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
        let r = decoded!(
            self.server.registry().resource(&req.target_type_name),
            pb::move_resource_state::Response
        );
        let raw = req.source_state.map(|s| s.json).unwrap_or_default();
        let state = decoded!(
            serde_json::from_slice(&raw).map_err(|e| crate::diagnostics::Diagnostic::error(
                "Unreadable Source State",
                format!(
                    "The state of the {} being moved is not JSON: {e}.",
                    req.source_type_name
                ),
            )),
            pb::move_resource_state::Response
        );
        let source = crate::server::MoveSource {
            provider_address: &req.source_provider_address,
            type_name: &req.source_type_name,
            schema_version: req.source_schema_version,
            state,
        };
        let moved = match self
            .server
            .move_resource_state(&req.target_type_name, &source)
        {
            Ok(v) => v,
            Err(diags) => {
                return Ok(Response::new(pb::move_resource_state::Response {
                    diagnostics: wire::diagnostics(&diags),
                    ..Default::default()
                }));
            }
        };
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: Some(decoded!(
                wire::encode(&moved, &r.ty),
                pb::move_resource_state::Response
            )),
            target_identity: decoded!(
                self.server
                    .identity_data(&req.target_type_name, &moved)
                    .map(|id| id.map(wire::identity_data)),
                pb::move_resource_state::Response
            ),
            ..Default::default()
        }))
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
        let l = decoded!(
            self.server.registry().list_resource(&req.type_name),
            pb::validate_list_resource_config::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &l.ty),
            pb::validate_list_resource_config::Response
        );
        let diags = self
            .server
            .validate_list_resource_config(&req.type_name, &config);
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        let e = decoded!(
            self.server.registry().ephemeral_resource(&req.type_name),
            pb::validate_ephemeral_resource_config::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &e.ty),
            pb::validate_ephemeral_resource_config::Response
        );
        let diags = self
            .server
            .validate_ephemeral_resource_config(&req.type_name, &config);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: wire::diagnostics(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let e = decoded!(
            self.server.registry().ephemeral_resource(&req.type_name),
            pb::open_ephemeral_resource::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &e.ty),
            pb::open_ephemeral_resource::Response
        );
        let opened = match self
            .server
            .open_ephemeral_resource(&req.type_name, &config)
            .await
        {
            Ok(opened) => opened,
            Err(diags) => {
                return Ok(Response::new(pb::open_ephemeral_resource::Response {
                    diagnostics: wire::diagnostics(&diags),
                    ..Default::default()
                }));
            }
        };
        let result = decoded!(
            wire::encode(&opened.result, &e.ty),
            pb::open_ephemeral_resource::Response
        );
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: Vec::new(),
            renew_at: opened.renew_at.map(wire::timestamp),
            result: Some(result),
            private: opened.private,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let response = match self
            .server
            .renew_ephemeral_resource(&req.type_name, req.private)
            .await
        {
            Ok(renewed) => pb::renew_ephemeral_resource::Response {
                diagnostics: Vec::new(),
                renew_at: renewed.renew_at.map(wire::timestamp),
                private: renewed.private,
            },
            Err(diags) => pb::renew_ephemeral_resource::Response {
                diagnostics: wire::diagnostics(&diags),
                ..Default::default()
            },
        };
        Ok(Response::new(response))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let diags = self
            .server
            .close_ephemeral_resource(&req.type_name, req.private)
            .await;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        let registry = self.server.registry();
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
        let f = match self.server.registry().function(&req.name) {
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
        let a = decoded!(
            self.server.registry().action(&req.type_name),
            pb::validate_action_config::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &a.ty),
            pb::validate_action_config::Response
        );
        let diags = self.server.validate_action_config(&req.type_name, &config);
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: wire::diagnostics(&diags),
        }))
    }

    /// Planning an action checks its configuration (values may still be unknown).
    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = request.into_inner();
        let a = decoded!(
            self.server.registry().action(&req.action_type),
            pb::plan_action::Response
        );
        let config = decoded!(
            wire::decode(req.config.as_ref(), &a.ty),
            pb::plan_action::Response
        );
        let diags = self
            .server
            .validate_action_config(&req.action_type, &config);
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: wire::diagnostics(&diags),
            deferred: None,
        }))
    }

    /// Streams the action's progress lines, then one Completed event with its diagnostics.
    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<tonic::codegen::BoxStream<pb::invoke_action::Event>>, Status> {
        use futures_util::StreamExt as _;
        use pb::invoke_action::{Event, event};

        let req = request.into_inner();
        let completed = |diags: &crate::diagnostics::Diagnostics| Event {
            r#type: Some(event::Type::Completed(event::Completed {
                diagnostics: wire::diagnostics(diags),
            })),
        };
        let decoded = self
            .server
            .registry()
            .action(&req.action_type)
            .and_then(|a| wire::decode(req.config.as_ref(), &a.ty));
        let config = match decoded {
            Ok(config) => config,
            Err(d) => {
                let event = completed(&d.into());
                return Ok(Response::new(Box::pin(futures_util::stream::iter([Ok(
                    event,
                )]))));
            }
        };
        let (progress_tx, progress_rx) = tokio::sync::mpsc::unbounded_channel();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let server = self.server.clone();
        tokio::spawn(async move {
            let progress = crate::server::Progress::new(progress_tx);
            let diags = server
                .invoke_action(&req.action_type, &config, &progress)
                .await;
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
                crate::diagnostics::Diagnostic::bug(
                    "the action stopped without reporting its outcome",
                )
                .into()
            });
            Ok(completed(&diags))
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
