//! Per-RPC cost of PlanResourceChange (issue 3), side by side in one run.
//!
//! Run: `cargo bench --bench plan_rpc` (builds nothing else: build the provider first with
//! `cargo build --release --bin terraform-provider-ivschat`, and fetch null 2.1.2 with
//! `scripts/fetch-terraform.sh --bench`; a missing one is reported and its rows skipped).
//!
//! 1. In process: msgpack decode of prior/proposed/config, `ResourceHandle::plan`,
//!    msgpack encode of the plan, for an `ivschat_room` with every attribute set (tags, a
//!    message_review_handler block, timeouts): (a) create (null prior), (b) no-op update (prior =
//!    applied state). Each op is timed on its own, in batches; medians and p99 per op.
//! 2. Over gRPC, the same tonic client for both providers, each started as Terraform starts it
//!    (magic cookie, no client certificate → plaintext unix socket): our release binary
//!    (protocol 6) and the Go provider null 2.1.2 (protocol 5, `null_resource` with 12
//!    triggers). Sequential round trips, interleaved round by round, after warm-up; median and
//!    p99, and the ratio ours / null.
//!
//! Figures only: nothing here asserts a time.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use hyper_util::rt::TokioIo;
use ivschat_provider::plugin::go_plugin;
use ivschat_provider::plugin::tfplugin6 as tf6;
use ivschat_provider::registration::IvschatProvider;
use ivschat_provider::schema::{Block, Nesting};
use ivschat_provider::server::Server;
use ivschat_provider::value::{Type, Value, msgpack};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::UnixStream;
use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint};

const ROOM: &str = "ivschat_room";
const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const TERRAFORM_VERSION: &str = "1.15.5";

const IN_PROCESS_WARMUP_BATCHES: usize = 20;
const IN_PROCESS_BATCHES: usize = 200;
const IN_PROCESS_BATCH_OPS: usize = 1000;

const RPC_WARMUP_CALLS: usize = 200;
const RPC_ROUNDS: usize = 20;
const RPC_CALLS_PER_ROUND: usize = 100;

/// The protocol-5 messages this bench needs (Terraform's `docs/plugin-protocol/tfplugin5.proto`,
/// same field numbers), written by hand: the project has no tfplugin5 proto.
mod tf5 {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct DynamicValue {
        #[prost(bytes = "vec", tag = "1")]
        pub msgpack: Vec<u8>,
        #[prost(bytes = "vec", tag = "2")]
        pub json: Vec<u8>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AttributePathStep {
        #[prost(oneof = "Selector", tags = "1, 2, 3")]
        pub selector: Option<Selector>,
    }

    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Selector {
        #[prost(string, tag = "1")]
        AttributeName(String),
        #[prost(string, tag = "2")]
        ElementKeyString(String),
        #[prost(int64, tag = "3")]
        ElementKeyInt(i64),
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AttributePath {
        #[prost(message, repeated, tag = "1")]
        pub steps: Vec<AttributePathStep>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Diagnostic {
        /// 0 invalid, 1 error, 2 warning.
        #[prost(int32, tag = "1")]
        pub severity: i32,
        #[prost(string, tag = "2")]
        pub summary: String,
        #[prost(string, tag = "3")]
        pub detail: String,
        #[prost(message, optional, tag = "4")]
        pub attribute: Option<AttributePath>,
    }

    /// GetProviderSchema.Request (empty).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct GetSchemaRequest {}

    /// GetProviderSchema.Response, only its diagnostics: the schemas are skipped unread.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct GetSchemaResponse {
        #[prost(message, repeated, tag = "4")]
        pub diagnostics: Vec<Diagnostic>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PrepareProviderConfigRequest {
        #[prost(message, optional, tag = "1")]
        pub config: Option<DynamicValue>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PrepareProviderConfigResponse {
        #[prost(message, optional, tag = "1")]
        pub prepared_config: Option<DynamicValue>,
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ConfigureRequest {
        #[prost(string, tag = "1")]
        pub terraform_version: String,
        #[prost(message, optional, tag = "2")]
        pub config: Option<DynamicValue>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ConfigureResponse {
        #[prost(message, repeated, tag = "1")]
        pub diagnostics: Vec<Diagnostic>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PlanResourceChangeRequest {
        #[prost(string, tag = "1")]
        pub type_name: String,
        #[prost(message, optional, tag = "2")]
        pub prior_state: Option<DynamicValue>,
        #[prost(message, optional, tag = "3")]
        pub proposed_new_state: Option<DynamicValue>,
        #[prost(message, optional, tag = "4")]
        pub config: Option<DynamicValue>,
        #[prost(bytes = "vec", tag = "5")]
        pub prior_private: Vec<u8>,
        #[prost(message, optional, tag = "6")]
        pub provider_meta: Option<DynamicValue>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PlanResourceChangeResponse {
        #[prost(message, optional, tag = "1")]
        pub planned_state: Option<DynamicValue>,
        #[prost(message, repeated, tag = "2")]
        pub requires_replace: Vec<AttributePath>,
        #[prost(bytes = "vec", tag = "3")]
        pub planned_private: Vec<u8>,
        #[prost(message, repeated, tag = "4")]
        pub diagnostics: Vec<Diagnostic>,
        #[prost(bool, tag = "5")]
        pub legacy_type_system: bool,
    }
}

// ---- values ------------------------------------------------------------------------------------

fn s(v: &str) -> Value {
    Value::string(v)
}

fn object<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A block's value with nothing configured, as Terraform sends it: null attributes and single
/// blocks, empty list/set/map blocks.
fn empty_block(block: &Block) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .collect();
    for b in &block.blocks {
        let v = match b.nesting {
            Nesting::Single => Value::Null,
            Nesting::Group => Value::Object(empty_block(&b.block)),
            Nesting::List => Value::List(vec![]),
            Nesting::Set => Value::Set(vec![]),
            Nesting::Map => Value::Map(BTreeMap::new()),
        };
        out.insert(b.name.clone(), v);
    }
    out
}

fn with(mut base: BTreeMap<String, Value>, set: Vec<(&str, Value)>) -> Value {
    for (k, v) in set {
        assert!(base.contains_key(k), "the schema has no attribute {k:?}");
        base.insert(k.to_owned(), v);
    }
    Value::Object(base)
}

fn room_tags() -> Value {
    Value::Map(
        [
            ("Environment", "production"),
            ("Team", "live-video"),
            ("Service", "chat"),
            ("CostCenter", "cc-4711"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), s(v)))
        .collect(),
    )
}

/// The implied type of a schema block as the provider binary announces it (GetProviderSchema),
/// and its empty value: the gRPC rows encode against what the binary says, not what this bench
/// was compiled with, so a binary built from other sources still gets well-formed requests.
fn announced_block(b: &tf6::schema::Block) -> Result<(Type, BTreeMap<String, Value>), String> {
    let mut types = BTreeMap::new();
    let mut empty = BTreeMap::new();
    for a in &b.attributes {
        let ty = Type::from_json(&a.r#type).map_err(|e| {
            format!(
                "attribute {:?}: {e} (nested attributes are not handled)",
                a.name
            )
        })?;
        types.insert(a.name.clone(), ty);
        empty.insert(a.name.clone(), Value::Null);
    }
    for nb in &b.block_types {
        let inner = nb
            .block
            .as_ref()
            .ok_or_else(|| format!("block {:?} has no schema", nb.type_name))?;
        let (ty, inner_empty) = announced_block(inner)?;
        let (ty, v) = match nb.nesting {
            1 => (ty, Value::Null),
            2 => (Type::list(ty), Value::List(vec![])),
            3 => (Type::set(ty), Value::Set(vec![])),
            4 => (Type::map(ty), Value::Map(BTreeMap::new())),
            5 => (ty, Value::Object(inner_empty)),
            n => return Err(format!("block {:?}: nesting mode {n}", nb.type_name)),
        };
        types.insert(nb.type_name.clone(), ty);
        empty.insert(nb.type_name.clone(), v);
    }
    Ok((Type::Object(types), empty))
}

/// A room's configuration with every argument set.
fn room_config(empty: BTreeMap<String, Value>) -> Value {
    with(
        empty,
        vec![
            ("name", s("bench-room_with-a-realistic-name-01")),
            ("maximum_message_length", Value::int(300)),
            ("maximum_message_rate_per_second", Value::int(20)),
            (
                "logging_configuration_identifiers",
                Value::List(vec![
                    s("arn:aws:ivschat:us-east-1:123456789012:logging-configuration/AbCdEfGh1234"),
                    s("arn:aws:ivschat:us-east-1:123456789012:logging-configuration/IjKlMnOp5678"),
                ]),
            ),
            ("tags", room_tags()),
            ("region", s("us-east-1")),
            (
                "message_review_handler",
                Value::List(vec![object([
                    (
                        "uri",
                        s("arn:aws:lambda:us-east-1:123456789012:function:review-messages"),
                    ),
                    ("fallback_result", s("DENY")),
                ])]),
            ),
            (
                "timeouts",
                object([
                    ("create", s("10m")),
                    ("update", s("10m")),
                    ("delete", s("20m")),
                ]),
            ),
        ],
    )
}

/// The state after applying `config`: computed attributes filled in.
fn room_state(config: &Value) -> Value {
    let Value::Object(attrs) = config.clone() else {
        unreachable!("a room configuration is an object")
    };
    let arn = "arn:aws:ivschat:us-east-1:123456789012:room/QrStUvWx9012";
    with(
        attrs,
        vec![("arn", s(arn)), ("id", s(arn)), ("tags_all", room_tags())],
    )
}

/// Our provider's configuration: static credentials and a region, so configuring is local.
fn provider_config(empty: BTreeMap<String, Value>) -> Value {
    with(
        empty,
        vec![
            ("region", s("us-east-1")),
            ("access_key", s("AKIAIOSFODNN7EXAMPLE")),
            ("secret_key", s("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
        ],
    )
}

fn null_type() -> Type {
    Type::object([("id", Type::String), ("triggers", Type::map(Type::String))])
}

fn null_triggers() -> Value {
    Value::Map(
        (1..=12)
            .map(|i| {
                (
                    format!("trigger_{i:02}"),
                    s(&format!("value-{i:02}-abcdefgh")),
                )
            })
            .collect(),
    )
}

struct Encoded {
    prior: Vec<u8>,
    proposed: Vec<u8>,
    config: Vec<u8>,
}

impl Encoded {
    fn new(ty: &Type, prior: &Value, proposed: &Value, config: &Value) -> Encoded {
        let enc = |v: &Value| msgpack::encode(v, ty).expect("bench values encode");
        Encoded {
            prior: enc(prior),
            proposed: enc(proposed),
            config: enc(config),
        }
    }
}

struct Scenarios {
    create: Encoded,
    noop: Encoded,
    /// The applied state, what a no-op plan must return.
    state: Value,
}

fn room_scenarios(ty: &Type, empty: BTreeMap<String, Value>) -> Scenarios {
    let config = room_config(empty);
    let state = room_state(&config);
    Scenarios {
        // Create: Terraform's proposed new state is the configuration (computed attributes null).
        create: Encoded::new(ty, &Value::Null, &config, &config),
        // No-op: the proposed new state is the prior state (configuration equals it).
        noop: Encoded::new(ty, &state, &state, &config),
        state,
    }
}

fn null_scenarios() -> Scenarios {
    let ty = null_type();
    let config = object([("id", Value::Null), ("triggers", null_triggers())]);
    let state = object([
        ("id", s("5577006791947779410")),
        ("triggers", null_triggers()),
    ]);
    Scenarios {
        create: Encoded::new(&ty, &Value::Null, &config, &config),
        noop: Encoded::new(&ty, &state, &state, &config),
        state,
    }
}

// ---- statistics --------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Summary {
    median_us: f64,
    p99_us: f64,
    min_us: f64,
    n: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let k = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (k.floor() as usize, k.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (k - lo as f64)
}

fn summarize(mut samples_us: Vec<f64>) -> Summary {
    samples_us.sort_by(f64::total_cmp);
    Summary {
        median_us: percentile(&samples_us, 0.5),
        p99_us: percentile(&samples_us, 0.99),
        min_us: samples_us[0],
        n: samples_us.len(),
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

// ---- 1. in process -----------------------------------------------------------------------------

/// What the gRPC service does for one PlanResourceChange, minus protobuf: decode the three
/// values, plan, encode the plan.
fn plan_in_process(server: &Server<IvschatProvider>, e: &Encoded) -> Vec<u8> {
    let r = server.resource(ROOM).expect("registered");
    let prior = msgpack::decode(&e.prior, r.ty()).expect("prior decodes");
    let proposed = msgpack::decode(&e.proposed, r.ty()).expect("proposed decodes");
    let config = msgpack::decode(&e.config, r.ty()).expect("config decodes");
    let change = r.plan(&prior, &proposed, &config);
    msgpack::encode(&change.planned, r.ty()).expect("plan encodes")
}

struct InProcess {
    per_op: Summary,
    batch_means: Summary,
}

fn bench_in_process(server: &Server<IvschatProvider>, e: &Encoded) -> InProcess {
    for _ in 0..IN_PROCESS_WARMUP_BATCHES * IN_PROCESS_BATCH_OPS {
        black_box(plan_in_process(server, black_box(e)));
    }
    let mut per_op = Vec::with_capacity(IN_PROCESS_BATCHES * IN_PROCESS_BATCH_OPS);
    let mut batch_means = Vec::with_capacity(IN_PROCESS_BATCHES);
    for _ in 0..IN_PROCESS_BATCHES {
        let batch = Instant::now();
        for _ in 0..IN_PROCESS_BATCH_OPS {
            let t = Instant::now();
            black_box(plan_in_process(server, black_box(e)));
            per_op.push(us(t.elapsed()));
        }
        batch_means.push(us(batch.elapsed()) / IN_PROCESS_BATCH_OPS as f64);
    }
    InProcess {
        per_op: summarize(per_op),
        batch_means: summarize(batch_means),
    }
}

/// One plan outside the timing, to show what is measured is a successful plan.
fn check_in_process(server: &Server<IvschatProvider>, sc: &Scenarios) {
    let r = server.resource(ROOM).expect("registered");
    for (label, e) in [("create", &sc.create), ("no-op", &sc.noop)] {
        let prior = msgpack::decode(&e.prior, r.ty()).expect("decodes");
        let proposed = msgpack::decode(&e.proposed, r.ty()).expect("decodes");
        let config = msgpack::decode(&e.config, r.ty()).expect("decodes");
        let change = r.plan(&prior, &proposed, &config);
        if !change.diags.is_empty() {
            eprintln!(
                "plan_rpc: in-process {label} plan has diagnostics: {:?}",
                change.diags
            );
        }
        if label == "no-op" && change.planned != sc.state {
            eprintln!(
                "plan_rpc: in-process no-op plan differs from the prior state:\n  plan:  {:?}\n  prior: {:?}",
                change.planned, sc.state
            );
        }
    }
}

// ---- 2. over gRPC ------------------------------------------------------------------------------

struct Plugin {
    name: &'static str,
    child: Child,
    channel: Channel,
    handshake: String,
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts `binary` the way Terraform does and connects to the unix socket it announces.
async fn start_plugin(
    name: &'static str,
    binary: &std::path::Path,
    protocol: &str,
) -> Result<Plugin, String> {
    let mut cmd = Command::new(binary);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("TF_") || k.starts_with("PLUGIN_") || k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", protocol)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{name}: cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    match tokio::time::timeout(Duration::from_secs(20), reader.read_line(&mut line)).await {
        Ok(Ok(n)) if n > 0 => {}
        Ok(Ok(_)) => return Err(format!("{name}: exited without a handshake line")),
        Ok(Err(e)) => return Err(format!("{name}: reading the handshake: {e}")),
        Err(_) => return Err(format!("{name}: no handshake line within 20 s")),
    }
    // Keep draining stdout so the plugin can never block on it.
    tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink).await;
    });
    let handshake = line.trim().to_owned();
    let fields: Vec<&str> = handshake.split('|').collect();
    if fields.len() < 5 || fields[1] != protocol || fields[2] != "unix" || fields[4] != "grpc" {
        return Err(format!(
            "{name}: unexpected handshake {handshake:?} (want protocol {protocol} over a unix socket)"
        ));
    }
    let socket = fields[3].to_owned();
    let channel = Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(tower::service_fn(move |_| {
            let socket = socket.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(socket).await?)) }
        }))
        .await
        .map_err(|e| format!("{name}: cannot connect: {e}"))?;
    Ok(Plugin {
        name,
        child,
        channel,
        handshake,
    })
}

async fn stop_plugin(mut p: Plugin, graceful: bool) {
    if graceful {
        let mut ctl =
            go_plugin::grpc_controller_client::GrpcControllerClient::new(p.channel.clone());
        if let Err(e) = ctl.shutdown(go_plugin::Empty {}).await {
            eprintln!("plan_rpc: {}: Shutdown: {e}", p.name);
        }
        if let Ok(Ok(status)) = tokio::time::timeout(Duration::from_secs(5), p.child.wait()).await {
            if !status.success() {
                eprintln!("plan_rpc: {} exited with {status}", p.name);
            }
            return;
        }
        eprintln!(
            "plan_rpc: {} still running 5 s after Shutdown: killed",
            p.name
        );
    }
    let _ = p.child.kill().await;
}

fn dv6(bytes: &[u8]) -> Option<tf6::DynamicValue> {
    Some(tf6::DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    })
}

fn dv5(bytes: &[u8]) -> Option<tf5::DynamicValue> {
    Some(tf5::DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    })
}

/// Our provider, protocol 6: schema, configure, then PlanResourceChange.
struct Ours {
    client: tf6::provider_client::ProviderClient<Channel>,
    create: tf6::plan_resource_change::Request,
    noop: tf6::plan_resource_change::Request,
}

impl Ours {
    async fn new(channel: Channel) -> Result<Ours, String> {
        let mut client = tf6::provider_client::ProviderClient::new(channel);
        let schema = client
            .get_provider_schema(tf6::get_provider_schema::Request::default())
            .await
            .map_err(|e| format!("ours: GetProviderSchema: {e}"))?
            .into_inner();
        if !schema.diagnostics.is_empty() {
            return Err(format!("ours: GetProviderSchema: {:?}", schema.diagnostics));
        }
        let announced = |s: Option<&tf6::Schema>, what: &str| {
            s.and_then(|s| s.block.as_ref())
                .ok_or_else(|| format!("ours: GetProviderSchema: no {what} schema"))
                .and_then(|b| announced_block(b).map_err(|e| format!("ours: {what}: {e}")))
        };
        let (provider_ty, provider_empty) = announced(schema.provider.as_ref(), "provider")?;
        let (room_ty, room_empty) = announced(schema.resource_schemas.get(ROOM), ROOM)?;
        let config = msgpack::encode(&provider_config(provider_empty), &provider_ty)
            .map_err(|e| format!("ours: provider configuration: {e}"))?;
        let configured = client
            .configure_provider(tf6::configure_provider::Request {
                terraform_version: TERRAFORM_VERSION.into(),
                config: dv6(&config),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("ours: ConfigureProvider: {e}"))?
            .into_inner();
        if !configured.diagnostics.is_empty() {
            return Err(format!(
                "ours: ConfigureProvider: {:?}",
                configured.diagnostics
            ));
        }
        let sc = room_scenarios(&room_ty, room_empty);
        let request = |e: &Encoded| tf6::plan_resource_change::Request {
            type_name: ROOM.into(),
            prior_state: dv6(&e.prior),
            proposed_new_state: dv6(&e.proposed),
            config: dv6(&e.config),
            ..Default::default()
        };
        let mut ours = Ours {
            client,
            create: request(&sc.create),
            noop: request(&sc.noop),
        };
        // Check once that both plans succeed, and that the no-op plan is the prior state.
        let ty = &room_ty;
        for noop in [false, true] {
            let resp = ours.plan(noop).await?;
            if !resp.diagnostics.is_empty() {
                return Err(format!("ours: PlanResourceChange: {:?}", resp.diagnostics));
            }
            if noop {
                let planned = resp.planned_state.map(|d| d.msgpack).unwrap_or_default();
                let planned =
                    msgpack::decode(&planned, ty).map_err(|e| format!("ours: plan: {e}"))?;
                if planned != sc.state {
                    eprintln!("plan_rpc: ours: the no-op plan differs from the prior state");
                }
            }
        }
        Ok(ours)
    }

    async fn plan(&mut self, noop: bool) -> Result<tf6::plan_resource_change::Response, String> {
        let req = if noop { &self.noop } else { &self.create }.clone();
        self.client
            .plan_resource_change(req)
            .await
            .map(tonic::Response::into_inner)
            .map_err(|e| format!("ours: PlanResourceChange: {e}"))
    }
}

/// null 2.1.2, protocol 5, through the generic tonic client.
struct Null {
    grpc: tonic::client::Grpc<Channel>,
    create: tf5::PlanResourceChangeRequest,
    noop: tf5::PlanResourceChangeRequest,
}

impl Null {
    async fn unary<Req, Resp>(&mut self, path: &'static str, req: Req) -> Result<Resp, String>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        self.grpc
            .ready()
            .await
            .map_err(|e| format!("null: {path}: not ready: {e}"))?;
        let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
        self.grpc
            .unary(
                tonic::Request::new(req),
                http::uri::PathAndQuery::from_static(path),
                codec,
            )
            .await
            .map(tonic::Response::into_inner)
            .map_err(|e| format!("null: {path}: {e}"))
    }

    async fn new(channel: Channel) -> Result<Null, String> {
        let sc = null_scenarios();
        let request = |e: &Encoded| tf5::PlanResourceChangeRequest {
            type_name: "null_resource".into(),
            prior_state: dv5(&e.prior),
            proposed_new_state: dv5(&e.proposed),
            config: dv5(&e.config),
            ..Default::default()
        };
        let mut null = Null {
            grpc: tonic::client::Grpc::new(channel),
            create: request(&sc.create),
            noop: request(&sc.noop),
        };
        let schema: tf5::GetSchemaResponse = null
            .unary("/tfplugin5.Provider/GetSchema", tf5::GetSchemaRequest {})
            .await?;
        if !schema.diagnostics.is_empty() {
            return Err(format!("null: GetSchema: {:?}", schema.diagnostics));
        }
        // The null provider's configuration is an empty object.
        let empty = msgpack::encode(&Value::Object(BTreeMap::new()), &Type::object([]))
            .expect("empty object encodes");
        let prepared: tf5::PrepareProviderConfigResponse = null
            .unary(
                "/tfplugin5.Provider/PrepareProviderConfig",
                tf5::PrepareProviderConfigRequest {
                    config: dv5(&empty),
                },
            )
            .await?;
        if !prepared.diagnostics.is_empty() {
            return Err(format!(
                "null: PrepareProviderConfig: {:?}",
                prepared.diagnostics
            ));
        }
        let configured: tf5::ConfigureResponse = null
            .unary(
                "/tfplugin5.Provider/Configure",
                tf5::ConfigureRequest {
                    terraform_version: TERRAFORM_VERSION.into(),
                    config: dv5(&empty),
                },
            )
            .await?;
        if !configured.diagnostics.is_empty() {
            return Err(format!("null: Configure: {:?}", configured.diagnostics));
        }
        for noop in [false, true] {
            let resp = null.plan(noop).await?;
            if !resp.diagnostics.is_empty() {
                return Err(format!("null: PlanResourceChange: {:?}", resp.diagnostics));
            }
            if noop {
                let planned = resp.planned_state.map(|d| d.msgpack).unwrap_or_default();
                let planned = msgpack::decode(&planned, &null_type())
                    .map_err(|e| format!("null: plan: {e}"))?;
                if planned != sc.state {
                    eprintln!("plan_rpc: null: the no-op plan differs from the prior state");
                }
            }
        }
        Ok(null)
    }

    async fn plan(&mut self, noop: bool) -> Result<tf5::PlanResourceChangeResponse, String> {
        let req = if noop { &self.noop } else { &self.create }.clone();
        self.unary("/tfplugin5.Provider/PlanResourceChange", req)
            .await
    }
}

enum Target {
    Ours(Ours),
    Null(Null),
}

impl Target {
    async fn plan(&mut self, noop: bool) -> Result<(), String> {
        match self {
            Target::Ours(o) => o.plan(noop).await.map(drop),
            Target::Null(n) => n.plan(noop).await.map(drop),
        }
    }
}

/// One gRPC series: which provider, which plan, and its round-trip times.
struct Series {
    label: String,
    target: usize,
    noop: bool,
    samples_us: Vec<f64>,
}

async fn bench_rpc(
    targets: &mut [(&'static str, Target)],
) -> Result<Vec<(String, Summary)>, String> {
    let mut series = Vec::new();
    for (i, (name, _)) in targets.iter().enumerate() {
        for noop in [false, true] {
            series.push(Series {
                label: format!("{name} {}", if noop { "no-op" } else { "create" }),
                target: i,
                noop,
                samples_us: Vec::with_capacity(RPC_ROUNDS * RPC_CALLS_PER_ROUND),
            });
        }
    }
    for s in &series {
        for _ in 0..RPC_WARMUP_CALLS {
            targets[s.target].1.plan(s.noop).await?;
        }
    }
    let n = series.len();
    for round in 0..RPC_ROUNDS {
        // Interleave the series, rotating which goes first.
        for k in 0..n {
            let s = &mut series[(round + k) % n];
            let target = &mut targets[s.target].1;
            for _ in 0..RPC_CALLS_PER_ROUND {
                let t = Instant::now();
                target.plan(s.noop).await?;
                s.samples_us.push(us(t.elapsed()));
            }
        }
    }
    Ok(series
        .into_iter()
        .map(|s| (s.label, summarize(s.samples_us)))
        .collect())
}

// ---- main --------------------------------------------------------------------------------------

fn print_row(label: &str, s: &Summary, extra: &str) {
    println!(
        "  {label:<34} {:>10.2} {:>10.2} {:>10.2} {:>9}  {extra}",
        s.median_us, s.p99_us, s.min_us, s.n
    );
}

fn print_header() {
    println!(
        "  {:<34} {:>10} {:>10} {:>10} {:>9}",
        "", "median µs", "p99 µs", "min µs", "samples"
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    println!("plan_rpc: PlanResourceChange per-RPC cost ({cpus} CPUs, load average {load})\n");

    // 1. In process, with the provider configured as over gRPC.
    let server = Server::new(IvschatProvider);
    let reg = server.types();
    let diags = server
        .configure(&provider_config(empty_block(&reg.provider_schema.block)))
        .await;
    if !diags.is_empty() {
        eprintln!("plan_rpc: in-process configure: {diags:?}");
    }
    let room = reg.resource(ROOM).expect("ivschat_room is registered");
    let sc = room_scenarios(&room.ty, empty_block(&room.schema.block));
    check_in_process(&server, &sc);
    println!(
        "1. in process: msgpack decode (prior, proposed, config) + ResourceHandle::plan + \
         msgpack encode, ivschat_room\n   ({} bytes config, {} bytes state), {IN_PROCESS_BATCHES} \
         batches x {IN_PROCESS_BATCH_OPS} ops after {IN_PROCESS_WARMUP_BATCHES} warm-up batches",
        sc.create.config.len(),
        sc.noop.prior.len()
    );
    print_header();
    let mut in_process = Vec::new();
    for (label, e) in [
        ("create (null prior)", &sc.create),
        ("no-op update", &sc.noop),
    ] {
        let r = bench_in_process(&server, e);
        print_row(&format!("{label}, per op"), &r.per_op, "");
        print_row(&format!("{label}, batch means"), &r.batch_means, "");
        in_process.push((label, r.per_op.median_us));
    }
    for (label, median) in &in_process {
        println!(
            "  target: {label} median {median:.2} µs {} 50 µs",
            if *median < 50.0 { "<" } else { ">=" }
        );
    }
    println!();

    // 2. Over gRPC, same client for both.
    let root = workspace_root();
    let ours_bin = root.join("target/release/terraform-provider-ivschat");
    let null_bin = root.join(".cache/go-providers/null-2.1.2/terraform-provider-null_v2.1.2_x4");
    println!(
        "2. over gRPC (tonic client, unix socket, plaintext), sequential round trips: \
         {RPC_ROUNDS} interleaved rounds x {RPC_CALLS_PER_ROUND} calls after {RPC_WARMUP_CALLS} \
         warm-up calls each\n   ours: {} (protocol 6, ivschat_room as above)\n   null: {} \
         (protocol 5, null_resource with 12 triggers)",
        ours_bin.display(),
        null_bin.display()
    );
    let mut plugins = Vec::new();
    let mut targets: Vec<(&'static str, Target)> = Vec::new();
    if ours_bin.is_file() {
        match start_plugin("ours", &ours_bin, "6").await {
            Ok(p) => match Ours::new(p.channel.clone()).await {
                Ok(o) => {
                    println!("   ours handshake: {}", p.handshake);
                    targets.push(("ours", Target::Ours(o)));
                    plugins.push((p, true));
                }
                Err(e) => {
                    eprintln!("plan_rpc: {e}");
                    stop_plugin(p, true).await;
                }
            },
            Err(e) => eprintln!("plan_rpc: {e}"),
        }
    } else {
        println!(
            "   ours: {} is missing: build it with \
             `cargo build --release --bin terraform-provider-ivschat`",
            ours_bin.display()
        );
    }
    if null_bin.is_file() {
        match start_plugin("null", &null_bin, "5").await {
            Ok(p) => match Null::new(p.channel.clone()).await {
                Ok(n) => {
                    println!("   null handshake: {}", p.handshake);
                    targets.push(("null", Target::Null(n)));
                    plugins.push((p, false));
                }
                Err(e) => {
                    eprintln!("plan_rpc: {e}");
                    stop_plugin(p, false).await;
                }
            },
            Err(e) => eprintln!("plan_rpc: {e}"),
        }
    } else {
        println!(
            "   null 2.1.2: {} is missing: fetch it with `scripts/fetch-terraform.sh --bench`",
            null_bin.display()
        );
    }

    if targets.is_empty() {
        println!("   no provider to measure over gRPC");
    } else {
        match bench_rpc(&mut targets).await {
            Ok(results) => {
                print_header();
                for (label, s) in &results {
                    print_row(label, s, "");
                }
                let find = |l: &str| results.iter().find(|(x, _)| x == l).map(|(_, s)| *s);
                for op in ["create", "no-op"] {
                    if let (Some(o), Some(n)) =
                        (find(&format!("ours {op}")), find(&format!("null {op}")))
                    {
                        println!(
                            "  ratio ours/null, {op}: median {:.2}, p99 {:.2}",
                            o.median_us / n.median_us,
                            o.p99_us / n.p99_us
                        );
                    }
                }
            }
            Err(e) => eprintln!("plan_rpc: {e}"),
        }
    }
    drop(targets);
    for (p, graceful) in plugins {
        stop_plugin(p, graceful).await;
    }
}
