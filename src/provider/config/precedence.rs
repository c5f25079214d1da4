//! Which of the provider block, the environment and the shared files decides each setting, in
//! hashicorp/aws's order.

use std::collections::BTreeSet;

use super::{Env, ProviderConfig, Setting, SharedFiles};

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

/// Retries after the first attempt: `max_retries`, else `AWS_MAX_ATTEMPTS` less one; `None`
/// keeps the client's default.
pub fn resolve_max_retries(cfg: &ProviderConfig, env: &Env) -> Option<u32> {
    if let Setting::Set(n) = cfg.max_retries {
        return Some(u32::try_from(n.max(0)).unwrap_or(u32::MAX));
    }
    env.get("AWS_MAX_ATTEMPTS")
        .and_then(|v| v.parse::<u32>().ok())
        .map(|n| n.saturating_sub(1))
}

/// Whether retries are adaptive: `retry_mode`, else `AWS_RETRY_MODE`; any mode but `standard`
/// is adaptive. `None` keeps the client's default.
pub fn resolve_adaptive_retries(cfg: &ProviderConfig, env: &Env) -> Option<bool> {
    cfg.retry_mode
        .as_option()
        .cloned()
        .or_else(|| env.get("AWS_RETRY_MODE").map(str::to_owned))
        .map(|mode| mode != "standard")
}

/// FIPS endpoints: `use_fips_endpoint`, or `AWS_USE_FIPS_ENDPOINT=true`.
pub fn resolve_use_fips(cfg: &ProviderConfig, env: &Env) -> bool {
    cfg.use_fips_endpoint.as_option().copied().unwrap_or(false)
        || env
            .get("AWS_USE_FIPS_ENDPOINT")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Dual-stack endpoints: `use_dualstack_endpoint`, or `AWS_USE_DUALSTACK_ENDPOINT=true`.
pub fn resolve_use_dualstack(cfg: &ProviderConfig, env: &Env) -> bool {
    cfg.use_dualstack_endpoint
        .as_option()
        .copied()
        .unwrap_or(false)
        || env
            .get("AWS_USE_DUALSTACK_ENDPOINT")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Where STS calls (assume_role) go: `sts_region`, else the provider's region, else us-east-1.
pub fn resolve_sts_region(cfg: &ProviderConfig, region: &Setting<String>) -> String {
    cfg.sts_region
        .as_option()
        .filter(|r| !r.is_empty())
        .or(region.as_option())
        .cloned()
        .unwrap_or_else(|| "us-east-1".to_owned())
}
