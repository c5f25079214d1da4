//! Compiles the gRPC definitions in `proto/` into Rust with a pure-Rust
//! protobuf compiler (`protox`), so no system `protoc` is needed.
//!
//! Services get default stubs: any RPC the provider does not implement
//! answers gRPC `UNIMPLEMENTED`, which is what Terraform expects from a
//! provider that predates a newer protocol minor version.

use std::error::Error;

const PROTOS: &[&str] = &["proto/tfplugin6.proto", "proto/plugin.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    // protox knows the google/protobuf well-known types itself.
    let descriptors = protox::compile(PROTOS, ["proto"])?;

    tonic_prost_build::configure()
        .build_server(true)
        // Clients are only used by the integration tests, which compile the
        // library anyway; generating them costs little and keeps one codegen.
        .build_client(true)
        .generate_default_stubs(true)
        .emit_rerun_if_changed(false)
        .compile_fds(descriptors)?;
    Ok(())
}
