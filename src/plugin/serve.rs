//! [`serve()`]: from process start to exit.
//!
//! Order matters for start-up time and for Terraform:
//! 1. cheap environment checks (cookie, protocol version) before anything else;
//! 2. TLS set-up and listening socket;
//! 3. signal handlers (SIGINT / Ctrl-C ignored, SIGTERM / Ctrl-Break shuts down);
//! 4. the handshake line on stdout, flushed: from here on Terraform connects;
//! 5. serve until Shutdown or a terminate signal, drain briefly, remove the socket, return.
//!
//! Nothing heavy (AWS clients, schemas) happens here: the provider builds
//! those lazily when Terraform first asks.

use std::io::{self, Write as _};
use std::time::Duration;

use tonic::transport::Server;
use tonic_health::ServingStatus;

use super::go_plugin::{
    grpc_broker_server::GrpcBrokerServer, grpc_controller_server::GrpcControllerServer,
    grpc_stdio_server::GrpcStdioServer,
};
use super::handshake::{self, HandshakeError, HandshakeLine, PROTOCOL_VERSION};
use super::listener::{self, ListenError, Transport};
use super::shutdown::Shutdown;
use super::side_services::{Broker, Controller, Stdio};
use super::signals::{Signal, Signals};
use super::tfplugin6::provider_server::{Provider, ProviderServer};
use super::tls::{self, TlsError};
use super::{DEFAULT_PROVIDER_ADDRESS, MAX_MESSAGE_SIZE, conn, crash, debug};

/// After shutdown starts, in-flight calls get this long to finish before the
/// server is dropped. Terraform closes its connection right after Shutdown,
/// so this is normally not waited out in full.
const DRAIN_LIMIT: Duration = Duration::from_millis(500);

/// Health service name go-plugin clients check.
const HEALTH_SERVICE: &str = "plugin";

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Debug (reattach) mode: no cookie, no TLS, print `TF_REATTACH_PROVIDERS`.
    pub debug: bool,
    /// Socket kind; `None` reads `PLUGIN_TRANSPORT` (default unix).
    pub transport: Option<Transport>,
    /// Provider source address, used in debug mode's reattach config.
    pub provider_address: String,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            debug: false,
            transport: None,
            provider_address: DEFAULT_PROVIDER_ADDRESS.to_owned(),
        }
    }
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Not started by Terraform, or incompatible protocol.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// Could not listen.
    #[error(transparent)]
    Listen(#[from] ListenError),
    /// AutoMTLS set-up failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Writing the handshake line or installing signal handlers failed.
    #[error("plugin start-up I/O failed: {0}")]
    Io(#[from] io::Error),
    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Grpc(#[from] tonic::transport::Error),
}

/// Serves `provider` as a Terraform plugin until Terraform (or a signal)
/// shuts it down.
///
/// Returns an error (a [`ServeError`] inside) when start-up checks fail; the
/// caller prints it and exits with status 1.
pub async fn serve<P: Provider>(provider: P, opts: ServeOptions) -> anyhow::Result<()> {
    run(provider, opts).await.map_err(anyhow::Error::from)
}

async fn run<P: Provider>(provider: P, opts: ServeOptions) -> Result<(), ServeError> {
    let protocol_version = if opts.debug {
        PROTOCOL_VERSION
    } else {
        handshake::check_environment()?
    };
    let transport = match opts.transport {
        Some(t) => t,
        None => Transport::from_env()?,
    };
    let auto_tls = if opts.debug { None } else { tls::from_env()? };

    crash::install();
    let bound = listener::bind(transport)?;
    if let Some(cleanup) = &bound.cleanup {
        crash::remove_on_crash(cleanup.paths());
    }
    let shutdown = Shutdown::new();
    install_signal_handlers(&shutdown, opts.debug)?;

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status(HEALTH_SERVICE, ServingStatus::Serving)
        .await;

    let (acceptor, cert_base64) = match auto_tls {
        Some(t) => (Some(t.acceptor), t.cert_base64),
        None => (None, String::new()),
    };
    let network = bound.network;
    let address = bound.address.clone();
    let incoming = conn::incoming(bound.listener, acceptor.clone(), shutdown.clone());

    // Announce: from this line on, Terraform connects.
    if opts.debug {
        let json = debug::reattach_json(&opts.provider_address, network, &address);
        print_stdout_line(&debug::stdout_line(&json))?;
        eprintln!("{}", debug::instructions(&opts.provider_address));
    } else {
        let line = HandshakeLine {
            protocol_version,
            network,
            address: address.clone(),
            server_cert: cert_base64,
        };
        print_stdout_line(&line.to_string())?;
    }
    tracing::info!(
        network = network.as_str(),
        address = %address,
        tls = acceptor.is_some(),
        debug = opts.debug,
        "plugin server listening"
    );

    let provider = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let server = Server::builder()
        // Let h2 size its flow-control windows to the link, as grpc-go does,
        // so large schemas and states are not throttled by 64 KiB windows.
        .http2_adaptive_window(Some(true))
        .add_service(provider)
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
            debug: opts.debug,
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
        .serve_with_incoming_shutdown(incoming, {
            let shutdown = shutdown.clone();
            async move { shutdown.wait().await }
        });

    let drained_or_timed_out = async {
        shutdown.wait().await;
        tokio::time::sleep(DRAIN_LIMIT).await;
    };
    let result = tokio::select! {
        res = server => res,
        () = drained_or_timed_out => {
            tracing::debug!("drain limit reached; closing remaining connections");
            Ok(())
        }
    };
    health_reporter
        .set_service_status(HEALTH_SERVICE, ServingStatus::NotServing)
        .await;
    // Remove the socket now rather than when `bound` drops at the very end.
    drop(bound.cleanup);
    tracing::debug!("plugin server stopped");
    result.map_err(ServeError::from)
}

/// Prints one line on stdout and flushes it.
fn print_stdout_line(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// Interrupt (SIGINT, Ctrl-C): ignored normally (Ctrl-C reaches the whole process group or
/// console and Terraform itself decides what to stop via StopProvider); shuts down in debug
/// mode. Terminate (SIGTERM; Ctrl-Break, console close, system shutdown on Windows): always
/// shuts down cleanly.
fn install_signal_handlers(shutdown: &Shutdown, debug: bool) -> io::Result<()> {
    let mut signals = Signals::install()?;
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        let mut interrupts = 0u64;
        while let Some(signal) = signals.next().await {
            match signal {
                Signal::Interrupt if debug => shutdown.trigger("interrupt in debug mode"),
                Signal::Interrupt => {
                    interrupts += 1;
                    tracing::trace!(count = interrupts, "interrupt ignored");
                }
                Signal::Terminate(what) => shutdown.trigger(what),
            }
        }
    });
    Ok(())
}
