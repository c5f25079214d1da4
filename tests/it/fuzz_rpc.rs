//! A schema-driven fuzzer of the whole RPC surface (issue 14, part 2).
//!
//! Every schema the provider serves (provider, resources, data sources, ephemeral and list
//! resources, actions, functions) is read from GetProviderSchema, and values of the declared
//! types are generated with extremes: huge, negative and fractional numbers, 1,000,000-character
//! and non-ASCII strings, nulls and unknowns in every position, deep dynamic values, durations at
//! and past their bounds, plus raw random msgpack and JSON bytes. They are sent to the provider's
//! real tonic service in process; RPCs that reach AWS talk to an in-process ivschat-local.
//!
//! A case passes when the call neither panics nor outlives its deadline, and its rejections are
//! diagnostics (an attribute-value error carries the attribute's path; no "Provider Internal
//! Error"). Deterministic by seed: each case draws from its own generator seeded by
//! `(seed, case)`, so a failing case replays alone with `FUZZ_SEED=<seed> FUZZ_CASE=<n>`.
//!
//! CI runs `FUZZ_CASES` (default 20,000) cases with the default seed; `scripts/fuzz.sh rpc`
//! runs more with a fresh seed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ivschat_provider::plugin::tfplugin6 as pb;
use ivschat_provider::plugin::tfplugin6::provider_server::Provider as _;
use ivschat_provider::registration::IvschatProvider;
use ivschat_provider::server::Server;
use ivschat_provider::server::grpc::GrpcProvider;
use ivschat_provider::value::{Number, Type, Value, json, msgpack};
use tonic::Request;

const DEFAULT_SEED: u64 = 14;
const DEFAULT_CASES: u64 = 20_000;
/// Longer than any legitimate call against a local emulator with no retries and no pacing.
const CALL_DEADLINE: Duration = Duration::from_secs(20);

type Grpc = GrpcProvider<IvschatProvider>;

/// Every type and function the provider serves, with the types of their configurations.
struct Surface {
    provider: Type,
    resources: Vec<(String, Type)>,
    data_sources: Vec<(String, Type)>,
    ephemerals: Vec<(String, Type)>,
    lists: Vec<(String, Type)>,
    actions: Vec<(String, Type)>,
    functions: Vec<(String, Vec<Type>, Option<Type>)>,
}

fn attribute_type(a: &pb::schema::Attribute) -> Type {
    match &a.nested_type {
        Some(object) => {
            let inner = Type::Object(
                object
                    .attributes
                    .iter()
                    .map(|a| (a.name.clone(), attribute_type(a)))
                    .collect(),
            );
            match object.nesting() {
                pb::schema::object::NestingMode::List => Type::list(inner),
                pb::schema::object::NestingMode::Set => Type::set(inner),
                pb::schema::object::NestingMode::Map => Type::map(inner),
                _ => inner,
            }
        }
        None => Type::from_json(&a.r#type).expect("the provider serves valid type JSON"),
    }
}

fn block_type(block: &pb::schema::Block) -> Type {
    let mut members: BTreeMap<String, Type> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), attribute_type(a)))
        .collect();
    for nested in &block.block_types {
        let inner = block_type(nested.block.as_ref().expect("nested block has a body"));
        let ty = match nested.nesting() {
            pb::schema::nested_block::NestingMode::List => Type::list(inner),
            pb::schema::nested_block::NestingMode::Set => Type::set(inner),
            pb::schema::nested_block::NestingMode::Map => Type::map(inner),
            _ => inner,
        };
        members.insert(nested.type_name.clone(), ty);
    }
    Type::Object(members)
}

fn schema_types(schemas: &std::collections::HashMap<String, pb::Schema>) -> Vec<(String, Type)> {
    let mut out: Vec<(String, Type)> = schemas
        .iter()
        .map(|(name, s)| (name.clone(), block_type(s.block.as_ref().expect("block"))))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

async fn surface(grpc: &Grpc) -> Surface {
    let schema = grpc
        .get_provider_schema(Request::new(Default::default()))
        .await
        .expect("schema")
        .into_inner();
    let mut actions: Vec<(String, Type)> = schema
        .action_schemas
        .iter()
        .map(|(name, a)| {
            let block = a.schema.as_ref().and_then(|s| s.block.as_ref());
            (name.clone(), block_type(block.expect("action block")))
        })
        .collect();
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    let mut functions: Vec<(String, Vec<Type>, Option<Type>)> = schema
        .functions
        .iter()
        .map(|(name, f)| {
            let params = f
                .parameters
                .iter()
                .map(|p| Type::from_json(&p.r#type).expect("parameter type"))
                .collect();
            let variadic = f
                .variadic_parameter
                .as_ref()
                .map(|p| Type::from_json(&p.r#type).expect("variadic type"));
            (name.clone(), params, variadic)
        })
        .collect();
    functions.sort_by(|a, b| a.0.cmp(&b.0));
    Surface {
        provider: block_type(
            schema
                .provider
                .as_ref()
                .and_then(|s| s.block.as_ref())
                .expect("provider block"),
        ),
        resources: schema_types(&schema.resource_schemas),
        data_sources: schema_types(&schema.data_source_schemas),
        ephemerals: schema_types(&schema.ephemeral_resource_schemas),
        lists: schema_types(&schema.list_resource_schemas),
        actions,
        functions,
    }
}

/// Strings chosen to hit the provider's rules at and past their edges.
const STRINGS: &[&str] = &[
    "",
    " ",
    "x",
    "us-east-1",
    "eu-west-1",
    "not a region",
    "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234",
    "arn:aws:ivschat:eu-west-1:123456789012:room/abcdEFGH1234",
    "arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abcdEFGH1234",
    "arn:aws:ivschat:us-east-1:123456789012:room/",
    "arn:aws:iam::123456789012:role/x",
    "arn:",
    "abcdEFGH1234",
    "ALLOW",
    "DENY",
    "SEND_MESSAGE",
    "http://127.0.0.1:1",
    "https://",
    "::::",
    "{}",
    "[]",
    "null",
    "0s",
    "1ns",
    "999ms",
    "1s",
    "14m59s",
    "15m",
    "12h",
    "12h0m1s",
    "24h",
    "24h0m0.000000001s",
    "-1h",
    "1e3s",
    "1.5.5h",
    "99999999999999999999h",
    "3000000000000000h",
    "2562047h47m16.854775807s",
    "µs",
    "1µs",
    "ünïcödé ☃ 😀 \u{202e}",
    "\u{0}",
    "room-name_01",
    "tag:key",
    "aws:reserved",
];

fn gen_string(rng: &mut fastrand::Rng) -> String {
    // A 1,000,000-character string costs milliseconds to encode and check in a debug build:
    // one string in 500 keeps them in a few percent of the cases.
    match rng.u32(0..1000) {
        0 => "x".repeat(1_000_000),
        1 => "é".repeat(1_000_000),
        2..=400 => STRINGS[rng.usize(0..STRINGS.len())].to_owned(),
        401..=550 => {
            let len = rng.usize(0..300);
            (0..len).map(|_| rng.char(..)).collect()
        }
        551..=700 => {
            let len = rng.usize(0..140);
            (0..len).map(|_| rng.alphanumeric()).collect()
        }
        _ => format!(
            "{}{}",
            rng.u64(0..100_000),
            ["h", "m", "s", "ms", "x", ""][rng.usize(0..6)]
        ),
    }
}

fn gen_number(rng: &mut fastrand::Rng) -> Number {
    const TEXTS: &[&str] = &[
        "0",
        "-0",
        "1",
        "-1",
        "0.5",
        "-0.5",
        "0.01",
        "0.009999",
        "1e-30",
        "1e300",
        "-1e300",
        "1e100000",
        "-1e100000",
        "1e-100000",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "500",
        "501",
        "100",
        "101",
        "180",
        "181",
        "3.141592653589793238462643383279",
        "10000",
        "10000.0001",
        "2147483648",
    ];
    match rng.u32(0..4) {
        0 => Number::from(rng.i64(..)),
        1 => Number::from(rng.i64(-3..600)),
        _ => TEXTS[rng.usize(0..TEXTS.len())]
            .parse()
            .expect("number text parses"),
    }
}

/// A known value of an arbitrary type, nested `depth` deep, for dynamic positions.
fn gen_deep(rng: &mut fastrand::Rng, depth: usize) -> Value {
    if depth == 0 {
        return match rng.u32(0..3) {
            0 => Value::String(gen_string(rng)),
            1 => Value::Number(gen_number(rng)),
            _ => Value::Bool(rng.bool()),
        };
    }
    let inner = gen_deep(rng, depth - 1);
    if rng.bool() {
        Value::Tuple(vec![inner, Value::Bool(true)])
    } else {
        Value::Object(BTreeMap::from([("k".to_owned(), inner)]))
    }
}

fn gen_value(rng: &mut fastrand::Rng, ty: &Type, depth: usize) -> Value {
    match rng.u32(0..100) {
        0..=7 => return Value::Null,
        8..=12 => return Value::unknown(),
        _ => {}
    }
    let count = |rng: &mut fastrand::Rng| {
        if rng.u32(0..50) == 0 {
            rng.usize(40..70)
        } else {
            rng.usize(0..4)
        }
    };
    match ty {
        Type::String => Value::String(gen_string(rng)),
        Type::Number => Value::Number(gen_number(rng)),
        Type::Bool => Value::Bool(rng.bool()),
        Type::Dynamic => {
            let deep = rng.usize(0..if depth < 2 { 64 } else { 4 });
            gen_deep(rng, deep)
        }
        Type::List(e) | Type::Set(e) => {
            let n = if depth > 6 { 0 } else { count(rng) };
            let items = (0..n).map(|_| gen_value(rng, e, depth + 1)).collect();
            if matches!(ty, Type::List(_)) {
                Value::List(items)
            } else {
                Value::Set(items)
            }
        }
        Type::Map(e) => {
            let n = if depth > 6 { 0 } else { count(rng) };
            Value::Map(
                (0..n)
                    .map(|i| {
                        let key = if rng.bool() {
                            format!("k{i}")
                        } else {
                            format!("{}{i}", gen_string(rng))
                        };
                        (key, gen_value(rng, e, depth + 1))
                    })
                    .collect(),
            )
        }
        Type::Object(members) => Value::Object(
            members
                .iter()
                .map(|(name, t)| (name.clone(), gen_value(rng, t, depth + 1)))
                .collect(),
        ),
        Type::Tuple(elements) => Value::Tuple(
            elements
                .iter()
                .map(|t| gen_value(rng, t, depth + 1))
                .collect(),
        ),
    }
}

/// A generated value on the wire: mostly msgpack of the value, sometimes its JSON, sometimes
/// raw random bytes or nothing at all.
fn dynamic(rng: &mut fastrand::Rng, ty: &Type) -> Option<pb::DynamicValue> {
    let roll = rng.u32(0..100);
    if roll < 3 {
        return None;
    }
    if roll < 9 {
        let len = rng.usize(0..64);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
        if rng.bool() && !bytes.is_empty() {
            // A plausible header (fixmap, map16, array) so the decoder goes deeper.
            bytes[0] = [0x80 | rng.u8(0..16), 0xde, 0x90 | rng.u8(0..16), 0xc7][rng.usize(0..4)];
        }
        return Some(if rng.bool() {
            pb::DynamicValue {
                msgpack: bytes,
                json: Vec::new(),
            }
        } else {
            pb::DynamicValue {
                msgpack: Vec::new(),
                json: bytes,
            }
        });
    }
    let mut value = gen_value(rng, ty, 0);
    if roll < 14 {
        // JSON cannot carry unknowns: Terraform only sends JSON for known values.
        value = known_only(value);
        return json::encode(&value, ty).ok().map(|json| pb::DynamicValue {
            msgpack: Vec::new(),
            json,
        });
    }
    msgpack::encode(&value, ty)
        .ok()
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
}

fn known_only(value: Value) -> Value {
    match value {
        Value::Unknown(_) => Value::Null,
        Value::List(v) => Value::List(v.into_iter().map(known_only).collect()),
        Value::Set(v) => Value::Set(v.into_iter().map(known_only).collect()),
        Value::Tuple(v) => Value::Tuple(v.into_iter().map(known_only).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, known_only(v))).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, known_only(v))).collect()),
        other => other,
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(0..items.len())]
}

/// What one call returned, reduced to what the pass rule looks at.
enum Outcome {
    Diagnostics(Vec<pb::Diagnostic>),
    FunctionError(Option<pb::FunctionError>),
    Status(tonic::Status),
}

fn diags<T>(
    r: Result<tonic::Response<T>, tonic::Status>,
    get: impl FnOnce(T) -> Vec<pb::Diagnostic>,
) -> Outcome {
    match r {
        Ok(r) => Outcome::Diagnostics(get(r.into_inner())),
        Err(s) => Outcome::Status(s),
    }
}

/// One case: an RPC chosen and filled from `rng`. Returns its name and outcome.
async fn run_case(
    rng: &mut fastrand::Rng,
    s: &Surface,
    good: &Grpc,
    scratch: &Grpc,
) -> (String, Outcome) {
    let caps = Some(pb::ClientCapabilities {
        deferral_allowed: rng.bool(),
        write_only_attributes_allowed: rng.bool(),
    });
    match rng.u32(0..100) {
        0..=7 => {
            let config = dynamic(rng, &s.provider);
            let r = good
                .validate_provider_config(Request::new(pb::validate_provider_config::Request {
                    config,
                }))
                .await;
            ("ValidateProviderConfig".into(), diags(r, |r| r.diagnostics))
        }
        8..=11 => {
            let config = dynamic(rng, &s.provider);
            let r = scratch
                .configure_provider(Request::new(pb::configure_provider::Request {
                    terraform_version: "1.15.5".into(),
                    config,
                    client_capabilities: caps,
                }))
                .await;
            ("ConfigureProvider".into(), diags(r, |r| r.diagnostics))
        }
        12..=23 => {
            let (name, ty) = pick(rng, &s.resources).clone();
            let config = dynamic(rng, &ty);
            let r = good
                .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                    type_name: name.clone(),
                    config,
                    client_capabilities: caps,
                }))
                .await;
            (
                format!("ValidateResourceConfig {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        24..=29 => {
            let (name, ty) = pick(rng, &s.data_sources).clone();
            let config = dynamic(rng, &ty);
            let r = good
                .validate_data_resource_config(Request::new(
                    pb::validate_data_resource_config::Request {
                        type_name: name.clone(),
                        config,
                    },
                ))
                .await;
            (
                format!("ValidateDataResourceConfig {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        30..=33 => {
            let (name, ty) = pick(rng, &s.ephemerals).clone();
            let config = dynamic(rng, &ty);
            let r = good
                .validate_ephemeral_resource_config(Request::new(
                    pb::validate_ephemeral_resource_config::Request {
                        type_name: name.clone(),
                        config,
                    },
                ))
                .await;
            (
                format!("ValidateEphemeralResourceConfig {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        34..=37 => {
            let (name, ty) = pick(rng, &s.lists).clone();
            let config = dynamic(rng, &ty);
            let r = good
                .validate_list_resource_config(Request::new(
                    pb::validate_list_resource_config::Request {
                        type_name: name.clone(),
                        config,
                        include_resource_object: None,
                        limit: None,
                    },
                ))
                .await;
            (
                format!("ValidateListResourceConfig {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        38..=41 => {
            let (name, ty) = pick(rng, &s.actions).clone();
            let config = dynamic(rng, &ty);
            let r = good
                .validate_action_config(Request::new(pb::validate_action_config::Request {
                    type_name: name.clone(),
                    config,
                }))
                .await;
            (
                format!("ValidateActionConfig {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        42..=59 => {
            let (name, ty) = pick(rng, &s.resources).clone();
            let prior = if rng.bool() {
                msgpack::encode(&Value::Null, &ty)
                    .ok()
                    .map(|m| pb::DynamicValue {
                        msgpack: m,
                        json: Vec::new(),
                    })
            } else {
                dynamic(rng, &ty)
            };
            let r = good
                .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                    type_name: name.clone(),
                    prior_state: prior,
                    proposed_new_state: dynamic(rng, &ty),
                    config: dynamic(rng, &ty),
                    prior_private: (0..rng.usize(0..8)).map(|_| rng.u8(..)).collect(),
                    provider_meta: None,
                    client_capabilities: caps,
                    prior_identity: None,
                }))
                .await;
            (
                format!("PlanResourceChange {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        60..=65 => {
            let (name, ty) = pick(rng, &s.resources).clone();
            let null = msgpack::encode(&Value::Null, &ty)
                .ok()
                .map(|m| pb::DynamicValue {
                    msgpack: m,
                    json: Vec::new(),
                });
            // Mostly creates (null prior) and deletes (null plan), both against the emulator.
            let (prior, planned) = match rng.u32(0..3) {
                0 => (null.clone(), dynamic(rng, &ty)),
                1 => (dynamic(rng, &ty), null.clone()),
                _ => (dynamic(rng, &ty), dynamic(rng, &ty)),
            };
            let r = good
                .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                    type_name: name.clone(),
                    prior_state: prior,
                    planned_state: planned,
                    config: dynamic(rng, &ty),
                    planned_private: Vec::new(),
                    provider_meta: None,
                    planned_identity: None,
                }))
                .await;
            (
                format!("ApplyResourceChange {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        66..=70 => {
            let (name, ty) = pick(rng, &s.resources).clone();
            let r = good
                .read_resource(Request::new(pb::read_resource::Request {
                    type_name: name.clone(),
                    current_state: dynamic(rng, &ty),
                    private: (0..rng.usize(0..8)).map(|_| rng.u8(..)).collect(),
                    provider_meta: None,
                    client_capabilities: caps,
                    current_identity: None,
                }))
                .await;
            (format!("ReadResource {name}"), diags(r, |r| r.diagnostics))
        }
        71..=74 => {
            let (name, _) = pick(rng, &s.resources).clone();
            let id = gen_string(rng);
            let r = good
                .import_resource_state(Request::new(pb::import_resource_state::Request {
                    type_name: name.clone(),
                    id,
                    client_capabilities: caps,
                    identity: None,
                }))
                .await;
            (
                format!("ImportResourceState {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        75..=80 => {
            let (name, ty) = pick(rng, &s.resources).clone();
            let json = if rng.u32(0..4) == 0 {
                (0..rng.usize(0..64)).map(|_| rng.u8(..)).collect()
            } else {
                json::encode(&known_only(gen_value(rng, &ty, 0)), &ty).unwrap_or_default()
            };
            let r = good
                .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                    type_name: name.clone(),
                    version: *pick(rng, &[-1, 0, 1, 2, 3, i64::MAX, i64::MIN]),
                    raw_state: Some(pb::RawState {
                        json,
                        flatmap: Default::default(),
                    }),
                }))
                .await;
            (
                format!("UpgradeResourceState {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        81..=86 => {
            let (name, params, variadic) = pick(rng, &s.functions).clone();
            let mut types = params.clone();
            if let Some(v) = &variadic {
                for _ in 0..rng.usize(0..3) {
                    types.push(v.clone());
                }
            }
            if rng.u32(0..10) == 0 {
                types.push(Type::String); // one argument too many
            }
            let arguments = types
                .iter()
                .map(|t| {
                    let dv = pb::DynamicValue {
                        msgpack: Vec::new(),
                        json: Vec::new(),
                    };
                    dynamic(rng, t).unwrap_or(dv)
                })
                .collect();
            let r = good
                .call_function(Request::new(pb::call_function::Request {
                    name: name.clone(),
                    arguments,
                }))
                .await;
            let outcome = match r {
                Ok(r) => Outcome::FunctionError(r.into_inner().error),
                Err(s) => Outcome::Status(s),
            };
            (format!("CallFunction {name}"), outcome)
        }
        87..=89 => {
            let (name, ty) = pick(rng, &s.actions).clone();
            let r = good
                .plan_action(Request::new(pb::plan_action::Request {
                    action_type: name.clone(),
                    config: dynamic(rng, &ty),
                    client_capabilities: caps,
                }))
                .await;
            (format!("PlanAction {name}"), diags(r, |r| r.diagnostics))
        }
        90..=92 => {
            let (name, ty) = pick(rng, &s.actions).clone();
            let r = good
                .invoke_action(Request::new(pb::invoke_action::Request {
                    action_type: name.clone(),
                    config: dynamic(rng, &ty),
                    client_capabilities: caps,
                }))
                .await;
            let outcome = match r {
                Ok(stream) => {
                    let mut all = Vec::new();
                    let mut stream = stream.into_inner();
                    while let Some(event) = stream.next().await {
                        if let Ok(pb::invoke_action::Event {
                            r#type: Some(pb::invoke_action::event::Type::Completed(c)),
                        }) = event
                        {
                            all.extend(c.diagnostics);
                        }
                    }
                    Outcome::Diagnostics(all)
                }
                Err(s) => Outcome::Status(s),
            };
            (format!("InvokeAction {name}"), outcome)
        }
        93..=95 => {
            let (name, ty) = pick(rng, &s.data_sources).clone();
            let r = good
                .read_data_source(Request::new(pb::read_data_source::Request {
                    type_name: name.clone(),
                    config: dynamic(rng, &ty),
                    provider_meta: None,
                    client_capabilities: caps,
                }))
                .await;
            (
                format!("ReadDataSource {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        96..=97 => {
            let (name, ty) = pick(rng, &s.ephemerals).clone();
            let r = good
                .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
                    type_name: name.clone(),
                    config: dynamic(rng, &ty),
                    client_capabilities: caps,
                }))
                .await;
            (
                format!("OpenEphemeralResource {name}"),
                diags(r, |r| r.diagnostics),
            )
        }
        _ => {
            let (name, ty) = pick(rng, &s.lists).clone();
            let r = good
                .list_resource(Request::new(pb::list_resource::Request {
                    type_name: name.clone(),
                    config: dynamic(rng, &ty),
                    include_resource_object: rng.bool(),
                    limit: *pick(rng, &[-1, 0, 1, 100, i64::MAX, i64::MIN]),
                }))
                .await;
            let outcome = match r {
                Ok(stream) => {
                    let mut all = Vec::new();
                    let mut stream = stream.into_inner();
                    while let Some(event) = stream.next().await {
                        if let Ok(event) = event {
                            all.extend(event.diagnostic);
                        }
                    }
                    Outcome::Diagnostics(all)
                }
                Err(s) => Outcome::Status(s),
            };
            (format!("ListResource {name}"), outcome)
        }
    }
}

/// What is wrong with an outcome, if anything.
fn problem(outcome: &Outcome) -> Option<String> {
    let list = match outcome {
        Outcome::Status(s) => return Some(format!("gRPC status instead of diagnostics: {s:?}")),
        Outcome::FunctionError(None) => return None,
        Outcome::FunctionError(Some(e)) => {
            if e.text.is_empty() {
                return Some("function error without text".into());
            }
            return None;
        }
        Outcome::Diagnostics(list) => list,
    };
    for d in list {
        if d.summary.is_empty() || d.detail.is_empty() {
            return Some(format!("diagnostic without summary or detail: {d:?}"));
        }
        if d.summary.contains("Internal Error") {
            return Some(format!("{}: {}", d.summary, d.detail));
        }
        if d.summary == "Invalid Attribute Value" && d.attribute.is_none() {
            return Some(format!("attribute error without a path: {}", d.detail));
        }
        if d.detail.len() > 20_000 {
            return Some(format!(
                "diagnostic detail of {} bytes (echoes the input?): {}…",
                d.detail.len(),
                &d.detail.chars().take(200).collect::<String>()
            ));
        }
    }
    None
}

fn case_rng(seed: u64, case: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, got {v:?}"))
    })
}

#[test]
fn every_rpc_survives_generated_and_random_input() {
    let seed = env_u64("FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let only = env_u64("FUZZ_CASE");
    let cases = env_u64("FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    eprintln!("fuzz_rpc: seed {seed}, {cases} cases (replay one: FUZZ_SEED={seed} FUZZ_CASE=<n>)");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let emulator = ivschat_local::start(ivschat_local::Config {
            quotas: ivschat_local::QuotaMode::Off,
            logging_settle: Duration::ZERO,
            ..ivschat_local::Config::default()
        })
        .await
        .expect("emulator starts");
        let provider_config = |endpoint: &str| {
            let mut rates = BTreeMap::new();
            for name in ["room", "logging_configuration", "tags", "chat_token", "messaging"] {
                rates.insert(name.to_owned(), Value::int(10_000));
            }
            let block = |m: BTreeMap<String, Value>| Value::List(vec![Value::Object(m)]);
            Value::Object(BTreeMap::from([
                ("region".to_owned(), Value::string("us-east-1")),
                ("access_key".to_owned(), Value::string("test")),
                ("secret_key".to_owned(), Value::string("test")),
                ("max_retries".to_owned(), Value::int(0)),
                (
                    "endpoints".to_owned(),
                    block(BTreeMap::from([("ivschat".to_owned(), Value::string(endpoint))])),
                ),
                ("rate_limits".to_owned(), block(rates)),
            ]))
        };
        let good = Arc::new(GrpcProvider::new(Arc::new(Server::new(IvschatProvider))));
        let scratch = Arc::new(GrpcProvider::new(Arc::new(Server::new(IvschatProvider))));
        let surface = Arc::new(surface(&good).await);
        // Configure the "good" provider through the RPC, with the provider schema's full type.
        let config = provider_config(&emulator.endpoint());
        let full = {
            // Fill every attribute the schema declares with null.
            let Type::Object(members) = &surface.provider else {
                panic!("provider type is an object")
            };
            let mut m: BTreeMap<String, Value> =
                members.keys().map(|k| (k.clone(), Value::Null)).collect();
            if let Value::Object(set) = config {
                m.extend(set);
            }
            Value::Object(m)
        };
        let r = good
            .configure_provider(Request::new(pb::configure_provider::Request {
                terraform_version: "1.15.5".into(),
                config: Some(pb::DynamicValue {
                    msgpack: msgpack::encode(&complete(&full, &surface.provider), &surface.provider)
                        .expect("config encodes"),
                    json: Vec::new(),
                }),
                client_capabilities: None,
            }))
            .await
            .expect("configure")
            .into_inner();
        assert!(
            r.diagnostics.iter().all(|d| d.severity != 1),
            "{:?}",
            r.diagnostics
        );

        let started = Instant::now();
        let mut findings: Vec<String> = Vec::new();
        let mut per_rpc: BTreeMap<String, (u64, u64, Duration)> = BTreeMap::new();
        let range = match only {
            Some(n) => n..n + 1,
            None => 0..cases,
        };
        let total = range.end - range.start;
        for case in range {
            let (surface, good, scratch) = (surface.clone(), good.clone(), scratch.clone());
            let task = tokio::spawn(async move {
                let mut rng = case_rng(seed, case);
                run_case(&mut rng, &surface, &good, &scratch).await
            });
            let abort = task.abort_handle();
            let call_started = Instant::now();
            match tokio::time::timeout(CALL_DEADLINE, task).await {
                Err(_) => {
                    abort.abort();
                    findings.push(format!("case {case}: no answer within {CALL_DEADLINE:?}"));
                }
                Ok(Err(e)) => findings.push(format!("case {case}: panicked: {e}")),
                Ok(Ok((rpc, outcome))) => {
                    let rpc_kind = rpc.split(' ').next().unwrap_or_default().to_owned();
                    let entry = per_rpc.entry(rpc_kind).or_default();
                    entry.0 += 1;
                    entry.2 += call_started.elapsed();
                    if let Outcome::Diagnostics(d) = &outcome
                        && d.iter().any(|d| d.severity == 1)
                    {
                        entry.1 += 1;
                    }
                    if let Some(p) = problem(&outcome) {
                        findings.push(format!("case {case} ({rpc}): {p}"));
                    }
                }
            }
        }
        let elapsed = started.elapsed();
        let rooms = emulator.handle().rooms().len();
        eprintln!(
            "fuzz_rpc: seed {seed}: {total} cases in {:.1}s ({:.0}/s); {} findings; {rooms} rooms left in the emulator",
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64().max(0.001),
            findings.len()
        );
        for (rpc, (n, rejected, time)) in &per_rpc {
            eprintln!(
                "  {rpc}: {n} calls, {rejected} answered with an error, {:.1}s in all",
                time.as_secs_f64()
            );
        }
        for f in findings.iter().take(30) {
            eprintln!("  FINDING {f}");
        }
        emulator.shutdown().await;
        assert!(
            findings.is_empty(),
            "{} findings with seed {seed}; first: {}",
            findings.len(),
            findings[0]
        );
    });
}

/// `value` with every nested block of `ty` that is null turned into an empty collection, as
/// Terraform sends configurations.
fn complete(value: &Value, ty: &Type) -> Value {
    match (value, ty) {
        (Value::Null, Type::List(_)) => Value::List(Vec::new()),
        (Value::Null, Type::Set(_)) => Value::Set(Vec::new()),
        (Value::Object(m), Type::Object(types)) => Value::Object(
            types
                .iter()
                .map(|(k, t)| (k.clone(), complete(m.get(k).unwrap_or(&Value::Null), t)))
                .collect(),
        ),
        (Value::List(items), Type::List(e)) => {
            Value::List(items.iter().map(|v| complete(v, e)).collect())
        }
        (other, _) => other.clone(),
    }
}
