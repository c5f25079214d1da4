//! The HTTP client, when the defaults do not do: a custom CA bundle (`custom_ca_bundle` or
//! `AWS_CA_BUNDLE`) and explicit proxies (`http_proxy`, `https_proxy`, `no_proxy`, else the
//! usual `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` variables, which the default client reads).

use aws_sdk_ivschat::config::SharedHttpClient;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, Connector};

use super::config::{Env, ProviderConfig, Setting, endpoint_problem};
use crate::diagnostics::Diagnostic;
use crate::value::Path;

fn proxy(url: &str, attr: &str, https: bool) -> Result<ProxyConfig, Diagnostic> {
    let made = if https {
        ProxyConfig::https(url)
    } else {
        ProxyConfig::http(url)
    };
    made.map_err(|e| {
        Diagnostic::error(
            "Invalid Proxy URL",
            format!("{attr} {url:?} is not a usable proxy URL: {e}."),
        )
        .at(Path::attr(attr))
    })
}

/// `None`: the SDK's default client (which honours the proxy environment variables).
pub(super) fn build(
    cfg: &ProviderConfig,
    env: &Env,
) -> Result<Option<SharedHttpClient>, Diagnostic> {
    let ca_path = match &cfg.custom_ca_bundle {
        Setting::Set(p) if !p.is_empty() => Some((p.clone(), true)),
        _ => env.get("AWS_CA_BUNDLE").map(|p| (p.to_owned(), false)),
    };
    let http_proxy = cfg
        .http_proxy
        .as_option()
        .filter(|s| !s.is_empty())
        .cloned();
    let https_proxy = cfg
        .https_proxy
        .as_option()
        .filter(|s| !s.is_empty())
        .cloned();
    if ca_path.is_none() && http_proxy.is_none() && https_proxy.is_none() {
        return Ok(None);
    }
    let mut trust = TrustStore::default();
    if let Some((path, from_config)) = &ca_path {
        let pem = std::fs::read(path).map_err(|e| {
            let d = Diagnostic::error(
                "Cannot Read CA Bundle",
                format!("The CA bundle {path:?} cannot be read: {e}. Set custom_ca_bundle (or AWS_CA_BUNDLE) to a PEM file."),
            );
            if *from_config { d.at(Path::attr("custom_ca_bundle")) } else { d }
        })?;
        trust = trust.with_pem_certificate(pem);
    }
    let tls_context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| {
            Diagnostic::error(
                "Invalid CA Bundle",
                format!("The CA bundle cannot be used: {e}."),
            )
            .at(Path::attr("custom_ca_bundle"))
        })?;
    let no_proxy = cfg.no_proxy.as_option().filter(|s| !s.is_empty()).cloned();
    // One proxy config: https_proxy for https, http_proxy for http (hashicorp/aws semantics).
    let proxy_config = match (&http_proxy, &https_proxy) {
        (None, None) => None,
        (Some(h), None) => Some(proxy(h, "http_proxy", false)?),
        (None, Some(s)) => Some(proxy(s, "https_proxy", true)?),
        (Some(h), Some(s)) if h == s => Some(ProxyConfig::all(h.as_str()).map_err(|e| {
            Diagnostic::error(
                "Invalid Proxy URL",
                format!("{h:?} is not a usable proxy URL: {e}."),
            )
            .at(Path::attr("http_proxy"))
        })?),
        (Some(_), Some(s)) => Some(proxy(s, "https_proxy", true)?),
    };
    let proxy_config = proxy_config.map(|p| match &no_proxy {
        Some(n) => p.no_proxy(n),
        None => p,
    });
    let client = Builder::new().build_with_connector_fn(move |settings, components| {
        let mut b = Connector::builder();
        if let Some(s) = settings {
            b = b.connector_settings(s.clone());
        }
        if let Some(sleep) = components.and_then(|c| c.sleep_impl()) {
            b = b.sleep_impl(sleep);
        }
        if let Some(p) = &proxy_config {
            b = b.proxy_config(p.clone());
        }
        b.tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(tls_context.clone())
            .build()
    });
    Ok(Some(client))
}

/// Validation of the proxy settings' shape (ValidateProviderConfig).
pub(super) fn validate_proxy(name: &str, value: &str) -> Option<Diagnostic> {
    endpoint_problem(value).map(|why| {
        Diagnostic::error(
            "Invalid Attribute Value",
            format!("{name} {value:?} is not a proxy URL: {why}."),
        )
        .at(Path::attr(name))
    })
}
