//! The provider's integration tests: ONE test binary (linking the crate once, not once per
//! suite). A new suite is a module file in `tests/it/` plus one `mod` line below; shared
//! harness code lives in `support/` (see `tests/README.md`).
//!
//! Filters keep the former per-file names: `cargo test --test it e2e_room::` runs the room
//! suite, `cargo test --test it terraform_1_0_3` one Terraform version everywhere.

mod support;

mod acceptance_aws;
mod docs;
mod e2e_actions;
mod e2e_chat_token;
mod e2e_client;
mod e2e_data_sources;
mod e2e_errors;
mod e2e_examples;
mod e2e_functions;
mod e2e_generate_config;
mod e2e_identity;
mod e2e_interrupt;
mod e2e_leak_safe;
mod e2e_logging_configuration;
mod e2e_logging_configuration_listing;
mod e2e_messaging;
mod e2e_model;
mod e2e_moved;
mod e2e_plugin;
mod e2e_query;
mod e2e_quickstart;
mod e2e_review;
mod e2e_room;
mod e2e_room_listing;
mod e2e_state_exact;
mod fuzz_rpc;
mod plugin_host;
mod release_workflow;
