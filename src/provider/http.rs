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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::provider::ProviderData;
    use crate::provider::client::Operation;
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

    /// A forward proxy that records request lines and relays bytes to `upstream`.
    async fn proxy(
        upstream: std::net::SocketAddr,
        seen: Arc<Mutex<Vec<String>>>,
    ) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        let n = client.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        head.extend_from_slice(&buf[..n]);
                    }
                    let line = String::from_utf8_lossy(&head)
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    seen.lock().unwrap().push(line);
                    let mut server = TcpStream::connect(upstream).await.unwrap();
                    server.write_all(&head).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn calls_go_through_the_configured_proxy() {
        let emulator = ivschat_local::start(ivschat_local::Config::default())
            .await
            .unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let proxy_addr = proxy(emulator.local_addr(), seen.clone()).await;
        let config = cfg(vec![
            ("region", Value::string("us-east-1")),
            ("access_key", Value::string("AKIDTEST")),
            ("secret_key", Value::string("secret")),
            ("http_proxy", Value::string(format!("http://{proxy_addr}"))),
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
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].starts_with("POST http://127.0.0.1:"), "{seen:?}");
        assert!(seen[0].contains("/ListRooms"), "{seen:?}");
        emulator.shutdown().await;
    }

    /// A TLS terminator with a self-signed certificate in front of `upstream`; returns its port.
    async fn tls_front(upstream: std::net::SocketAddr, pem_out: &std::path::Path) -> u16 {
        let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        std::fs::write(pem_out, key.cert.pem()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![key.cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into()),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut server = TcpStream::connect(upstream).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                });
            }
        });
        port
    }

    async fn list_rooms_via(
        endpoint: &str,
        extra: Vec<(&str, Value)>,
    ) -> Result<(), crate::provider::ApiError> {
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
        assert_eq!(err.kind, crate::provider::ErrorKind::Other, "{err:?}");
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
}
