//! Connections handed to tonic: unix or TCP, plain or TLS, behind one type.
//!
//! An accept task takes connections off the listener, runs each TLS
//! handshake in its own task (bounded by a timeout, so a stuck or hostile
//! client cannot hold up others) and forwards only successful connections to
//! the gRPC server. Refused clients are logged at WARN and dropped.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

use super::listener::AnyListener;
use super::shutdown::Shutdown;

/// Longest time a client gets to finish its TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A socket of either kind.
pub(crate) enum RawConn {
    #[cfg(unix)]
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// What the gRPC server reads from and writes to.
pub(crate) enum PluginConn {
    Plain(RawConn),
    Tls(Box<TlsStream<RawConn>>),
}

macro_rules! delegate_io {
    ($ty:ty, $self:ident => $($(#[$m:meta])* $pat:pat => $inner:expr),+ $(,)?) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let $self = self.get_mut();
                match $self { $($(#[$m])* $pat => Pin::new($inner).poll_read(cx, buf)),+ }
            }
        }

        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let $self = self.get_mut();
                match $self { $($(#[$m])* $pat => Pin::new($inner).poll_write(cx, buf)),+ }
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let $self = self.get_mut();
                match $self { $($(#[$m])* $pat => Pin::new($inner).poll_flush(cx)),+ }
            }

            fn poll_shutdown(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<io::Result<()>> {
                let $self = self.get_mut();
                match $self { $($(#[$m])* $pat => Pin::new($inner).poll_shutdown(cx)),+ }
            }
        }
    };
}

delegate_io!(RawConn, this => #[cfg(unix)] RawConn::Unix(s) => s, RawConn::Tcp(s) => s);
delegate_io!(PluginConn, this => PluginConn::Plain(s) => s, PluginConn::Tls(s) => s.as_mut());

impl Connected for PluginConn {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AnyListener {
    async fn accept(&self) -> io::Result<RawConn> {
        match self {
            #[cfg(unix)]
            AnyListener::Unix(l) => l.accept().await.map(|(s, _)| RawConn::Unix(s)),
            AnyListener::Tcp(l) => {
                let (s, _) = l.accept().await?;
                // gRPC frames are small and latency matters more than batching.
                s.set_nodelay(true)?;
                Ok(RawConn::Tcp(s))
            }
        }
    }
}

/// Spawns the accept loop; returns the stream of ready connections.
///
/// The loop stops (and drops the listener) when `shutdown` fires.
pub(crate) fn incoming(
    listener: AnyListener,
    tls: Option<TlsAcceptor>,
    shutdown: Shutdown,
) -> ReceiverStream<io::Result<PluginConn>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let raw = tokio::select! {
                () = shutdown.wait() => break,
                accepted = listener.accept() => accepted,
            };
            let raw = match raw {
                Ok(raw) => raw,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    // Typically out of file descriptors: back off briefly.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            match &tls {
                None => {
                    if tx.send(Ok(PluginConn::Plain(raw))).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(raw))
                            .await
                        {
                            Ok(Ok(stream)) => {
                                tracing::trace!("TLS client accepted");
                                // A closed channel means the server is gone.
                                let _ = tx.send(Ok(PluginConn::Tls(Box::new(stream)))).await;
                            }
                            Ok(Err(error)) => {
                                tracing::warn!(%error, "TLS handshake refused or failed");
                            }
                            Err(_) => tracing::warn!("TLS handshake timed out"),
                        }
                    });
                }
            }
        }
        tracing::trace!("accept loop stopped");
    });
    ReceiverStream::new(rx)
}
