//! Why a call failed, in plain words: the failure's class found in the SDK error's source chain
//! ([`Cause`]), and the sentence for each class naming the setting to change and where its value
//! came from ([`Origins`]). Rust `Debug` renderings of SDK, hyper or rustls errors never reach
//! a diagnostic: the raw error goes to the debug log.

use std::error::Error as StdError;

use super::region::{IVSCHAT_REGIONS, serves_ivschat};

/// The class of a failure, for the sentence that explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// IVS Chat answered with an error of its own (validation, not found, quota...).
    Service,
    /// No credentials could be loaded; `detail` is what the credential chain said.
    CredentialsUnavailable { detail: String },
    /// AWS does not accept the credentials (unknown key id, wrong secret).
    CredentialsRejected,
    /// The session token of temporary credentials has expired.
    SessionExpired,
    /// Nothing accepted the TCP connection.
    ConnectionRefused,
    /// The endpoint's host name does not resolve.
    NameNotResolved,
    /// No connection or no answer in time.
    TimedOut,
    /// The endpoint's TLS certificate is not trusted; `detail` is rustls's reason.
    TlsUntrusted { detail: String },
    /// The connection failed some other way; `detail` is the error chain's Display text.
    Transport { detail: String },
    /// Anything else (request construction, endpoint resolution); `detail` as above.
    Other { detail: String },
}

/// Each error's Display text, outermost first, without repeats (wrapper errors often repeat
/// their source). Display, never Debug: these are the words the libraries wrote for people.
pub fn display_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(err) {
        let text = e.to_string();
        if text.is_empty() || parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// The error and its sources; an `io::Error`'s `source()` skips the error it wraps, so that
/// one is stepped into instead.
fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut cur = Some(err);
    std::iter::from_fn(move || {
        let e = cur?;
        cur = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
        Some(e)
    })
}

/// The cause of a request that was never answered (dispatch failure, timeout), from the
/// source chain.
pub fn transport_cause(err: &(dyn StdError + 'static), timed_out: bool) -> Cause {
    let mut refused = false;
    let mut dns = false;
    for e in chain(err) {
        if let Some(c) = e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
        {
            let detail = c.source().map_or_else(|| c.to_string(), display_chain);
            return Cause::CredentialsUnavailable { detail };
        }
        if let Some(
            t @ (rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented),
        ) = e.downcast_ref::<rustls::Error>()
        {
            return Cause::TlsUntrusted {
                detail: t.to_string(),
            };
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        // hyper-util names a failed lookup "dns error"; getaddrinfo's own text follows it.
        let text = e.to_string();
        dns |= text.starts_with("dns error") || text.contains("failed to lookup address");
    }
    if dns {
        Cause::NameNotResolved
    } else if refused {
        Cause::ConnectionRefused
    } else if timed_out {
        Cause::TimedOut
    } else {
        Cause::Transport {
            detail: display_chain(err),
        }
    }
}

/// The cause of an error IVS Chat answered with, from its code.
pub fn service_cause(code: Option<&str>) -> Cause {
    match code.unwrap_or("") {
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => Cause::SessionExpired,
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "MissingAuthenticationToken" => Cause::CredentialsRejected,
        _ => Cause::Service,
    }
}

/// The origins of the settings an error message may name: plain words the provider block
/// works out at configure time (the client knows no configuration).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Origins {
    /// Where the provider's region came from (`None`: no region configured).
    pub region: Option<String>,
    /// The endpoint override and where it came from; `None`: the default AWS endpoint.
    pub endpoint: Option<(String, String)>,
    /// The proxy in use and where it came from.
    pub proxy: Option<(String, String)>,
    /// Where the CA bundle came from, if one replaces the system's roots.
    pub ca_bundle: Option<String>,
    /// Where the base credentials come from, in words.
    pub credentials: String,
    /// The credential sources tried, in order, each with why it gave nothing (for the error
    /// met when none gives credentials).
    pub credential_sources: Vec<String>,
    /// `max_retries` and where it came from.
    pub max_retries: String,
}

/// What a client knows about how it reaches IVS Chat, attached to its errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reach {
    pub origins: Origins,
    /// The region the client calls.
    pub region: String,
    /// Where that region came from.
    pub region_origin: String,
}

/// What a call was, for sentences: operation, object, attempts.
pub struct Failure<'a> {
    /// `CreateRoom`.
    pub operation: &'static str,
    /// `create room "lobby"`.
    pub action: &'a str,
    pub attempts: u32,
    /// The region the client calls.
    pub region: &'a str,
    /// Where that region came from.
    pub region_origin: &'a str,
    /// The AWS error code and message, for service answers.
    pub code: Option<&'a str>,
    pub message: &'a str,
    pub status: Option<u16>,
}

impl Failure<'_> {
    fn attempts_text(&self) -> String {
        match self.attempts {
            0 | 1 => String::new(),
            n => format!(" (tried {n} times)"),
        }
    }

    fn answer(&self) -> String {
        let code = self.code.unwrap_or("an error");
        let status = self
            .status
            .map(|s| format!(", HTTP {s}"))
            .unwrap_or_default();
        if self.message.is_empty() {
            format!("{code}{status}")
        } else {
            format!("{code}{status}: {}", self.message)
        }
    }
}

/// The endpoint in words: `endpoint http://127.0.0.1:9 (from AWS_ENDPOINT_URL_IVSCHAT)`, or the
/// default AWS endpoint of the region and where the region came from.
fn endpoint_text(f: &Failure<'_>, o: &Origins) -> String {
    match &o.endpoint {
        Some((url, from)) => format!("endpoint {url} (from {from})"),
        // A client built without its settings' origins (tests).
        None if f.region_origin.is_empty() => "the IVS Chat endpoint".to_owned(),
        None => format!(
            "the AWS endpoint https://ivschat.{}.amazonaws.com (region {} from {})",
            f.region, f.region, f.region_origin
        ),
    }
}

/// What to change to reach another endpoint: the setting the endpoint came from.
fn endpoint_setting(o: &Origins) -> String {
    match &o.endpoint {
        Some((_, from)) => from.clone(),
        None => {
            "endpoints.ivschat (or AWS_ENDPOINT_URL_IVSCHAT) to use another endpoint".to_owned()
        }
    }
}

fn proxy_text(o: &Origins) -> String {
    match &o.proxy {
        Some((url, from)) => format!(" through the proxy {url} (from {from})"),
        None => String::new(),
    }
}

/// A (summary, detail) pair for a failure of class `cause`; `None` for service errors, which
/// keep the generic AWS code + message rendering.
pub fn explain(cause: &Cause, f: &Failure<'_>, o: &Origins) -> Option<(String, String)> {
    let op = f.operation;
    let tries = f.attempts_text();
    let endpoint = endpoint_text(f, o);
    let setting = endpoint_setting(o);
    let proxy = proxy_text(o);
    Some(match cause {
        Cause::Service => return None,
        Cause::CredentialsUnavailable { detail } if o.credentials.starts_with("the default") => {
            let sources: String = o
                .credential_sources
                .iter()
                .enumerate()
                .map(|(i, s)| format!("\n  {}. {s}", i + 1))
                .collect();
            (
                "No Valid Credential Sources Found".to_owned(),
                format!(
                    "Cannot {}: IVS Chat {op} was not sent because no AWS credentials were found. \
                     Sources tried, in order:{sources}\n\nThe last one said: {detail}.\n\n\
                     Provide credentials in one of these ways, for example AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY, a profile in the shared credentials file (aws configure), \
                     or access_key and secret_key in the provider block. See the Authentication \
                     section of the provider documentation (docs/index.md#authentication).",
                    f.action
                ),
            )
        }
        Cause::CredentialsUnavailable { detail } => (
            "Cannot Load AWS Credentials".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} was not sent because the credentials from {} could not \
                 be loaded: {detail}.\n\nFix that source (for SSO, run `aws sso login`; for a role, \
                 check that the base credentials may assume it). See the Authentication section of \
                 the provider documentation (docs/index.md#authentication).",
                f.action, o.credentials
            ),
        ),
        Cause::CredentialsRejected => (
            "AWS Rejected The Credentials".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} was refused because the credentials are not valid at \
                 {endpoint} ({}). The credentials come from {}: check that the access key id and \
                 secret key belong together, are still active, and are for this AWS partition.",
                f.action,
                f.answer(),
                o.credentials
            ),
        ),
        Cause::SessionExpired => (
            "AWS Session Expired".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} was refused because the session token of the temporary \
                 credentials has expired ({}). The credentials come from {}: get fresh ones (aws \
                 sso login, or new temporary keys including AWS_SESSION_TOKEN / token), then run \
                 Terraform again.",
                f.action,
                f.answer(),
                o.credentials
            ),
        ),
        Cause::ConnectionRefused if o.proxy.is_some() => (
            "Cannot Connect To IVS Chat".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} could not be sent to {endpoint}{proxy}: the connection \
                 was refused{tries}. Check that the proxy is running and the address is right, or \
                 remove the proxy setting.",
                f.action
            ),
        ),
        Cause::ConnectionRefused => (
            "Cannot Connect To IVS Chat".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} could not be sent: {endpoint} refused the connection{tries}, \
                 so nothing is listening at that address. Check that the server is running (for \
                 ivschat-local, start it) and that the address is right; it is set by {setting}.",
                f.action
            ),
        ),
        Cause::NameNotResolved if o.endpoint.is_none() && !serves_ivschat(f.region) => (
            "IVS Chat Not Available In This Region".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} could not be sent because IVS Chat does not exist in \
                 region {} (from {}): {endpoint} does not resolve. IVS Chat runs in {}. Set the \
                 region (provider block, or the resource's region argument) to one of them.",
                f.action,
                f.region,
                f.region_origin,
                IVSCHAT_REGIONS.join(", ")
            ),
        ),
        Cause::NameNotResolved => (
            "Cannot Find The IVS Chat Endpoint".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} could not be sent: the host name of {endpoint}{proxy} \
                 does not resolve (DNS){tries}. Check the spelling of the host and this machine's \
                 network and DNS; the address is set by {setting}.",
                f.action
            ),
        ),
        Cause::TimedOut => (
            "IVS Chat Did Not Answer In Time".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} got no answer from {endpoint}{proxy} in time (10 s to \
                 connect, 60 s to answer){tries}. Check the address, firewalls and proxies between \
                 this machine and the endpoint; the address is set by {setting}. The request may \
                 have been carried out: run `terraform plan` to see the state.",
                f.action
            ),
        ),
        Cause::TlsUntrusted { detail } => (
            "Untrusted TLS Certificate".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} was not sent because {endpoint} presented a TLS \
                 certificate this machine does not trust ({detail}). {}If the endpoint uses a \
                 private CA, set custom_ca_bundle (or AWS_CA_BUNDLE) to the CA's PEM file; for a \
                 local test server, use http:// or insecure = true.",
                f.action,
                o.ca_bundle
                    .as_ref()
                    .map(|b| format!("The trusted CAs come from {b}. "))
                    .unwrap_or_default()
            ),
        ),
        Cause::Transport { detail } => (
            "Cannot Reach IVS Chat".to_owned(),
            format!(
                "Cannot {}: IVS Chat {op} failed on the connection to {endpoint}{proxy}{tries}: \
                 {detail}. Check network access to the endpoint (proxy, custom_ca_bundle); the \
                 address is set by {setting}.",
                f.action
            ),
        ),
        Cause::Other { detail } => (
            format!("Cannot {}", f.action),
            format!("IVS Chat {op} could not be sent to {endpoint}: {detail}."),
        ),
    })
}

/// The advice for throttling that outlasted the retry budget.
pub fn throttled(f: &Failure<'_>, o: &Origins) -> String {
    format!(
        "IVS Chat kept throttling the calls past the retry budget ({}). The provider paces its \
         calls at the quota, so another client probably shares this account's quota in region {}: \
         lower the provider's rate_limits, raise max_retries, or run Terraform with a lower \
         -parallelism.",
        o.max_retries, f.region
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure<'a>() -> Failure<'a> {
        Failure {
            operation: "CreateRoom",
            action: "create room \"lobby\"",
            attempts: 4,
            region: "us-east-1",
            region_origin: "region in the provider block",
            code: None,
            message: "",
            status: None,
        }
    }

    #[test]
    fn a_refused_endpoint_names_the_url_and_its_origin() {
        let o = Origins {
            endpoint: Some((
                "http://127.0.0.1:9".into(),
                "AWS_ENDPOINT_URL_IVSCHAT".into(),
            )),
            ..Origins::default()
        };
        let (summary, detail) = explain(&Cause::ConnectionRefused, &failure(), &o).unwrap();
        assert_eq!(summary, "Cannot Connect To IVS Chat");
        assert!(
            detail.contains("endpoint http://127.0.0.1:9 (from AWS_ENDPOINT_URL_IVSCHAT) refused"),
            "{detail}"
        );
        assert!(detail.contains("tried 4 times"), "{detail}");
    }

    #[test]
    fn an_unresolved_default_endpoint_outside_the_service_regions_names_them() {
        let f = Failure {
            region: "af-south-1",
            ..failure()
        };
        let (summary, detail) = explain(&Cause::NameNotResolved, &f, &Origins::default()).unwrap();
        assert_eq!(summary, "IVS Chat Not Available In This Region");
        assert!(detail.contains("us-west-2"), "{detail}");
        // In a region that has IVS Chat, the same failure is a DNS problem.
        let (summary, _) =
            explain(&Cause::NameNotResolved, &failure(), &Origins::default()).unwrap();
        assert_eq!(summary, "Cannot Find The IVS Chat Endpoint");
    }

    #[test]
    fn service_codes_for_bad_credentials_are_classified() {
        assert_eq!(
            service_cause(Some("UnrecognizedClientException")),
            Cause::CredentialsRejected
        );
        assert_eq!(
            service_cause(Some("ExpiredTokenException")),
            Cause::SessionExpired
        );
        assert_eq!(service_cause(Some("ValidationException")), Cause::Service);
    }

    #[test]
    fn a_refused_connection_is_found_inside_io_errors() {
        let inner = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let outer = std::io::Error::other(inner);
        assert_eq!(transport_cause(&outer, false), Cause::ConnectionRefused);
        let unknown = std::io::Error::other("something odd");
        assert_eq!(transport_cause(&unknown, true), Cause::TimedOut);
    }
}
