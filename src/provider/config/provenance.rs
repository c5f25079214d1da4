//! Where each setting that decides how IVS Chat is reached came from (provider block,
//! environment variable, shared file, default), so an error can name the setting to change.
//! Mirrors the precedence functions; computed once at configure time.

use crate::aws::Origins;
use crate::provider::http::without_credentials;
use std::path::{Path, PathBuf};

use super::{
    CredentialSource, EndpointSource, Env, ProviderConfig, Setting, SharedFiles, credential_source,
    profile_name, resolve_endpoint,
};

/// The words for where an endpoint override came from.
pub fn endpoint_origin(source: EndpointSource, profile: &str) -> String {
    match source {
        EndpointSource::ProviderBlock => "endpoints.ivschat in the provider block".to_owned(),
        EndpointSource::ServiceEnv => "AWS_ENDPOINT_URL_IVSCHAT".to_owned(),
        EndpointSource::GlobalEnv => "AWS_ENDPOINT_URL".to_owned(),
        EndpointSource::ServiceSharedConfig => {
            format!("the ivschat services section of profile {profile:?} in the shared config file")
        }
        EndpointSource::GlobalSharedConfig => {
            format!("endpoint_url of profile {profile:?} in the shared config file")
        }
    }
}

/// Where the provider's region came from, in [`super::resolve_region`]'s order.
pub fn region_origin(cfg: &ProviderConfig, env: &Env, files: &SharedFiles) -> Option<String> {
    if cfg.region.as_option().is_some_and(|r| !r.is_empty()) {
        return Some("region in the provider block".to_owned());
    }
    if env.get("AWS_REGION").is_some() {
        return Some("AWS_REGION".to_owned());
    }
    if env.get("AWS_DEFAULT_REGION").is_some() {
        return Some("AWS_DEFAULT_REGION".to_owned());
    }
    match profile_name(cfg, env) {
        Setting::Set(p) if files.profile_value(&p, "region").is_some() => Some(format!(
            "the region of profile {p:?} in the shared config file"
        )),
        _ => None,
    }
}

fn state(path: &Path) -> String {
    let shown = path.display();
    if path.is_file() {
        format!("{shown}")
    } else {
        format!("{shown} (not found)")
    }
}

fn set_or_not(env: &Env, names: &[&str]) -> &'static str {
    if names.iter().any(|n| env.get(n).is_some()) {
        "set, but gave no credentials"
    } else {
        "not set"
    }
}

/// The standard chain after the provider block and environment keys, in the order the AWS
/// SDK tries it, with what this machine has for each.
fn chain_sources(
    cfg: &ProviderConfig,
    env: &Env,
    config_files: &[PathBuf],
    credentials_files: &[PathBuf],
) -> Vec<String> {
    let profile = match profile_name(cfg, env) {
        Setting::Set(p) => p,
        _ => "default".to_owned(),
    };
    let profile_from = if cfg.profile.as_option().is_some_and(|p| !p.is_empty()) {
        "profile in the provider block"
    } else if env.get("AWS_PROFILE").is_some() {
        "AWS_PROFILE"
    } else {
        "the default profile"
    };
    let files: Vec<String> = credentials_files
        .iter()
        .chain(config_files)
        .map(|p| state(p))
        .collect();
    let keys_block = if cfg.access_key.is_set() || cfg.secret_key.is_set() {
        "incomplete"
    } else {
        "not set"
    };
    let imds = if env
        .get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        "disabled by AWS_EC2_METADATA_DISABLED"
    } else {
        "not reachable, or no instance role"
    };
    vec![
        format!("access_key and secret_key in the provider block: {keys_block}"),
        format!(
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: {}",
            set_or_not(env, &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        ),
        format!(
            "profile {profile:?} ({profile_from}): static keys, credential_process or a role in {}",
            files.join(", ")
        ),
        format!("SSO (sso_session / sso_start_url of profile {profile:?}): not configured"),
        format!(
            "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN): {}",
            set_or_not(env, &["AWS_WEB_IDENTITY_TOKEN_FILE"])
        ),
        format!(
            "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI): {}",
            set_or_not(
                env,
                &[
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI"
                ]
            )
        ),
        format!("EC2 instance metadata (IMDS): {imds}"),
    ]
}

/// Where the proxy in use came from: the provider block, else the usual variables (which the
/// default HTTP client reads).
/// The proxy in use and where it was set; credentials in its URL are masked (never shown).
fn proxy_origin(cfg: &ProviderConfig, env: &Env) -> Option<(String, String)> {
    for (name, setting) in [
        ("https_proxy", &cfg.https_proxy),
        ("http_proxy", &cfg.http_proxy),
    ] {
        if let Some(p) = setting.as_option().filter(|p| !p.is_empty()) {
            return Some((
                without_credentials(p),
                format!("{name} in the provider block"),
            ));
        }
    }
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .find_map(|n| env.get(n).map(|p| (without_credentials(p), n.to_owned())))
}

/// The origins of every setting, as configure resolves them.
pub fn origins(
    cfg: &ProviderConfig,
    env: &Env,
    files: &SharedFiles,
    config_files: &[PathBuf],
    credentials_files: &[PathBuf],
) -> Origins {
    let profile = match profile_name(cfg, env) {
        Setting::Set(p) => p,
        _ => "default".to_owned(),
    };
    let endpoint = match resolve_endpoint(cfg, env, files) {
        Setting::Set((url, source)) => Some((url, endpoint_origin(source, &profile))),
        _ => None,
    };
    let credentials = match credential_source(cfg, env) {
        Setting::Set(CredentialSource::ProviderBlock(_)) => {
            "access_key and secret_key in the provider block".to_owned()
        }
        Setting::Set(CredentialSource::Environment(k)) => {
            if k.token.is_some() {
                "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN".to_owned()
            } else {
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_owned()
            }
        }
        Setting::Set(CredentialSource::Profile(p)) => {
            format!("profile {p:?} (profile in the provider block)")
        }
        Setting::Set(CredentialSource::DefaultChain { profile: Some(p) }) => {
            format!("profile {p:?} (AWS_PROFILE) or the rest of the default credential chain")
        }
        _ => "the default credential chain (shared files, SSO, web identity, container, IMDS)"
            .to_owned(),
    };
    let credentials = if cfg
        .assume_role
        .iter()
        .any(|r| r.role_arn.as_option().is_some_and(|a| !a.is_empty()))
    {
        format!("{credentials}, then the role of assume_role")
    } else {
        credentials
    };
    let ca_bundle = match &cfg.custom_ca_bundle {
        Setting::Set(p) if !p.is_empty() => Some(format!("custom_ca_bundle {p:?}")),
        _ => env
            .get("AWS_CA_BUNDLE")
            .map(|p| format!("AWS_CA_BUNDLE {p:?}")),
    };
    let max_retries = if let Setting::Set(n) = cfg.max_retries {
        format!("max_retries = {n} in the provider block")
    } else if let Some(n) = env.get("AWS_MAX_ATTEMPTS") {
        format!("AWS_MAX_ATTEMPTS = {n}")
    } else {
        "max_retries (default 25)".to_owned()
    };
    Origins {
        region: region_origin(cfg, env, files),
        endpoint,
        proxy: proxy_origin(cfg, env),
        ca_bundle,
        credentials,
        credential_sources: chain_sources(cfg, env, config_files, credentials_files),
        max_retries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::config::FileKind;

    #[test]
    fn each_setting_names_where_it_came_from() {
        let env = Env::from_pairs([
            ("AWS_ENDPOINT_URL_IVSCHAT", "http://127.0.0.1:9"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("AWS_MAX_ATTEMPTS", "3"),
        ]);
        let o = origins(
            &ProviderConfig::default(),
            &env,
            &SharedFiles::default(),
            &[],
            &[],
        );
        assert_eq!(
            o.endpoint,
            Some((
                "http://127.0.0.1:9".to_owned(),
                "AWS_ENDPOINT_URL_IVSCHAT".to_owned()
            ))
        );
        assert_eq!(o.region.as_deref(), Some("AWS_DEFAULT_REGION"));
        assert_eq!(o.credentials, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        assert_eq!(
            o.proxy,
            Some(("http://proxy:3128".to_owned(), "HTTPS_PROXY".to_owned()))
        );
        assert_eq!(o.max_retries, "AWS_MAX_ATTEMPTS = 3");
    }

    #[test]
    fn the_region_of_a_profile_and_the_block_endpoint_are_named() {
        let mut files = SharedFiles::default();
        files.add(FileKind::Config, "[profile dev]\nregion = ap-south-1\n");
        let cfg = ProviderConfig {
            profile: Setting::Set("dev".into()),
            endpoint_ivschat: Setting::Set("http://localhost:4510".into()),
            ..ProviderConfig::default()
        };
        let o = origins(&cfg, &Env::default(), &files, &[], &[]);
        assert_eq!(
            o.region.as_deref(),
            Some("the region of profile \"dev\" in the shared config file")
        );
        assert_eq!(
            o.endpoint.unwrap().1,
            "endpoints.ivschat in the provider block"
        );
        assert_eq!(
            o.credentials,
            "profile \"dev\" (profile in the provider block)"
        );
    }

    #[test]
    fn the_chain_lists_every_source_in_order_with_the_files_read() {
        let env = Env::from_pairs([("AWS_EC2_METADATA_DISABLED", "true")]);
        let o = origins(
            &ProviderConfig::default(),
            &env,
            &SharedFiles::default(),
            &[PathBuf::from("/nonexistent/config")],
            &[PathBuf::from("/nonexistent/credentials")],
        );
        let text = o.credential_sources.join("\n");
        let order = [
            "provider block",
            "AWS_ACCESS_KEY_ID",
            "/nonexistent/credentials (not found), /nonexistent/config (not found)",
            "SSO",
            "web identity",
            "container",
            "IMDS): disabled by AWS_EC2_METADATA_DISABLED",
        ];
        let mut at = 0;
        for needle in order {
            let found = text[at..]
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} after byte {at} in {text}"));
            at += found;
        }
    }
}
