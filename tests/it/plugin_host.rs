//! The plugin host seen from outside, the way Terraform sees it: start the
//! real binary, read its handshake line, connect over the advertised socket
//! with (or without) TLS, call gRPC services, shut it down.
//!
//! Every test uses its own temp dir for sockets (`PLUGIN_UNIX_SOCKET_DIR` and
//! `TMPDIR`), and kills its child on drop.

use std::io::{BufRead as _, BufReader, Read as _};
use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hyper_util::rt::TokioIo;
use ivschat_provider::plugin::go_plugin::{
    ConnInfo, Empty, grpc_broker_client::GrpcBrokerClient,
    grpc_controller_client::GrpcControllerClient, grpc_stdio_client::GrpcStdioClient,
};
use ivschat_provider::plugin::tfplugin6::{
    get_provider_schema, get_resource_identity_schemas, provider_client::ProviderClient,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-ivschat");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

// ---------------------------------------------------------------------------
// Certificates, like Terraform's: ECDSA P-521, self-signed, CA:TRUE.
// ---------------------------------------------------------------------------

struct ClientCert {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    /// What the client presents: `der` first, then any chain.
    chain: Vec<CertificateDer<'static>>,
}

/// Terraform's client certificate and, for signing other certificates with it, its issuer.
fn terraform_like() -> (ClientCert, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    let client = ClientCert {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        chain: vec![cert.der().clone()],
    };
    (client, rcgen::Issuer::new(params, key))
}

fn terraform_like_cert() -> ClientCert {
    terraform_like().0
}

/// Presents a fixed certificate chain and key, without checking that they belong together.
#[derive(Debug)]
struct Presents(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for Presents {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }

    fn has_certs(&self) -> bool {
        true
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The server cert from the handshake line, pinned as the only root, must
/// verify for the name `localhost` (what Go's client checks).
fn assert_valid_for_localhost(server_der: &[u8]) {
    let der = CertificateDer::from(server_der.to_vec());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der.clone()).expect("server cert parses");
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .unwrap();
    use rustls::client::danger::ServerCertVerifier as _;
    verifier
        .verify_server_cert(
            &der,
            &[],
            &ServerName::try_from("localhost").unwrap(),
            &[],
            UnixTime::now(),
        )
        .expect("server cert valid for localhost");
    assert!(
        verifier
            .verify_server_cert(
                &der,
                &[],
                &ServerName::try_from("example.com").unwrap(),
                &[],
                UnixTime::now(),
            )
            .is_err()
    );
}

// ---------------------------------------------------------------------------
// Running the plugin
// ---------------------------------------------------------------------------

struct Plugin {
    child: Child,
    line: String,
    stdout: BufReader<std::process::ChildStdout>,
    _dir: tempfile::TempDir,
    dir: PathBuf,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base_command(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("TMPDIR", dir)
        .env("PLUGIN_UNIX_SOCKET_DIR", dir)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env_remove("PLUGIN_PROTOCOL_VERSIONS")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("PLUGIN_TRANSPORT")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn plugin_env(cmd: &mut Command, client: Option<&ClientCert>) {
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6");
    if let Some(c) = client {
        cmd.env("PLUGIN_CLIENT_CERT", &c.pem);
    }
}

/// Starts the plugin and waits (at most 10 s) for its first stdout line.
fn start_with(configure: impl FnOnce(&mut Command)) -> Plugin {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let mut cmd = base_command(&dir);
    configure(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send((line, reader));
    });
    let (line, stdout) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("no handshake line within 10 s");
    assert!(line.ends_with('\n'), "line not terminated: {line:?}");
    Plugin {
        child,
        line: line.trim_end().to_owned(),
        stdout,
        _dir: tmp,
        dir,
    }
}

fn start(client: Option<&ClientCert>) -> Plugin {
    start_with(|cmd| plugin_env(cmd, client))
}

struct Handshake {
    fields: Vec<String>,
}

impl Handshake {
    fn parse(line: &str) -> Self {
        let fields: Vec<String> = line.split('|').map(str::to_owned).collect();
        assert_eq!(fields.len(), 6, "handshake line {line:?}");
        assert_eq!(fields[0], "1", "core protocol");
        assert_eq!(fields[1], "6", "plugin protocol");
        assert_eq!(fields[4], "grpc");
        Self { fields }
    }
    fn network(&self) -> &str {
        &self.fields[2]
    }
    fn address(&self) -> &str {
        &self.fields[3]
    }
    fn cert_der(&self) -> Option<Vec<u8>> {
        let c = &self.fields[5];
        if c.is_empty() {
            return None;
        }
        assert!(!c.contains('='), "cert must be unpadded base64");
        Some(STANDARD_NO_PAD.decode(c).expect("standard base64"))
    }
}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<(ExitStatus, Duration)> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status, start.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig}");
}

fn stderr_of(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

// ---------------------------------------------------------------------------
// gRPC client over the advertised socket
// ---------------------------------------------------------------------------

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

#[derive(Clone)]
enum ClientAuth {
    /// No TLS at all.
    Plain,
    /// TLS, pinning the server cert, presenting `Some(cert)` or no cert.
    Tls {
        server_der: Vec<u8>,
        client: Option<Arc<ClientCert>>,
        tls12_only: bool,
    },
}

async fn connect_raw(
    network: &str,
    address: &str,
    auth: &ClientAuth,
) -> std::io::Result<Box<dyn Io>> {
    let raw: Box<dyn Io> = match network {
        "unix" => Box::new(tokio::net::UnixStream::connect(address).await?),
        "tcp" => Box::new(tokio::net::TcpStream::connect(address).await?),
        other => panic!("unknown network {other}"),
    };
    match auth {
        ClientAuth::Plain => Ok(raw),
        ClientAuth::Tls {
            server_der,
            client,
            tls12_only,
        } => {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from(server_der.clone()))
                .map_err(std::io::Error::other)?;
            let versions: &[&rustls::SupportedProtocolVersion] = if *tls12_only {
                &[&rustls::version::TLS12]
            } else {
                rustls::DEFAULT_VERSIONS
            };
            let builder = rustls::ClientConfig::builder_with_provider(provider())
                .with_protocol_versions(versions)
                .unwrap()
                .with_root_certificates(roots);
            let mut config = match client {
                Some(c) => {
                    let key = provider()
                        .key_provider
                        .load_private_key(c.key.clone_key())
                        .map_err(std::io::Error::other)?;
                    let presented = rustls::sign::CertifiedKey::new(c.chain.clone(), key);
                    builder.with_client_cert_resolver(Arc::new(Presents(Arc::new(presented))))
                }
                None => builder.with_no_client_auth(),
            };
            config.alpn_protocols = vec![b"h2".to_vec()];
            let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
            let tls = connector
                .connect(ServerName::try_from("localhost").unwrap(), raw)
                .await?;
            let session = tls.get_ref().1;
            assert_eq!(session.alpn_protocol(), Some(&b"h2"[..]));
            if *tls12_only {
                assert_eq!(
                    session.protocol_version(),
                    Some(rustls::ProtocolVersion::TLSv1_2)
                );
            }
            Ok(Box::new(tls))
        }
    }
}

async fn channel(hs: &Handshake, auth: ClientAuth) -> Result<Channel, tonic::transport::Error> {
    let network = hs.network().to_owned();
    let address = hs.address().to_owned();
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(tower::service_fn(move |_uri| {
            let (network, address, auth) = (network.clone(), address.clone(), auth.clone());
            async move {
                let io = connect_raw(&network, &address, &auth).await?;
                Ok::<_, std::io::Error>(TokioIo::new(io))
            }
        }))
        .await
}

async fn health(channel: Channel) -> Result<i32, tonic::Status> {
    let resp = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await?;
    Ok(resp.into_inner().status)
}

fn tls_auth(hs: &Handshake, client: Option<&Arc<ClientCert>>) -> ClientAuth {
    ClientAuth::Tls {
        server_der: hs.cert_der().expect("server cert in handshake"),
        client: client.cloned(),
        tls12_only: false,
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn handshake_line_unix_with_automtls() {
    let client = terraform_like_cert();
    let mut p = start(Some(&client));
    let hs = Handshake::parse(&p.line);
    assert_eq!(hs.network(), "unix");

    let sock = Path::new(hs.address());
    assert!(
        sock.starts_with(&p.dir),
        "socket {sock:?} not under {:?}",
        p.dir
    );
    let meta = std::fs::metadata(sock).expect("socket exists");
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o077, 0, "socket mode");
    let parent = sock.parent().unwrap();
    let dir_mode = std::fs::metadata(parent).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode & 0o077, 0, "socket dir mode {dir_mode:o}");

    let der = hs.cert_der().expect("cert present with PLUGIN_CLIENT_CERT");
    assert_valid_for_localhost(&der);

    // Two processes never share a certificate.
    let p2 = start(Some(&client));
    assert_ne!(Handshake::parse(&p2.line).cert_der(), Some(der));

    // Nothing else on stdout, ever: after SIGTERM stdout is at EOF.
    signal(&p.child, "TERM");
    let (status, _) = wait_exit(&mut p.child, Duration::from_secs(5)).expect("exits on SIGTERM");
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    p.stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "extra stdout");
    assert!(!sock.exists(), "socket removed on exit");
    assert!(!parent.exists(), "socket dir removed on exit");
}

#[test]
fn refuses_to_run_without_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let out = base_command(dir.path())
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Terraform provider plugin"), "{err}");
    assert!(err.contains("--debug"), "{err}");
    assert!(!err.starts_with('{'), "plain text, not a log line: {err}");

    let out = base_command(dir.path())
        .env("TF_PLUGIN_MAGIC_COOKIE", "wrong")
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn protocol_version_negotiation() {
    let dir = tempfile::tempdir().unwrap();
    let out = base_command(dir.path())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("protocol 6") && err.contains("4,5"), "{err}");

    let out = base_command(dir.path())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PLUGIN_PROTOCOL_VERSIONS is not set"), "{err}");

    // Order does not matter.
    let p = start_with(|cmd| {
        cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6,5");
    });
    Handshake::parse(&p.line);
    // Nothing left behind in the socket dir's parent except the live socket dir.
    assert_eq!(std::fs::read_dir(&p.dir).unwrap().count(), 1);
}

#[tokio::test]
async fn tls_client_with_terraform_cert_is_served() {
    let client = Arc::new(terraform_like_cert());
    let p = start(Some(&client));
    let hs = Handshake::parse(&p.line);
    let ch = channel(&hs, tls_auth(&hs, Some(&client))).await.unwrap();

    assert_eq!(
        health(ch.clone()).await.unwrap(),
        ServingStatus::Serving as i32
    );

    let mut provider = ProviderClient::new(ch.clone());
    let schema = provider
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.server_capabilities.is_some(), "capabilities");
    assert!(
        schema.provider.and_then(|s| s.block).is_some(),
        "provider block"
    );
    assert!(
        schema.diagnostics.iter().all(|d| d.severity != 1),
        "error diagnostics: {:?}",
        schema.diagnostics
    );
}

#[tokio::test]
async fn tls12_client_and_concurrent_calls() {
    let client = Arc::new(terraform_like_cert());
    let p = start(Some(&client));
    let hs = Handshake::parse(&p.line);
    let auth = ClientAuth::Tls {
        server_der: hs.cert_der().unwrap(),
        client: Some(Arc::clone(&client)),
        tls12_only: true,
    };
    let ch = channel(&hs, auth).await.unwrap();
    // Terraform runs up to 10 operations at once over one connection.
    let calls = (0..20).map(|i| {
        let ch = ch.clone();
        async move {
            if i % 2 == 0 {
                health(ch).await.map(|_| ())
            } else {
                ProviderClient::new(ch)
                    .get_provider_schema(get_provider_schema::Request {})
                    .await
                    .map(|_| ())
            }
        }
    });
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
}

/// The generated default stubs answer UNIMPLEMENTED for RPCs a provider does
/// not implement (Terraform >= 1.12 relies on it for identity schemas).
#[tokio::test]
async fn unimplemented_rpcs_answer_unimplemented() {
    use crate::support::bootstrap_provider::BootstrapProvider;
    use ivschat_provider::plugin::tfplugin6::provider_server::ProviderServer;

    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("s.sock");
    let listener = tokio::net::UnixListener::bind(&sock).unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(ProviderServer::new(BootstrapProvider))
            .serve_with_incoming(tokio_stream::wrappers::UnixListenerStream::new(listener)),
    );
    let hs = Handshake::parse(&format!("1|6|unix|{}|grpc|", sock.display()));
    let mut provider = ProviderClient::new(channel(&hs, ClientAuth::Plain).await.unwrap());

    let schema = provider
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let caps = schema.server_capabilities.expect("capabilities");
    assert!(caps.plan_destroy);
    assert!(!caps.get_provider_schema_optional);

    let err = provider
        .get_resource_identity_schemas(get_resource_identity_schemas::Request {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn tls_client_with_other_cert_is_refused() {
    let expected = terraform_like_cert();
    let intruder = Arc::new(terraform_like_cert());
    let mut p = start_with(|cmd| {
        plugin_env(cmd, Some(&expected));
        cmd.env("TF_LOG", "warn");
    });
    let hs = Handshake::parse(&p.line);
    let refused = match channel(&hs, tls_auth(&hs, Some(&intruder))).await {
        Err(_) => true,
        Ok(ch) => health(ch).await.is_err(),
    };
    assert!(refused, "a client with another certificate was served");

    signal(&p.child, "TERM");
    wait_exit(&mut p.child, Duration::from_secs(5)).expect("exits");
    let err = stderr_of(&mut p.child);
    let line = err
        .lines()
        .find(|l| l.contains("TLS handshake refused"))
        .unwrap_or_else(|| panic!("no refusal log line in {err}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["@level"], "warn");
    assert_eq!(v["@module"], "provider.ivschat");
}

/// True when the plugin serves no gRPC call to a client presenting `client`.
async fn refused(hs: &Handshake, client: ClientCert) -> bool {
    match channel(hs, tls_auth(hs, Some(&Arc::new(client)))).await {
        Err(_) => true,
        Ok(ch) => health(ch).await.is_err(),
    }
}

#[tokio::test]
async fn pinned_certificate_with_another_private_key_is_refused() {
    let expected = terraform_like_cert();
    let impostor_key = terraform_like_cert().key;
    let p = start(Some(&expected));
    let hs = Handshake::parse(&p.line);
    // The same bytes as the pinned certificate, but the handshake is signed with a key that
    // does not belong to it.
    let impostor = ClientCert {
        pem: expected.pem.clone(),
        der: expected.der.clone(),
        key: impostor_key,
        chain: vec![expected.der.clone()],
    };
    assert!(refused(&hs, impostor).await, "a mismatched key was served");
    // The genuine pair still is (so the refusal is the key's doing).
    let genuine = ClientCert {
        key: expected.key.clone_key(),
        chain: expected.chain.clone(),
        pem: expected.pem.clone(),
        der: expected.der.clone(),
    };
    assert!(
        !refused(&hs, genuine).await,
        "the genuine client was refused"
    );
}

#[tokio::test]
async fn leaf_signed_by_the_pinned_certificate_is_refused() {
    let (expected, issuer) = terraform_like();
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let leaf = params.signed_by(&leaf_key, &issuer).unwrap();
    // The leaf chains to the pinned certificate: a verifier that trusts the pinned
    // certificate as a CA (as Go's crypto/tls does with ClientCAs) accepts it.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(expected.der.clone()).unwrap();
    let chain_verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .unwrap();
    chain_verifier
        .verify_client_cert(
            leaf.der(),
            std::slice::from_ref(&expected.der),
            UnixTime::now(),
        )
        .expect("the leaf is validly signed by the pinned certificate");
    // The plugin pins the exact certificate, so the leaf is refused.
    let p = start(Some(&expected));
    let hs = Handshake::parse(&p.line);
    let signed_leaf = ClientCert {
        pem: leaf.pem(),
        der: leaf.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        chain: vec![leaf.der().clone(), expected.der.clone()],
    };
    assert!(
        refused(&hs, signed_leaf).await,
        "a leaf signed by the pinned certificate was served"
    );
}

#[test]
fn unusable_client_cert_exits_1_with_a_clear_message() {
    use std::os::unix::ffi::OsStrExt as _;
    let not_der = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let cases: [(&std::ffi::OsStr, &str); 5] = [
        ("".as_ref(), "is blank"),
        (" \n\t".as_ref(), "is blank"),
        ("not a cert".as_ref(), "no PEM CERTIFICATE block"),
        (not_der.as_ref(), "not a DER-encoded X.509 certificate"),
        (std::ffi::OsStr::from_bytes(b"\xff\xfe"), "not UTF-8"),
    ];
    for (value, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = base_command(dir.path());
        plugin_env(&mut cmd, None);
        let mut child = cmd.env("PLUGIN_CLIENT_CERT", value).spawn().unwrap();
        let Some((status, _)) = wait_exit(&mut child, Duration::from_secs(10)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("PLUGIN_CLIENT_CERT={value:?}: the plugin started instead of exiting");
        };
        assert_eq!(status.code(), Some(1), "{value:?}");
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "", "no handshake line for {value:?}");
        let err = stderr_of(&mut child);
        assert!(
            err.contains("PLUGIN_CLIENT_CERT is set but") && err.contains(reason),
            "{value:?}: {err}"
        );
    }
}

#[tokio::test]
async fn tls_client_without_cert_is_refused() {
    let expected = terraform_like_cert();
    let p = start(Some(&expected));
    let hs = Handshake::parse(&p.line);
    let refused = match channel(&hs, tls_auth(&hs, None)).await {
        Err(_) => true,
        Ok(ch) => health(ch).await.is_err(),
    };
    assert!(refused, "a client without certificate was served");

    // A plaintext client gets nowhere either.
    let refused = match channel(&hs, ClientAuth::Plain).await {
        Err(_) => true,
        Ok(ch) => health(ch).await.is_err(),
    };
    assert!(refused, "a plaintext client was served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_exits_promptly_and_removes_socket() {
    let client = Arc::new(terraform_like_cert());
    let mut p = start(Some(&client));
    let hs = Handshake::parse(&p.line);
    let sock = PathBuf::from(hs.address());
    let ch = channel(&hs, tls_auth(&hs, Some(&client))).await.unwrap();

    // Like Terraform: open the stdio and broker streams first.
    let mut stdio = GrpcStdioClient::new(ch.clone())
        .stream_stdio(())
        .await
        .unwrap()
        .into_inner();
    let (_broker_tx, broker_rx) = tokio::sync::mpsc::channel::<ConnInfo>(1);
    let mut broker = GrpcBrokerClient::new(ch.clone())
        .start_stream(tokio_stream::wrappers::ReceiverStream::new(broker_rx))
        .await
        .unwrap()
        .into_inner();

    let started = Instant::now();
    GrpcControllerClient::new(ch.clone())
        .shutdown(Empty {})
        .await
        .unwrap();
    let (status, _) = tokio::task::block_in_place(|| {
        wait_exit(&mut p.child, Duration::from_secs(5)).expect("exits after Shutdown")
    });
    let elapsed = started.elapsed();
    eprintln!("Shutdown to exit: {elapsed:?}");
    assert!(status.success(), "{status:?}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert!(!sock.exists(), "socket removed");
    assert!(!sock.parent().unwrap().exists(), "socket dir removed");

    // The side streams ended (cleanly or by the connection closing).
    assert!(matches!(stdio.message().await, Ok(None) | Err(_)));
    assert!(matches!(broker.message().await, Ok(None) | Err(_)));
}

#[test]
fn sigint_is_ignored_sigterm_exits() {
    let mut p = start(None);
    signal(&p.child, "INT");
    assert!(
        wait_exit(&mut p.child, Duration::from_millis(300)).is_none(),
        "SIGINT must not stop the plugin"
    );
    signal(&p.child, "TERM");
    let (status, elapsed) = wait_exit(&mut p.child, Duration::from_secs(5)).expect("SIGTERM");
    assert!(status.success(), "{status:?}");
    eprintln!("SIGTERM to exit: {elapsed:?}");
}

#[tokio::test]
async fn plaintext_without_client_cert() {
    let p = start(None);
    let hs = Handshake::parse(&p.line);
    assert_eq!(
        hs.cert_der(),
        None,
        "no cert field without PLUGIN_CLIENT_CERT"
    );
    let ch = channel(&hs, ClientAuth::Plain).await.unwrap();
    assert_eq!(health(ch).await.unwrap(), ServingStatus::Serving as i32);
}

#[tokio::test]
async fn tcp_transport_option() {
    let client = Arc::new(terraform_like_cert());
    let p = start_with(|cmd| {
        plugin_env(cmd, Some(&client));
        cmd.env("PLUGIN_TRANSPORT", "tcp");
    });
    let hs = Handshake::parse(&p.line);
    assert_eq!(hs.network(), "tcp");
    assert!(hs.address().starts_with("127.0.0.1:"), "{}", hs.address());
    let ch = channel(&hs, tls_auth(&hs, Some(&client))).await.unwrap();
    assert_eq!(health(ch).await.unwrap(), ServingStatus::Serving as i32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_mode_prints_reattach_config() {
    let mut p = start_with(|cmd| {
        cmd.arg("--debug");
    });
    let json = p
        .line
        .strip_prefix("TF_REATTACH_PROVIDERS='")
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or_else(|| panic!("unexpected debug line {:?}", p.line));
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let cfg = &v["registry.terraform.io/ivschat/ivschat"];
    assert_eq!(cfg["Protocol"], "grpc");
    assert_eq!(cfg["ProtocolVersion"], 6);
    assert_eq!(cfg["Test"], true);
    assert_eq!(cfg["Pid"], p.child.id());
    assert_eq!(cfg["Addr"]["Network"], "unix");
    let sock = cfg["Addr"]["String"].as_str().unwrap().to_owned();

    let hs = Handshake::parse(&format!("1|6|unix|{sock}|grpc|"));
    let ch = channel(&hs, ClientAuth::Plain).await.unwrap();
    assert_eq!(
        health(ch.clone()).await.unwrap(),
        ServingStatus::Serving as i32
    );
    // Shutdown does not end a debug session...
    GrpcControllerClient::new(ch.clone())
        .shutdown(Empty {})
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(health(ch).await.unwrap(), ServingStatus::Serving as i32);
    // ...Ctrl-C does.
    signal(&p.child, "INT");
    let (status, _) = tokio::task::block_in_place(|| {
        wait_exit(&mut p.child, Duration::from_secs(5)).expect("debug mode stops on SIGINT")
    });
    assert!(status.success());
    assert!(!Path::new(&sock).exists());
    let err = stderr_of(&mut p.child);
    assert!(err.contains("TF_REATTACH_PROVIDERS"), "{err}");
}
