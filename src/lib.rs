//! terraform-provider-ivschat: a Terraform provider for Amazon IVS Chat.
//!
//! Layers, each depending only on those listed before it:
//! [`duration`] (Go durations) → [`aws`] (the paced, leak-safe IVS Chat client; nothing of
//! Terraform) → [`value`] (Terraform's values and encodings) → [`diagnostics`] → [`schema`]
//! (how types declare themselves) → `value_serde` (values as Rust structs) → [`plugin`] (how
//! Terraform reaches us: go-plugin, TLS, gRPC) → [`server`] (RPCs turned into calls on
//! resource types) → [`provider`] (the provider block: configuration, credentials; builds the
//! clients) → [`domain`] (the IVS Chat concepts: ARNs, names, shared models, listings) →
//! `resources` (each with its list resource), `data_sources`, `ephemeral_resources`,
//! `actions`, `functions` (one file per Terraform type; none imports another's folder) →
//! `migrations` (other providers' state, onto our resources) → [`registration`] (the provider
//! and its types) → [`iam`] (the IAM actions each type needs) → [`docs`] (registry docs
//! generated from the schemas).
//!
//! Exported: what the binaries, benches and tests use, and the contracts a new Terraform type
//! implements ([`server`]'s traits, [`schema`], [`value`], [`diagnostics`]). The type folders
//! stay inside the crate; a new type reaches the provider through [`registration`].

pub mod diagnostics;
pub mod docs;
pub mod iam;
pub mod plugin;
pub mod registration;
pub mod schema;
pub mod server;
pub mod value;

mod actions;
mod aws;
mod data_sources;
mod domain;
mod duration;
mod ephemeral_resources;
mod functions;
mod migrations;
mod provider;
mod resources;
mod value_serde;
