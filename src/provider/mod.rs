//! The provider itself (issue 5): the `provider "ivschat"` block, configuration without any
//! network call, and the per-region IVS Chat clients every resource uses.
//!
//! - [`config`]: the block as Rust, and the precedence rules (region, endpoint, credentials)
//!   as pure functions over an explicit environment and the shared files.
//! - [`credentials`]: credential providers built lazily, on the first API call.
//! - the `rate_limits` block and its checks are made from the quota lanes the caller passes in
//!   ([`provider_schema`], [`validate_config`]).
//! - [`ProviderData::client`] builds the paced, retried, leak-safe client ([`crate::aws`]) from
//!   plain settings.
//! - [`tags`], [`region`]: the `tags`/`tags_all` and `region` attributes shared by resources.

pub mod config;
pub mod credentials;
pub mod region;
pub mod tags;

mod http;
mod insecure;
mod schema;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ivschat::config::retry::RetryConfig;
use aws_sdk_ivschat::config::timeout::TimeoutConfig;
use aws_types::region::Region;

pub use config::Setting;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::duration::{ROLE_SESSION, check_go_duration};
use crate::schema::Schema;
use crate::server::Context;
use crate::value::{Path, Value};

use crate::aws::{self, IvsChat, Lane, Pacer};
use config::{
    EndpointSource, Env, IgnoreTags, ProviderConfig, credential_source, load_shared_files,
    resolve_adaptive_retries, resolve_endpoint, resolve_max_retries, resolve_region,
    resolve_sts_region, resolve_use_dualstack, resolve_use_fips, shared_file_paths,
};
use credentials::{CredentialPlan, HttpSetup, LazyCredentials, RolePlan, WebIdentityPlan};

/// What configuration produces: settings, the shared pacer and the per-region clients.
pub struct ProviderData {
    region: Setting<String>,
    endpoint: Setting<(String, EndpointSource)>,
    credentials: Setting<SharedCredentialsProvider>,
    use_fips: bool,
    use_dualstack: bool,
    http_client: Option<aws_sdk_ivschat::config::SharedHttpClient>,
    /// Names of settings that decide the client and are not known yet.
    unknown: Vec<&'static str>,
    retry: aws::RetryPolicy,
    /// `create_markers`: creates carry a temporary marker tag (default true).
    create_markers: bool,
    /// `max_read_lag`: how long reads may lag writes.
    read_lag: Duration,
    pacer: Arc<Pacer>,
    clients: Mutex<HashMap<String, IvsChat>>,
    default_tags_value: Value,
    default_tags: BTreeMap<String, String>,
    ignore_tags: IgnoreTags,
    /// Where the settings came from, for error messages.
    origins: aws::Origins,
}

impl std::fmt::Debug for ProviderData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderData")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("unknown", &self.unknown)
            .finish_non_exhaustive()
    }
}

/// Timeouts of every AWS call the provider makes (IVS Chat and STS).
fn client_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(60))
        .build()
}

fn unknown_config_diagnostic(what: &[&'static str]) -> Diagnostic {
    Diagnostic::error(
        "Provider Configuration Not Known Yet",
        format!(
            "The provider's {} depend on values that are only known after apply, so IVS Chat cannot be \
             called yet. Set them from values known at plan time, or create the objects they depend on \
             first (terraform apply -target=...), then apply again.",
            what.join(", ")
        ),
    )
}

impl Context<'_, ProviderData> {
    /// The IVS Chat client for `region` (or the provider's), bound to this operation: its
    /// pacing waits, backoff, polls and calls end at once on StopProvider and at the deadline.
    pub fn client(&self, region: Option<&str>) -> Result<IvsChat, Diagnostic> {
        Ok(self
            .provider
            .client(region)?
            .with_cancel(self.cancel)
            .with_deadline(self.deadline()))
    }
}

/// A failed IVS Chat call as Terraform shows it: the client explains, the provider reports.
impl aws::ApiError {
    /// An error diagnostic that names the operation, the object (`subject`, e.g.
    /// `room "lobby"`), the AWS error code and message, and what to do.
    pub fn diagnostic(&self, subject: &str) -> Diagnostic {
        let aws::Explained { summary, detail } = self.explain(subject);
        Diagnostic::error(summary, detail)
    }
}

impl ProviderData {
    /// The client for `region` (a resource's own `region` argument) or the provider's region.
    /// Cached per region; builds nothing that calls the network. Not public: types get their
    /// client from [`Context::client`], bound to the operation's stop signal and deadline.
    fn client(&self, region: Option<&str>) -> Result<IvsChat, Diagnostic> {
        if !self.unknown.is_empty() {
            return Err(unknown_config_diagnostic(&self.unknown));
        }
        let provider_region = self.region.as_option().map(String::as_str);
        // A resource plans the provider's region into its own `region`, so the same value is
        // attributed to where the provider's came from.
        let (region, region_origin) = match region.filter(|r| !r.is_empty()) {
            Some(r) if Some(r) != provider_region => {
                (r.to_owned(), "the region argument of the resource")
            }
            _ => (
                self.region()?.to_owned(),
                self.origins.region.as_deref().unwrap_or("the provider"),
            ),
        };
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = clients.get(&region) {
            return Ok(c.clone());
        }
        let Setting::Set(credentials) = &self.credentials else {
            return Err(unknown_config_diagnostic(&["credentials"]));
        };
        let mut b = aws_sdk_ivschat::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .credentials_provider(credentials.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(client_timeouts())
            .use_fips(self.use_fips)
            .use_dual_stack(self.use_dualstack)
            .app_name(
                aws_sdk_ivschat::config::AppName::new("terraform-provider-ivschat")
                    .map_err(Diagnostic::bug)?,
            );
        if let Setting::Set((url, _)) = &self.endpoint {
            b = b.endpoint_url(url.clone());
        }
        if let Some(h) = &self.http_client {
            b = b.http_client(h.clone());
        }
        let clock = Arc::new(aws::ServerClock::default());
        b = b.interceptor(aws::DateHeaders(clock.clone()));
        let sdk = aws_sdk_ivschat::Client::from_conf(b.build());
        let c = IvsChat::new(sdk, region.clone(), self.pacer.clone(), self.retry.clone())
            .with_reach(aws::Reach {
                origins: self.origins.clone(),
                region: region.clone(),
                region_origin: region_origin.to_owned(),
            })
            .with_create_markers(self.create_markers)
            .with_read_lag(self.read_lag, clock);
        clients.insert(region, c.clone());
        Ok(c)
    }

    /// The provider's region (error diagnostic if it is unknown or unset).
    pub fn region(&self) -> Result<&str, Diagnostic> {
        match &self.region {
            Setting::Set(r) => Ok(r),
            Setting::Unknown => Err(unknown_config_diagnostic(&["region"])),
            Setting::Unset => Err(Diagnostic::error(
                "Missing AWS Region",
                "No region is configured: set `region` in the provider block (or on the resource), or the \
                 AWS_REGION environment variable, or a region in the shared config profile.",
            )),
        }
    }

    /// True while settings that decide the client (endpoint, credentials, TLS...) are unknown,
    /// that is during a plan whose provider configuration depends on values known only after
    /// apply. A refresh can then keep the prior state instead of failing; any other call fails
    /// in [`ProviderData::client`] with a diagnostic that says why.
    pub fn configuration_pending(&self) -> bool {
        !self.unknown.is_empty() || self.region.is_unknown()
    }

    /// The provider's region as configured, unknown or unset (for plan hooks).
    pub fn region_setting(&self) -> Setting<String> {
        self.region.clone()
    }

    /// The endpoint in use, if overridden, and where it came from.
    pub fn endpoint(&self) -> Option<(&str, EndpointSource)> {
        self.endpoint.as_option().map(|(u, s)| (u.as_str(), *s))
    }

    /// `default_tags { tags }` as configured: a map value (values may be unknown during plan),
    /// null, or unknown.
    pub fn default_tags_value(&self) -> &Value {
        &self.default_tags_value
    }

    /// The known default tags.
    pub fn default_tags(&self) -> &BTreeMap<String, String> {
        &self.default_tags
    }

    pub fn ignore_tags(&self) -> &IgnoreTags {
        &self.ignore_tags
    }

    pub fn retry_policy(&self) -> &aws::RetryPolicy {
        &self.retry
    }

    pub fn pacer(&self) -> &Arc<Pacer> {
        &self.pacer
    }

    /// Builds the data from a parsed configuration and an environment. Reads the shared files
    /// (and a CA bundle), never the network.
    pub fn from_config(cfg: &ProviderConfig, env: &Env) -> Result<ProviderData, Diagnostics> {
        let mut diags = Diagnostics::new();
        let (config_files, credentials_files) = shared_file_paths(cfg, env);
        let files = load_shared_files(&config_files, &credentials_files);
        // As hashicorp/aws: a profile named in the provider block must exist (the SDKs would
        // silently ignore it and use other credentials).
        if let Setting::Set(p) = &cfg.profile
            && !p.is_empty()
            && !files.has_profile(p)
        {
            let searched: Vec<String> = config_files
                .iter()
                .chain(&credentials_files)
                .map(|f| f.display().to_string())
                .collect();
            diags.push(
                Diagnostic::error(
                    "Profile Not Found",
                    format!(
                        "The profile {p:?} is not in the shared config or credentials files ({}). Check the name, \
                         or set shared_config_files / shared_credentials_files.",
                        searched.join(", ")
                    ),
                )
                .at(Path::attr("profile")),
            );
        }
        let origins = config::origins(cfg, env, &files, &config_files, &credentials_files);
        let region = resolve_region(cfg, env, &files);
        let endpoint = resolve_endpoint(cfg, env, &files);
        let mut unknown = Vec::new();
        if endpoint.is_unknown() {
            unknown.push("endpoints");
        }
        for (name, u) in [
            ("use_fips_endpoint", cfg.use_fips_endpoint.is_unknown()),
            (
                "use_dualstack_endpoint",
                cfg.use_dualstack_endpoint.is_unknown(),
            ),
            ("custom_ca_bundle", cfg.custom_ca_bundle.is_unknown()),
            ("http_proxy", cfg.http_proxy.is_unknown()),
            ("https_proxy", cfg.https_proxy.is_unknown()),
            ("insecure", cfg.insecure.is_unknown()),
            (
                "assume_role",
                cfg.assume_role.iter().any(|r| r != &role_known_check(r)),
            ),
        ] {
            if u {
                unknown.push(name);
            }
        }
        let sts_region = resolve_sts_region(cfg, &region);
        if cfg.sts_region.is_unknown() {
            unknown.push("sts_region");
        }
        let http_client = match http::build(cfg, env) {
            Ok(c) => c,
            Err(d) => {
                diags.push(d);
                None
            }
        };
        let credentials = match credential_source(cfg, env) {
            Setting::Set(source) => {
                let roles = cfg
                    .assume_role
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| role_plan(i, r))
                    .collect::<Result<Vec<_>, _>>();
                let roles = match roles {
                    Ok(r) => r,
                    Err(d) => {
                        diags.push(d);
                        Vec::new()
                    }
                };
                let plan = CredentialPlan {
                    source,
                    web_identity: cfg
                        .assume_role_with_web_identity
                        .as_ref()
                        .and_then(web_identity_plan),
                    roles,
                    region: sts_region,
                    config_files: config_files.clone(),
                    credentials_files: credentials_files.clone(),
                    sts_endpoint: cfg
                        .endpoint_sts
                        .as_option()
                        .filter(|s| !s.is_empty())
                        .cloned(),
                };
                let network = HttpSetup {
                    http_client: http_client.clone(),
                    timeouts: client_timeouts(),
                };
                Setting::Set(SharedCredentialsProvider::new(LazyCredentials::new(
                    plan, network,
                )))
            }
            Setting::Unknown => {
                unknown.push("credentials");
                Setting::Unknown
            }
            Setting::Unset => Setting::Unset,
        };
        let mut retry = aws::RetryPolicy::default();
        if let Some(n) = resolve_max_retries(cfg, env) {
            retry.max_retries = n;
        }
        if let Some(adaptive) = resolve_adaptive_retries(cfg, env) {
            retry.adaptive = adaptive;
        }
        let default_tags_value = cfg.default_tags.clone();
        let default_tags = match &default_tags_value {
            Value::Map(m) | Value::Object(m) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect(),
            _ => BTreeMap::new(),
        };
        // Checked at the attribute (DurationBetween): a bad value never reaches here.
        let read_lag = match &cfg.max_read_lag {
            Setting::Set(text) => {
                crate::duration::parse_go_duration(text, crate::duration::READ_LAG)
                    .unwrap_or(aws::DEFAULT_READ_LAG)
            }
            _ => aws::DEFAULT_READ_LAG,
        };
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(ProviderData {
            region,
            endpoint,
            credentials,
            use_fips: resolve_use_fips(cfg, env),
            use_dualstack: resolve_use_dualstack(cfg, env),
            http_client,
            unknown,
            retry,
            create_markers: !matches!(cfg.create_markers, Setting::Set(false)),
            read_lag,
            pacer: Arc::new(Pacer::new(cfg.rate_limits())),
            clients: Mutex::new(HashMap::new()),
            default_tags_value,
            default_tags,
            ignore_tags: IgnoreTags::from_config(cfg, env),
            origins,
        })
    }

    /// Data with only a region, for unit tests of plan hooks.
    #[cfg(test)]
    pub(crate) fn for_tests(region: Setting<String>) -> ProviderData {
        let mut cfg = ProviderConfig {
            region: region.clone(),
            ..ProviderConfig::default()
        };
        cfg.access_key = Setting::Set("AKIDTEST".into());
        cfg.secret_key = Setting::Set("secret".into());
        let mut d = ProviderData::from_config(&cfg, &Env::default()).expect("test config is valid");
        d.region = region;
        d
    }

    #[cfg(test)]
    pub(crate) fn with_tags(mut self, default_tags: Value, ignore: IgnoreTags) -> ProviderData {
        self.default_tags = match &default_tags {
            Value::Map(m) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect(),
            _ => BTreeMap::new(),
        };
        self.default_tags_value = default_tags;
        self.ignore_tags = ignore;
        self
    }
}

/// The role with only its unknown-ness kept, to detect unknown assume_role settings.
fn role_known_check(r: &config::AssumeRole) -> config::AssumeRole {
    let k = |s: &Setting<String>| {
        if s.is_unknown() {
            Setting::Unset
        } else {
            s.clone()
        }
    };
    config::AssumeRole {
        role_arn: k(&r.role_arn),
        session_name: k(&r.session_name),
        external_id: k(&r.external_id),
        duration: k(&r.duration),
        policy: k(&r.policy),
        policy_arns: if r.policy_arns.is_unknown() {
            Setting::Unset
        } else {
            r.policy_arns.clone()
        },
        tags: if r.tags.is_unknown() {
            Setting::Unset
        } else {
            r.tags.clone()
        },
        transitive_tag_keys: if r.transitive_tag_keys.is_unknown() {
            Setting::Unset
        } else {
            r.transitive_tag_keys.clone()
        },
        source_identity: k(&r.source_identity),
    }
}

/// The plan for the `index`th `assume_role` block, if it names a role.
fn role_plan(index: usize, r: &config::AssumeRole) -> Option<Result<RolePlan, Diagnostic>> {
    let arn = r.role_arn.as_option().filter(|a| !a.is_empty())?;
    let duration = match r.duration.as_option().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match check_go_duration(d, ROLE_SESSION) {
            Ok(d) => Some(d),
            Err(e) => {
                let shown: String = d.chars().take(64).collect();
                return Some(Err(Diagnostic::error(
                    "Invalid Attribute Value",
                    format!("assume_role duration {shown:?} {e}."),
                )
                .at(crate::value::Path::attr("assume_role")
                    .join_index(index)
                    .join_attr("duration"))));
            }
        },
    };
    Some(Ok(RolePlan {
        role_arn: arn.clone(),
        session_name: r
            .session_name
            .as_option()
            .filter(|s| !s.is_empty())
            .cloned(),
        external_id: r.external_id.as_option().filter(|s| !s.is_empty()).cloned(),
        duration,
        policy: r.policy.as_option().filter(|s| !s.is_empty()).cloned(),
        policy_arns: r.policy_arns.as_option().cloned().unwrap_or_default(),
        tags: r
            .tags
            .as_option()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }))
}

fn web_identity_plan(w: &config::WebIdentity) -> Option<WebIdentityPlan> {
    let arn = w.role_arn.as_option().filter(|a| !a.is_empty())?;
    Some(WebIdentityPlan {
        role_arn: arn.clone(),
        session_name: w
            .session_name
            .as_option()
            .filter(|s| !s.is_empty())
            .cloned(),
        token: w
            .web_identity_token
            .as_option()
            .filter(|s| !s.is_empty())
            .cloned(),
        token_file: w
            .web_identity_token_file
            .as_option()
            .filter(|s| !s.is_empty())
            .map(std::path::PathBuf::from),
        policy: w.policy.as_option().filter(|s| !s.is_empty()).cloned(),
        policy_arns: w.policy_arns.as_option().cloned().unwrap_or_default(),
    })
}

/// The provider block's schema, with a `rate_limits` attribute for each quota lane in `lanes`.
pub fn provider_schema(lanes: &[Lane]) -> Schema {
    schema::provider_schema(lanes)
}

/// Checks a provider block before it is configured; `lanes`: the quota lanes, as in
/// [`provider_schema`].
pub fn validate_config(config: &Value, lanes: &[Lane], diags: &mut Diagnostics) {
    schema::validate(config, lanes, diags);
    let cfg = ProviderConfig::from_value(config);
    // A region without IVS Chat: warned at plan time, unless an endpoint override (the
    // block's or the environment's) serves it, such as ivschat-local.
    if let Setting::Set(r) = &cfg.region
        && cfg.skip_region_validation.as_option() != Some(&true)
        && !resolve_endpoint(&cfg, &Env::process(), &config::SharedFiles::default()).is_set()
        && let Some(w) = region::unserved_region_warning(r, "region in the provider block")
    {
        diags.push(w.at(Path::attr("region")));
    }
}

/// Configures the provider from its block and the process environment. Calls no network.
pub fn configure(config: &Value) -> Result<ProviderData, Diagnostics> {
    let cfg = ProviderConfig::from_value(config);
    let env = Env::process();
    let data = ProviderData::from_config(&cfg, &env)?;
    tracing::debug!(provider = ?data, "configured");
    Ok(data)
}

/// Where an attribute of the single-element block `block` is.
pub(crate) fn block_attr(block: &str, attr: &str) -> Path {
    Path::attr(block).join_index(0).join_attr(attr)
}

#[cfg(test)]
mod tests;
