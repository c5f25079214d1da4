//! terraform-provider-ivschat: a Terraform provider for Amazon IVS Chat.
//!
//! Layers, each depending only on those listed before it:
//! [`value`] (Terraform's values and encodings) → [`diagnostics`] → [`schema`] (how types
//! declare themselves) → [`model`] (values as Rust structs) → [`plugin`] (how Terraform reaches
//! us: go-plugin, TLS, gRPC) → [`server`] (RPCs turned into calls on resource types).

pub mod diagnostics;
pub mod model;
pub mod plugin;
pub mod schema;
pub mod server;
pub mod value;
