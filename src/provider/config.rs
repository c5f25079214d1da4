//! The provider block as plain Rust, and the pure resolution functions that turn it, the
//! environment and the shared AWS files into the settings a client needs.
//!
//! Everything here is synchronous and takes its environment as an argument ([`Env`]), so the
//! precedence rules are unit-tested with fake files and variables, never the process's own.
//! Nothing here touches the network.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path as FsPath, PathBuf};
use std::time::Duration;

use crate::value::Value;

/// A configuration value as Terraform sent it: absent, not known until apply, or known.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Setting<T> {
    #[default]
    Unset,
    Unknown,
    Set(T),
}

impl<T> Setting<T> {
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Setting::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown)
    }

    pub fn is_set(&self) -> bool {
        matches!(self, Setting::Set(_))
    }
}

/// Environment variables, passed explicitly so resolution can be tested without touching the
/// process environment.
#[derive(Clone, Debug, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    /// The process environment (read once, at configure time).
    pub fn process() -> Env {
        Env(std::env::vars().collect())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env(pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect())
    }

    /// A variable's value; empty values count as unset, as in the AWS SDKs.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

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

/// Requests per second per operation, by quota group.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimits {
    pub room: f64,
    pub logging_configuration: f64,
    pub tags: f64,
    pub chat_token: f64,
    pub messaging: f64,
}

impl Default for RateLimits {
    /// The IVS Chat quotas, which cannot be raised.
    fn default() -> Self {
        RateLimits {
            room: 5.0,
            logging_configuration: 3.0,
            tags: 10.0,
            chat_token: 200.0,
            messaging: 100.0,
        }
    }
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

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimitSettings {
    pub room: Setting<f64>,
    pub logging_configuration: Setting<f64>,
    pub tags: Setting<f64>,
    pub chat_token: Setting<f64>,
    pub messaging: Setting<f64>,
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
        if let Some(b) = block_elements(attr(config, "rate_limits")).first() {
            c.rate_limits = RateLimitSettings {
                room: float(attr(b, "room")),
                logging_configuration: float(attr(b, "logging_configuration")),
                tags: float(attr(b, "tags")),
                chat_token: float(attr(b, "chat_token")),
                messaging: float(attr(b, "messaging")),
            };
        }
        c
    }

    /// The rates to pace at: configured values over the quotas. Unknown rates use the quotas.
    pub fn rate_limits(&self) -> RateLimits {
        let d = RateLimits::default();
        let pick = |s: &Setting<f64>, default: f64| match s {
            Setting::Set(v) if *v > 0.0 => *v,
            _ => default,
        };
        RateLimits {
            room: pick(&self.rate_limits.room, d.room),
            logging_configuration: pick(
                &self.rate_limits.logging_configuration,
                d.logging_configuration,
            ),
            tags: pick(&self.rate_limits.tags, d.tags),
            chat_token: pick(&self.rate_limits.chat_token, d.chat_token),
            messaging: pick(&self.rate_limits.messaging, d.messaging),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared config and credentials files.

/// One parsed shared file: profiles (`[default]`, `[profile x]` in config, `[x]` in
/// credentials) and `[services name]` sections with their per-service subsections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SharedFiles {
    profiles: BTreeMap<String, BTreeMap<String, String>>,
    /// services section name → service id → key → value.
    services: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

impl SharedFiles {
    /// Parses one file's text and merges it in; earlier values win over later ones
    /// (files are added in precedence order).
    pub fn add(&mut self, kind: FileKind, text: &str) {
        enum Section {
            None,
            Profile(String),
            Services(String),
        }
        let mut section = Section::None;
        let mut sub: Option<String> = None;
        for raw in text.lines() {
            let line = strip_comment(raw);
            if line.trim().is_empty() {
                continue;
            }
            let indented = line.starts_with(' ') || line.starts_with('\t');
            let line = line.trim();
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                sub = None;
                let header = header.trim();
                section = match (kind, header.split_once(char::is_whitespace)) {
                    (FileKind::Config, Some(("profile", name))) => {
                        Section::Profile(name.trim().to_owned())
                    }
                    (FileKind::Config, Some(("services", name))) => {
                        Section::Services(name.trim().to_owned())
                    }
                    (FileKind::Config, None) if header == "default" => {
                        Section::Profile("default".to_owned())
                    }
                    (FileKind::Config, _) => Section::None,
                    (FileKind::Credentials, _) => Section::Profile(header.to_owned()),
                };
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim().to_owned());
            match &section {
                Section::None => {}
                Section::Profile(p) => {
                    if indented {
                        continue; // sub-properties (s3 = ...) are not used here
                    }
                    let props = self.profiles.entry(p.clone()).or_default();
                    props.entry(key).or_insert(value);
                }
                Section::Services(s) => {
                    if !indented {
                        if value.is_empty() {
                            sub = Some(key);
                        } else {
                            sub = None;
                        }
                        continue;
                    }
                    if let Some(service) = &sub {
                        let svc = self
                            .services
                            .entry(s.clone())
                            .or_default()
                            .entry(service.clone())
                            .or_default();
                        svc.entry(key).or_insert(value);
                    }
                }
            }
        }
    }

    pub fn profile_value(&self, profile: &str, key: &str) -> Option<&str> {
        self.profiles
            .get(profile)
            .and_then(|p| p.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn has_profile(&self, profile: &str) -> bool {
        self.profiles.contains_key(profile)
    }

    /// `endpoint_url` for `service` in the `services` section the profile names.
    pub fn service_endpoint(&self, profile: &str, service: &str) -> Option<&str> {
        let section = self.profile_value(profile, "services")?;
        self.services
            .get(section)
            .and_then(|s| s.get(service))
            .and_then(|props| props.get("endpoint_url"))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with(';') {
        return "";
    }
    // Inline comments need whitespace before the marker, as in the AWS CLI.
    for marker in [" #", "\t#", " ;", "\t;"] {
        if let Some(i) = line.find(marker) {
            return &line[..i];
        }
    }
    line
}

fn expand_home(path: &str, env: &Env) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"))
        && let Some(home) = env.get("HOME").or_else(|| env.get("USERPROFILE"))
    {
        return FsPath::new(home).join(rest);
    }
    PathBuf::from(path)
}

/// Which shared files to read: the provider's lists, else `AWS_CONFIG_FILE` /
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`.
pub fn shared_file_paths(cfg: &ProviderConfig, env: &Env) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let pick = |setting: &Setting<Vec<String>>, var: &str, default: &str| -> Vec<PathBuf> {
        match setting {
            Setting::Set(files) if !files.is_empty() => {
                files.iter().map(|f| expand_home(f, env)).collect()
            }
            _ => vec![expand_home(env.get(var).unwrap_or(default), env)],
        }
    };
    (
        pick(&cfg.shared_config_files, "AWS_CONFIG_FILE", "~/.aws/config"),
        pick(
            &cfg.shared_credentials_files,
            "AWS_SHARED_CREDENTIALS_FILE",
            "~/.aws/credentials",
        ),
    )
}

/// Reads the shared files that exist; missing files are fine (most machines have none). The
/// first file of a list wins over later ones, and the config file over the credentials file
/// for settings (region, endpoints) while credentials prefer the credentials file.
pub fn load_shared_files(config_files: &[PathBuf], credentials_files: &[PathBuf]) -> SharedFiles {
    let mut files = SharedFiles::default();
    for p in config_files {
        if let Ok(text) = std::fs::read_to_string(p) {
            files.add(FileKind::Config, &text);
        }
    }
    for p in credentials_files {
        if let Ok(text) = std::fs::read_to_string(p) {
            files.add(FileKind::Credentials, &text);
        }
    }
    files
}

/// The profile in use: `profile`, else `AWS_PROFILE`, else `default`. Unknown when the
/// configuration's profile is unknown.
pub fn profile_name(cfg: &ProviderConfig, env: &Env) -> Setting<String> {
    match &cfg.profile {
        Setting::Set(p) if !p.is_empty() => Setting::Set(p.clone()),
        Setting::Unknown => Setting::Unknown,
        _ => Setting::Set(env.get("AWS_PROFILE").unwrap_or("default").to_owned()),
    }
}

/// The provider's region: `region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
/// profile's `region` in the shared config files. `Unset` when none gives one.
pub fn resolve_region(cfg: &ProviderConfig, env: &Env, files: &SharedFiles) -> Setting<String> {
    match &cfg.region {
        Setting::Set(r) if !r.is_empty() => return Setting::Set(r.clone()),
        Setting::Unknown => return Setting::Unknown,
        _ => {}
    }
    if let Some(r) = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
    {
        return Setting::Set(r.to_owned());
    }
    match profile_name(cfg, env) {
        Setting::Set(p) => files
            .profile_value(&p, "region")
            .map_or(Setting::Unset, |r| Setting::Set(r.to_owned())),
        Setting::Unknown => Setting::Unknown,
        Setting::Unset => Setting::Unset,
    }
}

/// Where a resolved endpoint came from, for diagnostics and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointSource {
    ProviderBlock,
    ServiceEnv,
    GlobalEnv,
    ServiceSharedConfig,
    GlobalSharedConfig,
}

/// The IVS Chat endpoint override, in hashicorp/aws's order: `endpoints { ivschat }`;
/// then, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's
/// `ignore_configured_endpoint_urls` is true: `AWS_ENDPOINT_URL_IVSCHAT`, `AWS_ENDPOINT_URL`,
/// the profile's `services` section (`ivschat = ` / `endpoint_url = `), the profile's
/// `endpoint_url`. `Unset`: the default AWS endpoint for the region.
pub fn resolve_endpoint(
    cfg: &ProviderConfig,
    env: &Env,
    files: &SharedFiles,
) -> Setting<(String, EndpointSource)> {
    match &cfg.endpoint_ivschat {
        Setting::Set(e) if !e.is_empty() => {
            return Setting::Set((e.clone(), EndpointSource::ProviderBlock));
        }
        Setting::Unknown => return Setting::Unknown,
        _ => {}
    }
    let profile = profile_name(cfg, env);
    let profile = match &profile {
        Setting::Set(p) => Some(p.as_str()),
        Setting::Unknown => return Setting::Unknown,
        Setting::Unset => None,
    };
    let ignore = env.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        || profile
            .and_then(|p| files.profile_value(p, "ignore_configured_endpoint_urls"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return Setting::Unset;
    }
    if let Some(e) = env.get("AWS_ENDPOINT_URL_IVSCHAT") {
        return Setting::Set((e.to_owned(), EndpointSource::ServiceEnv));
    }
    if let Some(e) = env.get("AWS_ENDPOINT_URL") {
        return Setting::Set((e.to_owned(), EndpointSource::GlobalEnv));
    }
    if let Some(p) = profile {
        if let Some(e) = files.service_endpoint(p, "ivschat") {
            return Setting::Set((e.to_owned(), EndpointSource::ServiceSharedConfig));
        }
        if let Some(e) = files.profile_value(p, "endpoint_url") {
            return Setting::Set((e.to_owned(), EndpointSource::GlobalSharedConfig));
        }
    }
    Setting::Unset
}

/// Static keys (never logged: Debug is redacted).
#[derive(Clone, PartialEq)]
pub struct StaticKeys {
    pub access_key: String,
    pub secret_key: String,
    pub token: Option<String>,
}

impl std::fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticKeys { .. }")
    }
}

/// Where base credentials come from, before any role is assumed.
#[derive(Clone, Debug, PartialEq)]
pub enum CredentialSource {
    /// `access_key` / `secret_key` (/ `token`) in the provider block.
    ProviderBlock(StaticKeys),
    /// The named profile of the shared files (the provider's `profile` argument, which wins
    /// over credential environment variables as in hashicorp/aws).
    Profile(String),
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`).
    Environment(StaticKeys),
    /// The rest of the standard chain through aws-config: `AWS_PROFILE` or the default
    /// profile (static keys, SSO, credential_process, role chains), web identity from the
    /// environment, container credentials, IMDS.
    DefaultChain { profile: Option<String> },
}

/// The credential precedence of hashicorp/aws: provider block keys, then an explicit
/// `profile`, then environment keys, then shared files and the rest of the chain.
/// `Unknown` when a value that decides it is unknown.
pub fn credential_source(cfg: &ProviderConfig, env: &Env) -> Setting<CredentialSource> {
    if cfg.access_key.is_unknown() || cfg.secret_key.is_unknown() || cfg.token.is_unknown() {
        return Setting::Unknown;
    }
    if let (Setting::Set(a), Setting::Set(s)) = (&cfg.access_key, &cfg.secret_key)
        && !a.is_empty()
        && !s.is_empty()
    {
        return Setting::Set(CredentialSource::ProviderBlock(StaticKeys {
            access_key: a.clone(),
            secret_key: s.clone(),
            token: cfg.token.as_option().filter(|t| !t.is_empty()).cloned(),
        }));
    }
    match &cfg.profile {
        Setting::Unknown => return Setting::Unknown,
        Setting::Set(p) if !p.is_empty() => {
            return Setting::Set(CredentialSource::Profile(p.clone()));
        }
        _ => {}
    }
    if let (Some(a), Some(s)) = (
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_SECRET_ACCESS_KEY"),
    ) {
        return Setting::Set(CredentialSource::Environment(StaticKeys {
            access_key: a.to_owned(),
            secret_key: s.to_owned(),
            token: env.get("AWS_SESSION_TOKEN").map(str::to_owned),
        }));
    }
    Setting::Set(CredentialSource::DefaultChain {
        profile: env.get("AWS_PROFILE").map(str::to_owned),
    })
}

/// Parses a duration as hashicorp/aws writes it: Go syntax (`1h`, `15m`, `1h30m`, `900s`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

/// The ignore_tags settings (known parts; unknown lists ignore nothing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreTags {
    pub keys: BTreeSet<String>,
    pub key_prefixes: Vec<String>,
}

impl IgnoreTags {
    pub fn from_config(cfg: &ProviderConfig, env: &Env) -> IgnoreTags {
        let mut keys: BTreeSet<String> = cfg
            .ignore_tags_keys
            .as_option()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let mut key_prefixes = cfg
            .ignore_tags_key_prefixes
            .as_option()
            .cloned()
            .unwrap_or_default();
        // hashicorp/aws also reads these two variables (comma-separated).
        if let Some(v) = env.get("TF_AWS_IGNORE_TAGS_KEYS") {
            keys.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        if let Some(v) = env.get("TF_AWS_IGNORE_TAGS_KEY_PREFIXES") {
            key_prefixes.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        IgnoreTags { keys, key_prefixes }
    }

    pub fn ignores(&self, key: &str) -> bool {
        self.keys.contains(key)
            || self
                .key_prefixes
                .iter()
                .any(|p| key.starts_with(p.as_str()))
    }
}

/// `true` for strings shaped like an AWS region (`us-east-1`, `us-gov-west-1`, `eu-central-2`).
pub fn is_region_format(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Why `text` is not a usable endpoint URL, if it is not: it needs an `http` or `https`
/// scheme and a host.
pub fn endpoint_problem(text: &str) -> Option<String> {
    match text.parse::<http::Uri>() {
        Err(e) => Some(format!("it is not a URL ({e})")),
        Ok(uri) => match (uri.scheme_str(), uri.host()) {
            (Some("http" | "https"), Some(h)) if !h.is_empty() => {
                if uri.query().is_some() {
                    Some("it has a query string".to_owned())
                } else {
                    None
                }
            }
            (Some(s), _) if s != "http" && s != "https" => {
                Some(format!("its scheme {s:?} is not http or https"))
            }
            (None, _) => {
                Some("it has no scheme (write http://host:port or https://host)".to_owned())
            }
            _ => Some("it has no host".to_owned()),
        },
    }
}

#[cfg(test)]
mod tests;
