//! Emulator configuration (shared by the CLI and the library API).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The regions where Amazon IVS Chat is offered (the default of [`Config::regions`]).
pub const IVSCHAT_REGIONS: [&str; 7] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "us-west-2",
];

/// Whether the per-operation AWS rate quotas are enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QuotaMode {
    /// Token buckets with the AWS rates (5 TPS room operations, 3 TPS logging
    /// configuration operations, 10 TPS tag operations, 200 TPS CreateChatToken,
    /// 100 TPS for each messaging operation), per region.
    #[default]
    Aws,
    /// No rate limiting.
    Off,
}

/// What Get* and List* see after a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Consistency {
    /// Every read sees every write that completed before it.
    #[default]
    Strong,
    /// Each write to a room or logging configuration becomes visible to reads only after
    /// a lag; until then reads serve the version before it (see the README).
    Eventual {
        /// Longest lag.
        max_lag: Duration,
        /// How each write's lag is chosen.
        draw: LagDraw,
    },
}

/// How [`Consistency::Eventual`] picks the lag of one write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LagDraw {
    /// Uniform in `0..=max_lag` milliseconds, from the generator seeded with
    /// [`Faults::seed`] (the same seed and request sequence give the same lags).
    #[default]
    Uniform,
    /// Exactly `max_lag` (deterministic tests).
    Exact,
}

/// Precision of the createTime / updateTime the API stores and answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimestampPrecision {
    /// Milliseconds.
    #[default]
    Millis,
    /// Whole seconds (the milliseconds are truncated): an update within the same second
    /// as the previous one keeps the same `updateTime` value.
    Seconds,
}

/// Loses the answers of one operation: the request is carried out, then its connection
/// is dropped without a response (as [`Faults::reset_after_commit_rate`] does, but only
/// for `operation`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoseAnswer {
    /// Operation name, e.g. `CreateRoom`.
    pub operation: String,
    /// The next `count` calls of `operation` that succeed lose their answer.
    pub count: u32,
    /// After those, each successful call loses its answer with this probability
    /// (`0.0..=1.0`, drawn from the generator seeded with [`Faults::seed`]).
    pub rate: f64,
}

/// Fault injection settings. Rates are probabilities in `0.0..=1.0`. The internal error
/// rate also applies to messaging requests (ERROR 500 to the client).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability that a request is answered with ThrottlingException (429) before it runs.
    pub throttle_rate: f64,
    /// Probability that a request is answered with InternalServerException (500) before it runs.
    pub internal_error_rate: f64,
    /// Latency added to every AWS API request.
    pub latency: Duration,
    /// Probability that a successful request is applied and then its connection is
    /// dropped without a response.
    pub reset_after_commit_rate: f64,
    /// Seed of the fault generator; the same seed and the same request sequence give
    /// the same faults. `None` seeds from the OS.
    pub seed: Option<u64>,
    /// Operation names (e.g. `DeleteRoom`) answered with AccessDeniedException (403).
    pub deny_operations: Vec<String>,
    /// Answer PendingVerification (403) on the operations whose model lists it.
    pub pending_verification: bool,
    /// Operations whose answers are lost after they take effect.
    pub lose_answers: Vec<LoseAnswer>,
}

/// Access key pair that requests must be signed with (SigV4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
}

/// Everything the emulator can be told at start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port. Default `127.0.0.1:0`
    /// (the CLI defaults to `127.0.0.1:4510`).
    pub listen: SocketAddr,
    /// Region used when a request carries no SigV4 scope. Default `us-east-1`; must be
    /// one of `regions`.
    pub region: String,
    /// Regions served; a request scoped to another is refused (InvalidSignatureException),
    /// which also bounds the memory one client can make the emulator use. Default
    /// [`IVSCHAT_REGIONS`].
    pub regions: Vec<String>,
    /// Account id in every ARN. Default `123456789012`.
    pub account_id: String,
    /// JSON file the state is loaded from and saved to (atomically).
    pub state_file: Option<PathBuf>,
    /// Rate quotas. Default [`QuotaMode::Aws`].
    pub quotas: QuotaMode,
    /// Fault injection. Default: none.
    pub faults: Faults,
    /// How long a logging configuration stays CREATING / UPDATING / DELETING. Default 1 s.
    pub logging_settle: Duration,
    /// When set, every AWS API request must carry a valid SigV4 signature made with these.
    pub credentials: Option<Credentials>,
    /// Lifetime of a chat token (tokenExpirationTime - now). Default 60 minutes.
    pub chat_token_ttl: Duration,
    /// Logging configurations per account and region. Default 10 (the AWS quota).
    pub max_logging_configurations: usize,
    /// Rooms per account and region. Default 50,000 (the AWS quota).
    pub max_rooms: usize,
    /// Read-after-write behaviour. Default [`Consistency::Strong`].
    pub consistency: Consistency,
    /// Precision of createTime / updateTime. Default [`TimestampPrecision::Millis`].
    pub timestamp_precision: TimestampPrecision,
    /// Milliseconds the emulator's clock runs ahead of the machine's (negative: behind).
    /// It stamps createTime / updateTime, token expiries, the HTTP `Date` header and
    /// the request log. Default 0.
    pub clock_skew_ms: i64,
    /// Concurrent chat (WebSocket) connections per account and region while quotas are
    /// on. Default 50,000 (the AWS quota).
    pub max_chat_connections: usize,
    /// Message review handlers: Lambda ARN -> local `http://` URL that is POSTed the
    /// review request. A room whose handler is not mapped gets its fallbackResult.
    pub review_handlers: std::collections::BTreeMap<String, String>,
    /// How long a review handler may take before the fallbackResult applies. Default
    /// 200 ms (the AWS timeout).
    pub review_timeout: Duration,
    /// Where chat logging writes the messages and events of rooms with ACTIVE logging
    /// configurations (one folder per destination kind and name). `None`: not written.
    pub chat_log_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: "us-east-1".to_owned(),
            regions: IVSCHAT_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            account_id: "123456789012".to_owned(),
            state_file: None,
            quotas: QuotaMode::Aws,
            faults: Faults::default(),
            logging_settle: Duration::from_millis(1000),
            credentials: None,
            chat_token_ttl: Duration::from_secs(3600),
            max_logging_configurations: 10,
            max_rooms: 50_000,
            consistency: Consistency::Strong,
            timestamp_precision: TimestampPrecision::Millis,
            clock_skew_ms: 0,
            max_chat_connections: 50_000,
            review_handlers: std::collections::BTreeMap::new(),
            review_timeout: Duration::from_millis(200),
            chat_log_dir: None,
        }
    }
}
