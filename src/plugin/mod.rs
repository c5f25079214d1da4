//! The plugin host: how Terraform launches this provider and talks to it.
//!
//! Terraform starts the binary as a go-plugin subprocess. This module does
//! everything that happens before and around the provider RPCs:
//!
//! | file | what it does |
//! |---|---|
//! | `handshake.rs` | magic cookie check, protocol version negotiation, the handshake line |
//! | `listener.rs` | unix socket (private directory, removed on exit) or TCP loopback (Windows) |
//! | `tls.rs` | AutoMTLS: per-process server cert, exact pinning of Terraform's client cert |
//! | `conn.rs` | one connection type for plain/TLS over unix/TCP, served by tonic |
//! | `side_services.rs` | go-plugin controller (Shutdown), stdio and broker streams |
//! | `shutdown.rs` | the shutdown trigger shared by Shutdown, SIGTERM and Ctrl-C |
//! | `signals.rs` | SIGINT/SIGTERM on unix, Ctrl-C/Ctrl-Break/close on Windows, one shape |
//! | `serve.rs` | [`serve()`]: wires it all together |
//! | `debug.rs` | `--debug`: reattach mode for running under a debugger |
//! | `crash.rs` | a panic becomes a Go-style `panic: ` report on stderr and exit 2 |
//! | `logging.rs` | hclog-style JSON log lines on stderr, level from `TF_LOG_PROVIDER`/`TF_LOG` |
//!
//! Environment read at start-up (all set by Terraform except the last three):
//!
//! | variable | effect |
//! |---|---|
//! | `TF_PLUGIN_MAGIC_COOKIE` | must hold go-plugin's cookie for Terraform, else exit 1 with a plain message |
//! | `PLUGIN_PROTOCOL_VERSIONS` | must list 6 (e.g. `5,6`), else exit 1 |
//! | `PLUGIN_CLIENT_CERT` | Terraform's client cert (PEM): serve TLS and accept only that cert; unset: plaintext |
//! | `PLUGIN_UNIX_SOCKET_DIR` | where the socket directory is created (default: `TMPDIR`) |
//! | `PLUGIN_TRANSPORT` | `unix` (default on unix) or `tcp` (127.0.0.1, any free port; the only one on Windows) |
//! | `PLUGIN_MIN_PORT`, `PLUGIN_MAX_PORT` | port range for `tcp` |
//! | `TF_LOG_PROVIDER`, `TF_LOG` | log level (see `logging.rs`) |
//!
//! The generated protocol types are re-exported as [`tfplugin6`] (for the
//! provider framework) and [`go_plugin`] (for tests and tools).

mod conn;
mod crash;
mod debug;
pub mod handshake;
mod listener;
pub mod logging;
mod proto;
mod serve;
mod shutdown;
mod side_services;
mod signals;
mod tls;

pub use listener::Transport;
pub use proto::{go_plugin, tfplugin6};
pub use serve::{ServeError, ServeOptions, serve};

/// Largest gRPC message accepted or sent, both ways (256 MiB), matching
/// Terraform's own limit so big schemas and states never hit a lower ceiling.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// Source address used in debug mode's `TF_REATTACH_PROVIDERS`.
pub const DEFAULT_PROVIDER_ADDRESS: &str = "registry.terraform.io/ivschat/ivschat";
