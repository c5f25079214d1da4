//! go-plugin's side services, served next to the provider on the same server.
//!
//! - `plugin.GRPCController/Shutdown`: answer, then shut the process down
//!   (Terraform otherwise waits 2 s and kills us, in every phase). Ignored in
//!   debug mode, where the process outlives any one Terraform run.
//! - `plugin.GRPCStdio/StreamStdio`: Terraform opens it on connect. We never
//!   write to stdout after the handshake and log to stderr directly, so the
//!   stream carries nothing; it stays open until shutdown, then ends cleanly.
//! - `plugin.GRPCBroker/StartStream`: also opened on connect; providers never
//!   broker extra connections. Incoming messages are drained and ignored, the
//!   reply stream stays open until shutdown.

use futures_util::StreamExt as _;
use tonic::{Request, Response, Status, Streaming};

use super::go_plugin::{
    ConnInfo, Empty, StdioData, grpc_broker_server::GrpcBroker,
    grpc_controller_server::GrpcController, grpc_stdio_server::GrpcStdio,
};
use super::shutdown::Shutdown;

/// The generated traits' response stream type (a boxed stream of results).
type QuietStream<T> = tonic::codegen::BoxStream<T>;

/// A response stream that yields nothing and ends when shutdown starts.
fn quiet_until_shutdown<T: Send + 'static>(shutdown: Shutdown) -> QuietStream<T> {
    Box::pin(
        futures_util::stream::once(async move { shutdown.wait().await })
            .filter_map(|()| std::future::ready(None)),
    )
}

/// `plugin.GRPCController`.
pub(crate) struct Controller {
    pub(crate) shutdown: Shutdown,
    pub(crate) debug: bool,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        if self.debug {
            tracing::debug!("Shutdown requested; ignored in debug mode");
        } else {
            // The reply goes out during the graceful drain that follows.
            self.shutdown.trigger("GRPCController/Shutdown");
        }
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`.
pub(crate) struct Stdio {
    pub(crate) shutdown: Shutdown,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<QuietStream<StdioData>>, Status> {
        Ok(Response::new(quiet_until_shutdown(self.shutdown.clone())))
    }
}

/// `plugin.GRPCBroker`.
pub(crate) struct Broker {
    pub(crate) shutdown: Shutdown,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<QuietStream<ConnInfo>>, Status> {
        let mut inbound = request.into_inner();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.wait() => break,
                    msg = inbound.next() => match msg {
                        Some(Ok(info)) => {
                            tracing::trace!(service_id = info.service_id, "broker message ignored");
                        }
                        // Closed by the client, or broken: nothing to clean up.
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        Ok(Response::new(quiet_until_shutdown(self.shutdown.clone())))
    }
}
