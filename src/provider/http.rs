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

/// `url` with any `user:password@` replaced by `***@`: proxy URLs may carry credentials, which
/// must never reach a diagnostic or a log.
pub(crate) fn without_credentials(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i)
            if url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            url.split_at(i + 3)
        }
        _ => ("", url),
    };
    // The last '@' anywhere: a password typed with a raw '/' or '#' is still hidden.
    match rest.rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

fn invalid_proxy(url: &str, attr: &str, e: &dyn std::fmt::Display) -> Diagnostic {
    let shown = without_credentials(url);
    // Should a future SDK quote the URL in its error, it is hidden there too.
    let why = e.to_string().replace(url, &shown);
    Diagnostic::error(
        "Invalid Proxy URL",
        format!("{attr} {shown:?} is not a usable proxy URL: {why}."),
    )
    .at(Path::attr(attr))
}

fn proxy(url: &str, attr: &str, https: bool) -> Result<ProxyConfig, Diagnostic> {
    let made = if https {
        ProxyConfig::https(url)
    } else {
        ProxyConfig::http(url)
    };
    made.map_err(|e| invalid_proxy(url, attr, &e))
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
    if cfg.insecure.as_option() == Some(&true) {
        return super::insecure::client().map(Some).map_err(|e| {
            Diagnostic::error(
                "Cannot Build The HTTP Client",
                format!("TLS setup failed: {e}."),
            )
            .at(Path::attr("insecure"))
        });
    }
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
    // A CA bundle replaces the system's roots (as in the AWS SDKs); a proxy alone keeps them.
    let mut trust = if ca_path.is_some() {
        TrustStore::empty()
    } else {
        TrustStore::default()
    };
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
        (Some(h), Some(s)) if h == s => {
            Some(ProxyConfig::all(h.as_str()).map_err(|e| invalid_proxy(h, "http_proxy", &e))?)
        }
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
            format!(
                "{name} {:?} is not a proxy URL: {why}.",
                without_credentials(value)
            ),
        )
        .at(Path::attr(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Operation;
    use crate::provider::ProviderData;
    use crate::provider::tests::fake_network::{RecordingProxy, tls_front};
    use crate::value::Value;

    fn cfg(pairs: Vec<(&str, Value)>) -> ProviderConfig {
        ProviderConfig::from_value(&Value::Object(
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ))
    }

    #[test]
    fn the_default_client_unless_a_ca_bundle_or_proxy_is_set() {
        assert!(build(&cfg(vec![]), &Env::default()).unwrap().is_none());
        let proxied = cfg(vec![
            ("https_proxy", Value::string("http://127.0.0.1:3128")),
            ("no_proxy", Value::string("localhost")),
        ]);
        assert!(build(&proxied, &Env::default()).unwrap().is_some());
        let missing = Env::from_pairs([("AWS_CA_BUNDLE", "/nonexistent/ca.pem")]);
        let err = build(&cfg(vec![]), &missing).unwrap_err();
        assert_eq!(err.summary, "Cannot Read CA Bundle");
        assert!(
            err.path.is_none(),
            "from the environment: no attribute to point at"
        );
    }

    #[tokio::test]
    async fn calls_go_through_the_configured_proxy() {
        let emulator = ivschat_local::start(ivschat_local::Config::default())
            .await
            .unwrap();
        let proxy = RecordingProxy::start().await;
        let config = cfg(vec![
            ("region", Value::string("us-east-1")),
            ("access_key", Value::string("AKIDTEST")),
            ("secret_key", Value::string("secret")),
            ("http_proxy", Value::string(proxy.url())),
            (
                "endpoints",
                Value::List(vec![Value::Object(
                    [("ivschat".to_owned(), Value::string(emulator.endpoint()))]
                        .into_iter()
                        .collect(),
                )]),
            ),
        ]);
        let data = ProviderData::from_config(&config, &Env::default()).unwrap();
        let client = data.client(None).unwrap();
        let out = client
            .call(Operation::ListRooms, |c| c.list_rooms().send())
            .await
            .unwrap();
        assert!(out.rooms().is_empty());
        let seen = proxy.request_lines();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].starts_with("POST http://127.0.0.1:"), "{seen:?}");
        assert!(seen[0].contains("/ListRooms"), "{seen:?}");
        emulator.shutdown().await;
    }

    async fn list_rooms_via(
        endpoint: &str,
        extra: Vec<(&str, Value)>,
    ) -> Result<(), crate::aws::ApiError> {
        let mut pairs = vec![
            ("region", Value::string("us-east-1")),
            ("access_key", Value::string("AKIDTEST")),
            ("secret_key", Value::string("secret")),
            (
                "endpoints",
                Value::List(vec![Value::Object(
                    [("ivschat".to_owned(), Value::string(endpoint))]
                        .into_iter()
                        .collect(),
                )]),
            ),
        ];
        pairs.extend(extra);
        let data = ProviderData::from_config(&cfg(pairs), &Env::default()).unwrap();
        let client = data.client(None).unwrap();
        client
            .call(Operation::ListRooms, |c| c.list_rooms().send())
            .await
            .map(|_| ())
    }

    #[tokio::test]
    async fn self_signed_endpoints_need_the_ca_bundle_or_insecure() {
        let emulator = ivschat_local::start(ivschat_local::Config::default())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("ca.pem");
        let port = tls_front(emulator.local_addr(), &pem).await;
        let endpoint = format!("https://localhost:{port}");
        // Verified against the system roots: refused at once, not retried as if it could heal.
        let err = list_rooms_via(&endpoint, vec![]).await.unwrap_err();
        assert_eq!(err.kind, crate::aws::ErrorKind::Other, "{err:?}");
        assert_eq!(err.code.as_deref(), Some("TlsCertificateError"));
        assert!(!err.ambiguous);
        assert!(err.message.contains("custom_ca_bundle"), "{}", err.message);
        // Trusting the certificate through custom_ca_bundle works...
        list_rooms_via(
            &endpoint,
            vec![("custom_ca_bundle", Value::string(pem.to_str().unwrap()))],
        )
        .await
        .unwrap();
        // ...and so does insecure.
        list_rooms_via(&endpoint, vec![("insecure", Value::Bool(true))])
            .await
            .unwrap();
        emulator.shutdown().await;
    }

    #[test]
    fn credentials_in_a_proxy_url_are_hidden() {
        for (url, shown) in [
            ("http://user:hunter2@proxy:3128", "http://***@proxy:3128"),
            ("user:hunter2@proxy:3128", "***@proxy:3128"),
            (
                "http://user:hun/ter@2@proxy:3128/",
                "http://***@proxy:3128/",
            ),
            ("http://proxy:3128", "http://proxy:3128"),
        ] {
            assert_eq!(without_credentials(url), shown);
        }
    }

    #[tokio::test]
    async fn proxy_credentials_are_used_but_never_shown() {
        // Validation of a malformed proxy URL (no scheme) names the attribute, not the password.
        let d = validate_proxy("https_proxy", "user:hunter2@proxy:3128").unwrap();
        assert_eq!(d.path, Some(Path::attr("https_proxy")));
        assert!(!format!("{d:?}").contains("hunter2"), "{d:?}");
        // The same at configure time, for a URL the SDK refuses.
        let bad = cfg(vec![(
            "http_proxy",
            Value::string("socks5://user:hunter2@proxy:1080"),
        )]);
        let d = build(&bad, &Env::default()).unwrap_err();
        assert_eq!(d.summary, "Invalid Proxy URL");
        assert!(!format!("{d:?}").contains("hunter2"), "{d:?}");
        // A call through a proxy with credentials sends them to the proxy only...
        let emulator = ivschat_local::start(ivschat_local::Config::default())
            .await
            .unwrap();
        let proxy = RecordingProxy::start().await;
        let with_password = format!("http://user:hunter2@{}", proxy.addr);
        list_rooms_via(
            &emulator.endpoint(),
            vec![("http_proxy", Value::string(&with_password))],
        )
        .await
        .unwrap();
        let heads = proxy.heads().join("\n").to_ascii_lowercase();
        assert!(
            heads.contains("proxy-authorization: basic dxnlcjpodw50zxiy"),
            "{heads}"
        );
        // ...and a failing one (nothing listens on the proxy port) does not repeat them.
        let closed = free_port().await;
        let err = list_rooms_via(
            &emulator.endpoint(),
            vec![
                (
                    "http_proxy",
                    Value::string(format!("http://user:hunter2@127.0.0.1:{closed}")),
                ),
                ("max_retries", Value::int(0)),
            ],
        )
        .await
        .unwrap_err();
        let shown = format!("{err:?} {}", err.diagnostic("room").detail);
        assert!(!shown.contains("hunter2"), "{shown}");
        emulator.shutdown().await;
    }

    /// A loopback port that was just free (bound, then released).
    async fn free_port() -> u16 {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    }
}
