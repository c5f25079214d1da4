//! A minimal tfplugin6 provider for the plugin-host tests: the gRPC service
//! with nothing of the provider framework (`ivschat_provider::server`) behind it.
//!
//! It has no configuration, resources or data sources; it only answers the
//! calls every Terraform process makes. Every other RPC falls through to the
//! generated default stubs and answers gRPC `UNIMPLEMENTED`.

use tonic::{Request, Response, Status};

use ivschat_provider::plugin::tfplugin6::{
    Schema, ServerCapabilities, configure_provider, get_metadata, get_provider_schema,
    provider_server::Provider, schema, stop_provider, validate_provider_config,
};

/// The stand-in provider.
#[derive(Debug, Default, Clone, Copy)]
pub struct BootstrapProvider;

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        // Terraform must call GetProviderSchema in every process.
        get_provider_schema_optional: false,
        // Ask for PlanResourceChange before destroys, as the framework will.
        plan_destroy: true,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

#[tonic::async_trait]
impl Provider for BootstrapProvider {
    async fn get_metadata(
        &self,
        _request: Request<get_metadata::Request>,
    ) -> Result<Response<get_metadata::Response>, Status> {
        Ok(Response::new(get_metadata::Response {
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<get_provider_schema::Request>,
    ) -> Result<Response<get_provider_schema::Response>, Status> {
        Ok(Response::new(get_provider_schema::Response {
            provider: Some(Schema {
                version: 0,
                block: Some(schema::Block::default()),
            }),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        _request: Request<validate_provider_config::Request>,
    ) -> Result<Response<validate_provider_config::Response>, Status> {
        Ok(Response::new(validate_provider_config::Response::default()))
    }

    async fn configure_provider(
        &self,
        _request: Request<configure_provider::Request>,
    ) -> Result<Response<configure_provider::Response>, Status> {
        Ok(Response::new(configure_provider::Response::default()))
    }

    async fn stop_provider(
        &self,
        _request: Request<stop_provider::Request>,
    ) -> Result<Response<stop_provider::Response>, Status> {
        Ok(Response::new(stop_provider::Response::default()))
    }
}
