//! The provider block as Rust. Reading never fails: Terraform enforces the types against the
//! schema, so anything of an unexpected shape reads as unset.

use std::collections::BTreeMap;

use super::Setting;
use crate::aws::{Lane, RateLimits};
use crate::value::Value;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssumeRole {
    pub role_arn: Setting<String>,
    pub session_name: Setting<String>,
    pub external_id: Setting<String>,
    pub duration: Setting<String>,
    pub policy: Setting<String>,
    pub policy_arns: Setting<Vec<String>>,
    pub tags: Setting<BTreeMap<String, String>>,
    pub transitive_tag_keys: Setting<Vec<String>>,
    pub source_identity: Setting<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebIdentity {
    pub role_arn: Setting<String>,
    pub session_name: Setting<String>,
    pub web_identity_token: Setting<String>,
    pub web_identity_token_file: Setting<String>,
    pub duration: Setting<String>,
    pub policy: Setting<String>,
    pub policy_arns: Setting<Vec<String>>,
}

/// The `provider "ivschat"` block, parsed. Unknown values stay unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderConfig {
    pub region: Setting<String>,
    pub profile: Setting<String>,
    pub shared_config_files: Setting<Vec<String>>,
    pub shared_credentials_files: Setting<Vec<String>>,
    pub access_key: Setting<String>,
    pub secret_key: Setting<String>,
    pub token: Setting<String>,
    pub assume_role: Vec<AssumeRole>,
    pub assume_role_with_web_identity: Option<WebIdentity>,
    pub endpoint_ivschat: Setting<String>,
    pub endpoint_sts: Setting<String>,
    pub use_fips_endpoint: Setting<bool>,
    pub use_dualstack_endpoint: Setting<bool>,
    pub custom_ca_bundle: Setting<String>,
    pub http_proxy: Setting<String>,
    pub https_proxy: Setting<String>,
    pub no_proxy: Setting<String>,
    pub insecure: Setting<bool>,
    pub max_retries: Setting<i64>,
    /// Whether creates carry a temporary marker tag (default true).
    pub create_markers: Setting<bool>,
    /// `max_read_lag`: how long reads may lag writes (a Go duration).
    pub max_read_lag: Setting<String>,
    pub retry_mode: Setting<String>,
    pub skip_region_validation: Setting<bool>,
    /// The region of STS calls (role assumption).
    pub sts_region: Setting<String>,
    /// `default_tags { tags = {...} }`: the map value as sent (values may be unknown).
    pub default_tags: Value,
    pub ignore_tags_keys: Setting<Vec<String>>,
    pub ignore_tags_key_prefixes: Setting<Vec<String>>,
    pub rate_limits: RateLimitSettings,
}

/// The `rate_limits` block as written: each attribute's setting, by lane name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimitSettings {
    pub lanes: BTreeMap<String, Setting<f64>>,
}

impl RateLimitSettings {
    /// The setting of `lane`'s attribute.
    pub fn get(&self, lane: Lane) -> &Setting<f64> {
        self.lanes.get(lane.name).unwrap_or(&Setting::Unset)
    }
}

fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.attr(name).unwrap_or(&Value::Null)
}

fn string(v: &Value) -> Setting<String> {
    match v {
        Value::Null => Setting::Unset,
        Value::Unknown(_) => Setting::Unknown,
        Value::String(s) => Setting::Set(s.clone()),
        _ => Setting::Unset,
    }
}

fn boolean(v: &Value) -> Setting<bool> {
    match v {
        Value::Null => Setting::Unset,
        Value::Unknown(_) => Setting::Unknown,
        Value::Bool(b) => Setting::Set(*b),
        _ => Setting::Unset,
    }
}

fn int(v: &Value) -> Setting<i64> {
    match v {
        Value::Null => Setting::Unset,
        Value::Unknown(_) => Setting::Unknown,
        Value::Number(n) => n.to_i64().map_or(Setting::Unset, Setting::Set),
        _ => Setting::Unset,
    }
}

fn float(v: &Value) -> Setting<f64> {
    match v {
        Value::Null => Setting::Unset,
        Value::Unknown(_) => Setting::Unknown,
        Value::Number(n) => Setting::Set(n.to_f64()),
        _ => Setting::Unset,
    }
}

fn strings(v: &Value) -> Setting<Vec<String>> {
    match v {
        Value::Null => Setting::Unset,
        Value::Unknown(_) => Setting::Unknown,
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    Value::Unknown(_) => return Setting::Unknown,
                    _ => {}
                }
            }
            Setting::Set(out)
        }
        _ => Setting::Unset,
    }
}

fn string_map(v: &Value) -> Setting<BTreeMap<String, String>> {
    match v {
        Value::Null => Setting::Unset,
        Value::Unknown(_) => Setting::Unknown,
        Value::Map(m) | Value::Object(m) => {
            let mut out = BTreeMap::new();
            for (k, item) in m {
                match item {
                    Value::String(s) => {
                        out.insert(k.clone(), s.clone());
                    }
                    Value::Unknown(_) => return Setting::Unknown,
                    _ => {}
                }
            }
            Setting::Set(out)
        }
        _ => Setting::Unset,
    }
}

/// The elements of a list block (a single-object block reads as a one-element list).
fn block_elements(v: &Value) -> Vec<&Value> {
    match v {
        Value::List(items) | Value::Set(items) => items.iter().collect(),
        Value::Object(_) => vec![v],
        _ => Vec::new(),
    }
}

impl ProviderConfig {
    /// Reads the provider block. Never fails: types are enforced by Terraform against the schema,
    /// so anything of an unexpected shape reads as unset.
    pub fn from_value(config: &Value) -> ProviderConfig {
        let mut c = ProviderConfig {
            region: string(attr(config, "region")),
            profile: string(attr(config, "profile")),
            shared_config_files: strings(attr(config, "shared_config_files")),
            shared_credentials_files: strings(attr(config, "shared_credentials_files")),
            access_key: string(attr(config, "access_key")),
            secret_key: string(attr(config, "secret_key")),
            token: string(attr(config, "token")),
            use_fips_endpoint: boolean(attr(config, "use_fips_endpoint")),
            use_dualstack_endpoint: boolean(attr(config, "use_dualstack_endpoint")),
            custom_ca_bundle: string(attr(config, "custom_ca_bundle")),
            http_proxy: string(attr(config, "http_proxy")),
            https_proxy: string(attr(config, "https_proxy")),
            no_proxy: string(attr(config, "no_proxy")),
            insecure: boolean(attr(config, "insecure")),
            max_retries: int(attr(config, "max_retries")),
            create_markers: boolean(attr(config, "create_markers")),
            max_read_lag: string(attr(config, "max_read_lag")),
            retry_mode: string(attr(config, "retry_mode")),
            skip_region_validation: boolean(attr(config, "skip_region_validation")),
            sts_region: string(attr(config, "sts_region")),
            default_tags: Value::Null,
            ..ProviderConfig::default()
        };
        for b in block_elements(attr(config, "assume_role")) {
            c.assume_role.push(AssumeRole {
                role_arn: string(attr(b, "role_arn")),
                session_name: string(attr(b, "session_name")),
                external_id: string(attr(b, "external_id")),
                duration: string(attr(b, "duration")),
                policy: string(attr(b, "policy")),
                policy_arns: strings(attr(b, "policy_arns")),
                tags: string_map(attr(b, "tags")),
                transitive_tag_keys: strings(attr(b, "transitive_tag_keys")),
                source_identity: string(attr(b, "source_identity")),
            });
        }
        if let Some(b) = block_elements(attr(config, "assume_role_with_web_identity")).first() {
            c.assume_role_with_web_identity = Some(WebIdentity {
                role_arn: string(attr(b, "role_arn")),
                session_name: string(attr(b, "session_name")),
                web_identity_token: string(attr(b, "web_identity_token")),
                web_identity_token_file: string(attr(b, "web_identity_token_file")),
                duration: string(attr(b, "duration")),
                policy: string(attr(b, "policy")),
                policy_arns: strings(attr(b, "policy_arns")),
            });
        }
        if let Some(b) = block_elements(attr(config, "endpoints")).first() {
            c.endpoint_ivschat = string(attr(b, "ivschat"));
            c.endpoint_sts = string(attr(b, "sts"));
        }
        if let Some(b) = block_elements(attr(config, "default_tags")).first() {
            c.default_tags = attr(b, "tags").clone();
        }
        if let Some(b) = block_elements(attr(config, "ignore_tags")).first() {
            c.ignore_tags_keys = strings(attr(b, "keys"));
            c.ignore_tags_key_prefixes = strings(attr(b, "key_prefixes"));
        }
        if let Some(Value::Object(attrs)) = block_elements(attr(config, "rate_limits")).first() {
            c.rate_limits = RateLimitSettings {
                lanes: attrs.iter().map(|(k, v)| (k.clone(), float(v))).collect(),
            };
        }
        c
    }

    /// The rates to pace at: configured values over the quotas. Unknown rates use the quotas.
    pub fn rate_limits(&self) -> RateLimits {
        let mut rates = RateLimits::default();
        for (lane, setting) in &self.rate_limits.lanes {
            // Validation refuses anything else; a configuration sent without validation
            // (or a rate of NaN) still paces within the documented range.
            if let Setting::Set(v) = setting
                && v.is_finite()
                && *v > 0.0
            {
                rates.set(lane, v.clamp(RateLimits::MIN, RateLimits::MAX));
            }
        }
        rates
    }
}
