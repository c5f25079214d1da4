//! `terraform-provider-ivschat`: started by Terraform as a plugin process.
//!
//! Run by hand only with `--debug` (reattach mode); see `plugin::serve`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use ivschat_provider::plugin::{self, ServeOptions};
use ivschat_provider::registration::IvschatProvider;
use ivschat_provider::server::{Server, grpc::GrpcProvider};

/// Terraform provider for Amazon IVS Chat.
///
/// Terraform starts this program itself. Run it by hand only with --debug.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Serve in debug mode: no TLS, print a TF_REATTACH_PROVIDERS value to
    /// hand to Terraform, keep running until Ctrl-C or SIGTERM.
    #[arg(long)]
    debug: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    plugin::logging::init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let opts = ServeOptions {
        debug: args.debug,
        ..ServeOptions::default()
    };
    let result = runtime.block_on(plugin::serve(
        GrpcProvider::new(Arc::new(Server::new(IvschatProvider))),
        opts,
    ));
    // Do not wait on stray tasks: Terraform expects a prompt exit.
    runtime.shutdown_timeout(Duration::from_millis(100));

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err:#}");
            ExitCode::FAILURE
        }
    }
}
