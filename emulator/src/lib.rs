//! `ivschat-local`: a local emulator of the Amazon IVS Chat control-plane API
//! (service `ivschat`, API version 2020-07-14, restJson1).
//!
//! Start it in-process with [`start`], point an `aws-sdk-ivschat` client at
//! [`Running::endpoint`], and inspect or steer it through [`Running::handle`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), ivschat_local::Error> {
//! let running = ivschat_local::start(ivschat_local::Config::default()).await?;
//! let endpoint = running.endpoint(); // http://127.0.0.1:PORT
//! # let _ = endpoint;
//! assert!(running.handle().rooms().is_empty());
//! running.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The same introspection is served over HTTP under `/_emulator/` (see the README).

#![warn(missing_docs)]

mod admin;
mod app;
mod chat;
mod config;
mod error;
mod faults;
mod handle;
mod ids;
mod model;
mod operation;
mod persist;
mod quota;
mod records;
mod requests;
mod router;
mod server;
mod sigv4;
mod store;
mod token;
mod validate;

pub use chat::client::{ChatClientError, ChatClientOptions, run_chat_client};
pub use chat::payload::{Payload, Sender};
pub use config::{
    Config, Consistency, Credentials, Faults, IVSCHAT_REGIONS, LagDraw, LoseAnswer, QuotaMode,
    TimestampPrecision,
};
pub use error::Error;
pub use handle::Handle;
pub use requests::{AppliedFault, RequestRecord};
pub use store::{
    Destination, EventKind, LoggingConfiguration, LoggingFailure, LoggingOperation, LoggingState,
    MessageReviewHandler, RecordedEvent, Room,
};
pub use token::{ChatTokenClaims, TokenError};

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running emulator. Dropping it stops the server (without waiting).
pub struct Running {
    addr: SocketAddr,
    handle: Handle,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Introspection and control.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Stops accepting, lets open requests finish (3 s at most) and writes the state file.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn check_regions(config: &Config) -> Result<(), Error> {
    if let Some(bad) = config.regions.iter().find(|r| !ids::region_name(r)) {
        return Err(Error::Config(format!(
            "region {bad:?} is not a region name (like us-east-1)"
        )));
    }
    if !config.regions.contains(&config.region) {
        return Err(Error::Config(format!(
            "the default region {} is not among the regions served ({})",
            config.region,
            config.regions.join(", ")
        )));
    }
    Ok(())
}

/// Loads the state file (if any), binds `config.listen` and serves in the background.
pub async fn start(config: Config) -> Result<Running, Error> {
    check_regions(&config)?;
    let state = match &config.state_file {
        Some(p) => persist::load(p)?,
        None => store::State::new(),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let app = Arc::new(app::Shared::new(config, state));
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(server::serve(listener, app.clone(), stop_rx));
    Ok(Running {
        addr,
        handle: Handle { app },
        stop,
        task: Some(task),
    })
}
