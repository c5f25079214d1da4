//! The emulator's integration tests: ONE test binary. A new suite is a module file in
//! `emulator/tests/it/` plus one `mod` line below; shared helpers live in `common/`.

mod common;

mod behaviour;
mod chat_cli;
mod chat_logging;
mod chat_sdk;
mod cli;
mod consistency;
mod faults_clock_log;
mod hardening;
mod messaging;
mod review;
mod sdk_operations;
mod validation_table;
mod wire;
