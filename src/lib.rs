//! terraform-provider-ivschat: a Terraform provider for Amazon IVS Chat.
//!
//! Layers, each depending only on those listed before it:
//! [`duration`] (Go durations) → [`aws`] (the paced, leak-safe IVS Chat client; nothing of
//! Terraform), [`value`] (Terraform's values and encodings) → [`diagnostics`] → [`schema`] (how types
//! declare themselves) → [`model`] (values as Rust structs) → [`plugin`] (how Terraform reaches
//! us: go-plugin, TLS, gRPC) → [`server`] (RPCs turned into calls on resource types) →
//! [`provider`] (the provider block: configuration, credentials; builds the clients) →
//! [`domain`] (the IVS Chat concepts:
//! ARNs, names, shared models, listings) → [`resources`] (each with its list resource),
//! [`data_sources`], [`ephemeral_resources`], [`actions`], [`functions`] (one file per
//! Terraform type; none imports another's folder) → [`migrations`] (other providers' state, onto our resources) →
//! [`registration`] (the provider and its types) → [`iam`] (the IAM actions each type needs) →
//! [`docs`] (registry docs generated from the schemas).

pub mod actions;
pub mod aws;
pub mod data_sources;
pub mod diagnostics;
pub mod docs;
pub mod domain;
pub mod duration;
pub mod ephemeral_resources;
pub mod functions;
pub mod iam;
pub mod migrations;
pub mod model;
pub mod plugin;
pub mod provider;
pub mod registration;
pub mod resources;
pub mod schema;
pub mod server;
pub mod value;
