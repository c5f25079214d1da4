//! Loopback stand-ins for the network around the provider, for unit tests: a forward proxy that
//! records what passes through it, a fake STS, and a TLS terminator with a self-signed
//! certificate.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The request head (up to the blank line) and whatever body bytes came with it.
async fn read_head(stream: &mut (impl AsyncRead + Unpin)) -> Option<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = bytes.split_off(end + 4);
            return Some((String::from_utf8_lossy(&bytes).into_owned(), rest));
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
}

/// A forward proxy: `CONNECT host:port` tunnels, absolute-form requests (`POST http://...`) are
/// relayed to their host. Every request head it receives is recorded.
pub struct RecordingProxy {
    pub addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl RecordingProxy {
    pub async fn start() -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let recorded = heads.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, recorded.clone()));
            }
        });
        RecordingProxy { addr, heads }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The first line of every request head seen, in order.
    pub fn request_lines(&self) -> Vec<String> {
        self.heads()
            .iter()
            .map(|h| h.lines().next().unwrap_or("").to_owned())
            .collect()
    }

    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

async fn relay(mut client: TcpStream, heads: Arc<Mutex<Vec<String>>>) {
    let Some((head, body)) = read_head(&mut client).await else {
        return;
    };
    heads.lock().unwrap().push(head.clone());
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let host = if method == "CONNECT" {
        target.to_owned()
    } else {
        let without_scheme = target.split("://").nth(1).unwrap_or("");
        without_scheme.split('/').next().unwrap_or("").to_owned()
    };
    let Ok(mut server) = TcpStream::connect(&host).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    if method == "CONNECT" {
        let _ = client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await;
    } else {
        let _ = server.write_all(head.as_bytes()).await;
    }
    let _ = server.write_all(&body).await;
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

/// An STS that answers AssumeRole and AssumeRoleWithWebIdentity with fixed credentials
/// (access keys `AKIDFROMASSUMEROLE` and `AKIDFROMWEBIDENTITY`) and records each request body.
pub struct FakeSts {
    pub addr: SocketAddr,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl FakeSts {
    pub async fn start() -> FakeSts {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let recorded = bodies.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer_sts(stream, recorded.clone()));
            }
        });
        FakeSts { addr, bodies }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The form-encoded request bodies received, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

async fn answer_sts(mut stream: TcpStream, bodies: Arc<Mutex<Vec<String>>>) {
    let Some((head, mut body)) = read_head(&mut stream).await else {
        return;
    };
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut buf = [0u8; 4096];
    while body.len() < length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    let action = if body.contains("Action=AssumeRoleWithWebIdentity") {
        "AssumeRoleWithWebIdentity"
    } else {
        "AssumeRole"
    };
    bodies.lock().unwrap().push(body);
    let key = if action == "AssumeRole" {
        "AKIDFROMASSUMEROLE"
    } else {
        "AKIDFROMWEBIDENTITY"
    };
    let xml = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>\
         <Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
         <SessionToken>session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
         </Credentials></{action}Result><ResponseMetadata><RequestId>1</RequestId>\
         </ResponseMetadata></{action}Response>"
    );
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{xml}",
        xml.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
}

/// A TLS terminator with a self-signed certificate for `localhost` in front of `upstream`;
/// writes the certificate's PEM to `pem_out` and returns the port.
pub async fn tls_front(upstream: SocketAddr, pem_out: &std::path::Path) -> u16 {
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
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
            });
        }
    });
    port
}
