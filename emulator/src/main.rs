//! `ivschat-local` command line: runs the emulator until SIGTERM / SIGINT.

use clap::{Parser, ValueEnum};
use ivschat_local::{
    Config, Consistency, Credentials, Faults, LagDraw, LoseAnswer, QuotaMode, TimestampPrecision,
};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
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
enum Precision {
    /// Whole seconds (milliseconds truncated).
    S,
    /// Milliseconds.
    Ms,
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
/// accepts connections. Point the AWS CLI or SDKs at it with --endpoint-url; chat clients
/// connect to ws://HOST:PORT with a chat token as the WebSocket subprotocol.
///
/// `ivschat-local chat --room ARN --user NAME` is a terminal chat client (see its --help).
#[derive(Debug, Parser)]
#[command(name = "ivschat-local", version)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:4510")]
    listen: SocketAddr,
    /// Region for requests without a SigV4 scope (signed requests use the scope's region).
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Regions served, comma-separated; requests scoped to others are refused.
    /// Default: the IVS Chat regions (ap-northeast-1, ap-northeast-2, ap-south-1,
    /// eu-central-1, eu-west-1, us-east-1, us-west-2).
    #[arg(long, value_delimiter = ',')]
    regions: Option<Vec<String>>,
    /// Account id used in ARNs (12 digits).
    #[arg(long, default_value = "123456789012", value_parser = account_id)]
    account_id: String,
    /// Keep the state in this JSON file (loaded at start, rewritten atomically on change).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Rate quotas: `aws` (5 TPS room ops, 3 TPS logging ops, 10 TPS tag ops,
    /// 200 TPS CreateChatToken, 100 TPS per messaging op) or `off`.
    #[arg(long, value_enum, default_value = "aws")]
    quotas: Quotas,
    /// Probability (0..1) of answering ThrottlingException (429) instead of running a request.
    #[arg(long, default_value_t = 0.0, value_parser = probability, allow_negative_numbers = true)]
    fault_throttle_rate: f64,
    /// Probability (0..1) of answering InternalServerException (500) instead of running a request.
    #[arg(long, default_value_t = 0.0, value_parser = probability, allow_negative_numbers = true)]
    fault_internal_error_rate: f64,
    /// Milliseconds added to every AWS API request.
    #[arg(long, default_value_t = 0)]
    fault_latency_ms: u64,
    /// Probability (0..1) of running a request and then dropping the connection unanswered.
    #[arg(long, default_value_t = 0.0, value_parser = probability, allow_negative_numbers = true)]
    fault_reset_after_commit_rate: f64,
    /// Lose the answers of one operation (repeatable): OPERATION (every call),
    /// OPERATION:N (the next N successful calls) or OPERATION:pP (each call with
    /// probability P, 0..1). The call takes effect; its connection is then dropped.
    #[arg(long, value_parser = lose_answer, value_name = "OPERATION[:N|:pP]")]
    fault_lose_answer: Vec<LoseAnswer>,
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
    /// Concurrent chat connections allowed per region (with --quotas aws).
    #[arg(long, default_value_t = 50_000)]
    max_chat_connections: usize,
    /// Map a message review handler (Lambda ARN) to a local HTTP endpoint that is POSTed
    /// the review request: ARN=http://HOST:PORT/PATH. Repeatable.
    #[arg(long = "review-handler", value_name = "ARN=URL", value_parser = review_handler)]
    review_handlers: Vec<(String, String)>,
    /// Milliseconds a review handler may take before the room's fallbackResult applies.
    #[arg(long, default_value_t = 200)]
    review_timeout_ms: u64,
    /// Write the messages and events of rooms with logging configurations here, one
    /// folder per destination (s3/BUCKET, cloudwatch-logs/GROUP, firehose/STREAM).
    #[arg(long)]
    chat_log_dir: Option<PathBuf>,
    /// Read-after-write consistency of Get* and List* (see the README).
    #[arg(long, value_enum, default_value = "strong")]
    consistency: ConsistencyMode,
    /// Longest time a write stays invisible to reads under --consistency eventual.
    #[arg(long, default_value_t = 1000)]
    consistency_lag_ms: u64,
    /// How each write's lag is chosen under --consistency eventual.
    #[arg(long, value_enum, default_value = "uniform")]
    consistency_lag_draw: LagDrawArg,
    /// Precision of the createTime / updateTime stored and answered: `s` or `ms`.
    #[arg(long, value_enum, default_value = "ms")]
    timestamp_precision: Precision,
    /// Milliseconds the emulator's clock runs ahead of the machine's (negative: behind):
    /// timestamps, token expiries and the HTTP Date header follow it.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    clock_skew_ms: i64,
}

/// `OPERATION`, `OPERATION:N` or `OPERATION:pP`.
fn lose_answer(s: &str) -> Result<LoseAnswer, String> {
    let (op, how) = s.split_once(':').unwrap_or((s, "p1"));
    if op.is_empty() || !op.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err("must start with an operation name such as CreateRoom".to_owned());
    }
    let mut rule = LoseAnswer {
        operation: op.to_owned(),
        ..LoseAnswer::default()
    };
    if let Some(p) = how.strip_prefix('p') {
        rule.rate = probability(p).map_err(|_| "the rate after :p must be from 0 to 1")?;
    } else {
        rule.count = how
            .parse()
            .map_err(|_| "after the operation comes :N (a count) or :pP (a rate from 0 to 1)")?;
    }
    Ok(rule)
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("must be a number from 0 to 1".to_owned()),
    }
}

fn review_handler(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((arn, url)) if arn.starts_with("arn:aws:lambda:") && url.starts_with("http://") => {
            Ok((arn.to_owned(), url.to_owned()))
        }
        _ => Err("must be LAMBDA_ARN=http://HOST:PORT/PATH".to_owned()),
    }
}

fn account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("must be 12 digits".to_owned())
    }
}

/// Every failure is one line on stderr: what failed and what to do.
fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("ivschat-local: {message}");
    ExitCode::from(code)
}

/// A command-line error in one line (clap's own rendering spans several, with usage).
fn flag_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let rendered = e.render().to_string();
    let what = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let what = what.strip_prefix("error: ").unwrap_or(&what);
    fail(
        2,
        &format!("{what}; see ivschat-local --help for the options and their values"),
    )
}

/// The start-up error with what to do about it.
fn start_error(e: &ivschat_local::Error) -> String {
    use std::io::ErrorKind;
    match e {
        ivschat_local::Error::Bind { addr, source } => {
            let advice = match source.kind() {
                ErrorKind::AddrInUse => format!(
                    "another process is listening on port {}; stop it, or pick another \
                     port with --listen (port 0 picks a free one)",
                    addr.port()
                ),
                ErrorKind::PermissionDenied => {
                    "ports below 1024 need privileges; use a higher port in --listen".to_owned()
                }
                ErrorKind::AddrNotAvailable => {
                    "this machine has no such address; use 127.0.0.1 or one of its own \
                     addresses in --listen"
                        .to_owned()
                }
                _ => "check --listen".to_owned(),
            };
            format!("cannot listen on {addr} ({source}): {advice}")
        }
        ivschat_local::Error::StateFileRead { path, source } => format!(
            "cannot read the state file {path} ({source}): make it a readable file, or \
             pass another --state-file (a missing file is created, in an existing directory)"
        ),
        ivschat_local::Error::StateFile { path, source } => format!(
            "the state file {path} is not an ivschat-local state file ({source}): fix or \
             remove it, or pass another --state-file"
        ),
        ivschat_local::Error::StateFileInvalid { path, reason } => format!(
            "the state file {path} cannot be used ({reason}): fix or remove it, or pass \
             another --state-file"
        ),
        ivschat_local::Error::Config(what) => {
            format!("{what}: adjust --region or --regions")
        }
        other => format!("cannot start: {other}"),
    }
}

/// A terminal chat client: mints a chat token through the API of a running ivschat-local
/// (CreateChatToken, unsigned) and joins the room. Type to send; `/delete ID [REASON]` and
/// `/kick USER [REASON]` with --moderator; `/quit` or end of input leaves.
#[derive(Debug, Parser)]
#[command(name = "ivschat-local chat")]
struct ChatCli {
    /// The emulator's endpoint.
    #[arg(long, default_value = "http://127.0.0.1:4510")]
    endpoint: String,
    /// ARN of the room to join.
    #[arg(long)]
    room: String,
    /// User id to join as.
    #[arg(long)]
    user: String,
    /// Token attribute KEY=VALUE, shown with your messages. Repeatable.
    #[arg(long = "attribute", value_name = "KEY=VALUE", value_parser = key_value)]
    attributes: Vec<(String, String)>,
    /// Also take the DELETE_MESSAGE and DISCONNECT_USER capabilities.
    #[arg(long)]
    moderator: bool,
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "must be KEY=VALUE".to_owned())
}

async fn chat(args: Vec<std::ffi::OsString>) -> ExitCode {
    let cli = match ChatCli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => return flag_error(&e),
    };
    let options = ivschat_local::ChatClientOptions {
        endpoint: cli.endpoint,
        room: cli.room,
        user: cli.user,
        attributes: cli.attributes.into_iter().collect(),
        moderator: cli.moderator,
    };
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    let code = match ivschat_local::run_chat_client(&options, input, tokio::io::stdout()).await {
        Ok(()) => 0,
        Err(e) => {
            let _ = fail(1, &e.to_string());
            1
        }
    };
    // Tokio reads stdin on a blocking thread that a pending read keeps alive, and the
    // runtime waits for it on shutdown: leave at once instead (stdout is flushed).
    std::process::exit(code)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "chat") {
        args.remove(0);
        return chat(args).await;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return flag_error(&e),
    };
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
        regions: cli.regions.unwrap_or_else(|| {
            ivschat_local::IVSCHAT_REGIONS
                .iter()
                .map(|r| (*r).to_owned())
                .collect()
        }),
        account_id: cli.account_id,
        state_file: cli.state_file,
        quotas: match cli.quotas {
            Quotas::Aws => QuotaMode::Aws,
            Quotas::Off => QuotaMode::Off,
        },
        faults: Faults {
            throttle_rate: cli.fault_throttle_rate,
            internal_error_rate: cli.fault_internal_error_rate,
            latency: Duration::from_millis(cli.fault_latency_ms),
            reset_after_commit_rate: cli.fault_reset_after_commit_rate,
            seed: cli.seed,
            lose_answers: cli.fault_lose_answer,
            ..Faults::default()
        },
        logging_settle: Duration::from_millis(cli.logging_settle_ms),
        credentials,
        chat_token_ttl: Duration::from_secs(cli.chat_token_ttl_secs),
        max_logging_configurations: cli.max_logging_configurations,
        max_rooms: cli.max_rooms,
        max_chat_connections: cli.max_chat_connections,
        review_handlers: cli.review_handlers.into_iter().collect(),
        review_timeout: Duration::from_millis(cli.review_timeout_ms),
        chat_log_dir: cli.chat_log_dir,
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
        timestamp_precision: match cli.timestamp_precision {
            Precision::S => TimestampPrecision::Seconds,
            Precision::Ms => TimestampPrecision::Millis,
        },
        clock_skew_ms: cli.clock_skew_ms,
    };
    let running = match ivschat_local::start(config).await {
        Ok(r) => r,
        Err(e) => return fail(1, &start_error(&e)),
    };
    let printed = {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", running.endpoint()).and_then(|()| out.flush())
    };
    if let Err(e) = printed {
        running.shutdown().await;
        return fail(
            1,
            &format!("cannot print the endpoint on stdout ({e}): keep stdout open for reading"),
        );
    }
    let waited = wait_for_signal().await;
    running.shutdown().await;
    match waited {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("{e}; stopped, state saved")),
    }
}

/// Waits for the signal to stop: Ctrl-C (SIGINT) anywhere, SIGTERM on unix, Ctrl-Break,
/// console close or system shutdown on Windows.
async fn wait_for_signal() -> Result<(), String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term =
            signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM ({e})"))?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(|e| format!("cannot handle SIGINT ({e})"))?,
            _ = term.recv() => {}
        }
    }
    #[cfg(windows)]
    {
        use tokio::signal::windows;
        let handle = |what: &str, e: std::io::Error| format!("cannot handle {what} ({e})");
        let mut brk = windows::ctrl_break().map_err(|e| handle("Ctrl-Break", e))?;
        let mut close = windows::ctrl_close().map_err(|e| handle("console close", e))?;
        let mut shutdown = windows::ctrl_shutdown().map_err(|e| handle("shutdown", e))?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(|e| handle("Ctrl-C", e))?,
            _ = brk.recv() => {}
            _ = close.recv() => {}
            _ = shutdown.recv() => {}
        }
    }
    #[cfg(not(any(unix, windows)))]
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot handle Ctrl-C ({e})"))?;
    Ok(())
}
