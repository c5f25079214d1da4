//! `ivschat-local` command line: runs the emulator until SIGTERM / SIGINT.

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use ivschat_local::{Config, Consistency, Credentials, Faults, LagDraw, QuotaMode};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Quotas {
    /// Enforce the AWS rate quotas (ThrottlingException, HTTP 429).
    Aws,
    /// No rate limiting.
    Off,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ConsistencyMode {
    /// Reads see every completed write.
    Strong,
    /// Reads may serve the version before a write for up to --consistency-lag-ms.
    Eventual,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LagDrawArg {
    /// Each write's lag is uniform in 0..=--consistency-lag-ms, drawn with --seed.
    Uniform,
    /// Each write's lag is exactly --consistency-lag-ms.
    Exact,
}

/// A local emulator of the Amazon IVS Chat control-plane API (ivschat 2020-07-14).
///
/// Prints its endpoint URL (http://HOST:PORT) as the first line on stdout once it
/// accepts connections. Point the AWS CLI or SDKs at it with --endpoint-url.
#[derive(Debug, Parser)]
#[command(name = "ivschat-local", version)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:4510")]
    listen: SocketAddr,
    /// Region for requests without a SigV4 scope (signed requests use the scope's region).
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Account id used in ARNs.
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// Keep the state in this JSON file (loaded at start, rewritten atomically on change).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Rate quotas: `aws` (5 TPS room ops, 3 TPS logging ops, 10 TPS tag ops,
    /// 200 TPS CreateChatToken, 100 TPS per messaging op) or `off`.
    #[arg(long, value_enum, default_value = "aws")]
    quotas: Quotas,
    /// Probability (0..1) of answering ThrottlingException (429) instead of running a request.
    #[arg(long, default_value_t = 0.0)]
    fault_throttle_rate: f64,
    /// Probability (0..1) of answering InternalServerException (500) instead of running a request.
    #[arg(long, default_value_t = 0.0)]
    fault_internal_error_rate: f64,
    /// Milliseconds added to every AWS API request.
    #[arg(long, default_value_t = 0)]
    fault_latency_ms: u64,
    /// Probability (0..1) of running a request and then dropping the connection unanswered.
    #[arg(long, default_value_t = 0.0)]
    fault_reset_after_commit_rate: f64,
    /// Seed for the fault generator (reproducible faults).
    #[arg(long)]
    seed: Option<u64>,
    /// Milliseconds a logging configuration stays CREATING / UPDATING / DELETING.
    #[arg(long, default_value_t = 1000)]
    logging_settle_ms: u64,
    /// Require SigV4 signatures made with this access key id (needs --secret-access-key).
    #[arg(long, requires = "secret_access_key")]
    access_key_id: Option<String>,
    /// Secret access key for signature checks (needs --access-key-id).
    #[arg(long, requires = "access_key_id")]
    secret_access_key: Option<String>,
    /// Seconds a chat token stays valid (tokenExpirationTime).
    #[arg(long, default_value_t = 3600)]
    chat_token_ttl_secs: u64,
    /// Logging configurations allowed per region.
    #[arg(long, default_value_t = 10)]
    max_logging_configurations: usize,
    /// Rooms allowed per region.
    #[arg(long, default_value_t = 50_000)]
    max_rooms: usize,
    /// Read-after-write consistency of Get* and List* (see the README).
    #[arg(long, value_enum, default_value = "strong")]
    consistency: ConsistencyMode,
    /// Longest time a write stays invisible to reads under --consistency eventual.
    #[arg(long, default_value_t = 1000)]
    consistency_lag_ms: u64,
    /// How each write's lag is chosen under --consistency eventual.
    #[arg(long, value_enum, default_value = "uniform")]
    consistency_lag_draw: LagDrawArg,
}

fn rate(name: &str, v: f64) -> Result<f64> {
    anyhow::ensure!((0.0..=1.0).contains(&v), "--{name} must be between 0 and 1");
    Ok(v)
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("IVSCHAT_LOCAL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let credentials = match (cli.access_key_id, cli.secret_access_key) {
        (Some(access_key_id), Some(secret_access_key)) => Some(Credentials {
            access_key_id,
            secret_access_key,
        }),
        _ => None,
    };
    let config = Config {
        listen: cli.listen,
        region: cli.region,
        account_id: cli.account_id,
        state_file: cli.state_file,
        quotas: match cli.quotas {
            Quotas::Aws => QuotaMode::Aws,
            Quotas::Off => QuotaMode::Off,
        },
        faults: Faults {
            throttle_rate: rate("fault-throttle-rate", cli.fault_throttle_rate)?,
            internal_error_rate: rate("fault-internal-error-rate", cli.fault_internal_error_rate)?,
            latency: Duration::from_millis(cli.fault_latency_ms),
            reset_after_commit_rate: rate(
                "fault-reset-after-commit-rate",
                cli.fault_reset_after_commit_rate,
            )?,
            seed: cli.seed,
            ..Faults::default()
        },
        logging_settle: Duration::from_millis(cli.logging_settle_ms),
        credentials,
        chat_token_ttl: Duration::from_secs(cli.chat_token_ttl_secs),
        max_logging_configurations: cli.max_logging_configurations,
        max_rooms: cli.max_rooms,
        consistency: match cli.consistency {
            ConsistencyMode::Strong => Consistency::Strong,
            ConsistencyMode::Eventual => Consistency::Eventual {
                max_lag: Duration::from_millis(cli.consistency_lag_ms),
                draw: match cli.consistency_lag_draw {
                    LagDrawArg::Uniform => LagDraw::Uniform,
                    LagDrawArg::Exact => LagDraw::Exact,
                },
            },
        },
    };
    let running = ivschat_local::start(config)
        .await
        .context("starting the emulator")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", running.endpoint())?;
        out.flush()?;
    }
    wait_for_signal().await?;
    running.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("waiting for SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}
