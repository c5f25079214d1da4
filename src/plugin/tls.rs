//! AutoMTLS, go-plugin's automatic mutual TLS.
//!
//! Terraform generates a throw-away client certificate (ECDSA P-521,
//! self-signed, CA:TRUE) for every provider process and passes its PEM in
//! `PLUGIN_CLIENT_CERT`. In return the provider:
//! - generates its own throw-away certificate for the DNS name `localhost`
//!   (fresh key per process) and advertises its DER in the handshake line,
//!   base64 standard alphabet without padding; Terraform pins it as the only
//!   trusted root;
//! - serves TLS 1.2/1.3 with ALPN `h2` (grpc-go insists on it);
//! - requires a client certificate and accepts exactly the DER bytes given in
//!   `PLUGIN_CLIENT_CERT`, nothing else. Chain validation is pointless for a
//!   pinned self-signed certificate (and webpki would reject a CA certificate
//!   used as end entity), so the verifier compares bytes and then checks the
//!   handshake signatures with the aws-lc-rs algorithms, which include P-521.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use tokio_rustls::TlsAcceptor;

/// Environment variable carrying Terraform's client certificate (PEM).
pub const CLIENT_CERT_ENV: &str = "PLUGIN_CLIENT_CERT";

/// AutoMTLS set-up errors.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` is set but holds no usable certificate.
    #[error(
        "{CLIENT_CERT_ENV} is set but {0}. Terraform sets it to its client certificate (PEM) for \
         mutual TLS; unset it to serve without TLS, or start the provider with --debug"
    )]
    BadClientCert(String),
    /// Generating our certificate failed.
    #[error("cannot generate the server certificate: {0}")]
    CertGen(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("cannot configure TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// Everything the server needs to speak AutoMTLS.
pub(crate) struct AutoTls {
    /// Accepts TLS connections with the pinned-client-cert policy.
    pub(crate) acceptor: TlsAcceptor,
    /// Our certificate DER, base64 standard alphabet without padding.
    pub(crate) cert_base64: String,
}

/// Reads `PLUGIN_CLIENT_CERT`; `None` (plaintext) only when it is unset. A value that is set
/// but unusable (blank, not UTF-8, not PEM, not a DER certificate) is a start-up error: no
/// client could ever be accepted, and falling back to plaintext would drop the protection
/// Terraform asked for.
pub(crate) fn from_env() -> Result<Option<AutoTls>, TlsError> {
    let Some(value) = std::env::var_os(CLIENT_CERT_ENV) else {
        return Ok(None);
    };
    let pem = value
        .into_string()
        .map_err(|_| TlsError::BadClientCert("it is not UTF-8 text".into()))?;
    setup(pem.as_bytes()).map(Some)
}

/// The certificates in `client_pem`, each checked to be a DER X.509 certificate.
fn client_certificates(client_pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    if client_pem.trim_ascii().is_empty() {
        return Err(TlsError::BadClientCert("it is blank".into()));
    }
    let certs = CertificateDer::pem_slice_iter(client_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadClientCert(format!("it is not valid PEM ({e})")))?;
    if certs.is_empty() {
        return Err(TlsError::BadClientCert(
            "it holds no PEM CERTIFICATE block".into(),
        ));
    }
    for (n, cert) in certs.iter().enumerate() {
        // Parsing as a trust anchor checks the X.509 structure without judging the
        // certificate's purpose (Terraform's is a self-signed CA).
        rustls::RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| {
                TlsError::BadClientCert(format!(
                    "its certificate #{} is not a DER-encoded X.509 certificate ({e})",
                    n + 1
                ))
            })?;
    }
    Ok(certs)
}

/// Builds the TLS server for the client certificate(s) in `client_pem`.
pub(crate) fn setup(client_pem: &[u8]) -> Result<AutoTls, TlsError> {
    let allowed = client_certificates(client_pem)?;

    let provider = provider();
    let verifier = Arc::new(PinnedClientCert {
        allowed,
        algorithms: provider.signature_verification_algorithms,
    });
    let (cert, key) = server_certificate()?;
    let cert_base64 = STANDARD_NO_PAD.encode(cert.as_ref());

    let mut config = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert], key)?;
    config.alpn_protocols = vec![b"h2".to_vec()];

    Ok(AutoTls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        cert_base64,
    })
}

/// A fresh self-signed ECDSA P-256 certificate for `localhost`.
///
/// Not a CA: Go trusts a pinned root that is the leaf itself regardless, and
/// a non-CA leaf is also what webpki-based clients (our tests) expect.
fn server_certificate() -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), TlsError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        "terraform-provider-ivschat",
    );
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.self_signed(&key)?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key_der))
}

/// Accepts only client certificates whose DER equals one of `allowed`.
#[derive(Debug)]
struct PinnedClientCert {
    allowed: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: Go then offers its one configured certificate.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self
            .allowed
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The crypto provider used everywhere in the plugin host.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_pem() {
        assert!(matches!(
            setup(b"not a cert"),
            Err(TlsError::BadClientCert(_))
        ));
    }

    #[test]
    fn rejects_blank_and_non_der_certificates() {
        let reason = |pem: &[u8]| match setup(pem) {
            Err(TlsError::BadClientCert(why)) => why,
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("accepted {:?}", String::from_utf8_lossy(pem)),
        };
        assert_eq!(reason(b" \n\t"), "it is blank");
        let not_der = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(reason(not_der).contains("certificate #1 is not a DER-encoded X.509"));
    }

    #[test]
    fn cert_is_unpadded_standard_base64() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let client = rcgen::CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let tls = setup(client.pem().as_bytes()).unwrap();
        assert!(!tls.cert_base64.contains('='));
        assert!(!tls.cert_base64.contains('-') && !tls.cert_base64.contains('_'));
        assert!(STANDARD_NO_PAD.decode(&tls.cert_base64).is_ok());
    }

    #[test]
    fn pin_is_exact() {
        let mk = || {
            let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
            rcgen::CertificateParams::new(vec!["localhost".into()])
                .unwrap()
                .self_signed(&key)
                .unwrap()
        };
        let (good, bad) = (mk(), mk());
        let v = PinnedClientCert {
            allowed: vec![good.der().clone()],
            algorithms: provider().signature_verification_algorithms,
        };
        let now = UnixTime::now();
        assert!(v.verify_client_cert(good.der(), &[], now).is_ok());
        assert!(v.verify_client_cert(bad.der(), &[], now).is_err());
        assert!(
            v.supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }
}
