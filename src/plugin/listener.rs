//! Where the gRPC server listens.
//!
//! Default on unix: a unix socket, as go-plugin does. The socket lives in a
//! fresh private directory (mode 0700, socket 0600) created under
//! `PLUGIN_UNIX_SOCKET_DIR` when set, else under the temp dir (`TMPDIR`);
//! both are removed when the server stops.
//!
//! Default on Windows (go-plugin's only transport there), and an option
//! elsewhere: TCP on 127.0.0.1, chosen with `PLUGIN_TRANSPORT=tcp` (or
//! [`ServeOptions::transport`](super::ServeOptions)). The port is any free
//! one, or the first free one in `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when both
//! are set (go-plugin's variables).

use std::io;
use std::path::PathBuf;

use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;

use super::handshake::Network;

/// Environment variable choosing the transport (`unix` or `tcp`).
pub const TRANSPORT_ENV: &str = "PLUGIN_TRANSPORT";
/// Environment variable naming the directory for unix sockets.
#[cfg(unix)]
pub const SOCKET_DIR_ENV: &str = "PLUGIN_UNIX_SOCKET_DIR";

/// Which kind of socket to listen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Unix domain socket (the default on unix; not available elsewhere).
    Unix,
    /// TCP on the loopback interface (the default elsewhere, as in go-plugin).
    Tcp,
}

impl Default for Transport {
    fn default() -> Self {
        if cfg!(unix) {
            Transport::Unix
        } else {
            Transport::Tcp
        }
    }
}

/// Listener errors.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// `PLUGIN_TRANSPORT` holds something else than `unix` or `tcp`.
    #[error("{TRANSPORT_ENV}={0:?} is not understood; use \"unix\" or \"tcp\"")]
    BadTransport(String),
    /// Unix sockets asked for on a platform without them.
    #[error(
        "unix sockets are not available on this platform; unset {TRANSPORT_ENV} or set it to \"tcp\""
    )]
    UnixUnsupported,
    /// Port range variables are not numbers or are reversed.
    #[error("PLUGIN_MIN_PORT/PLUGIN_MAX_PORT do not form a valid port range: {0}")]
    BadPortRange(String),
    /// Could not create the private socket directory.
    #[error("cannot create a socket directory under {dir}: {source}")]
    SocketDir {
        /// Parent directory.
        dir: PathBuf,
        /// Cause.
        source: io::Error,
    },
    /// Could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// What we tried to bind.
        addr: String,
        /// Cause.
        source: io::Error,
    },
}

impl Transport {
    /// Reads `PLUGIN_TRANSPORT`; unset or empty means the platform's default.
    pub fn from_env() -> Result<Self, ListenError> {
        match std::env::var(TRANSPORT_ENV) {
            Err(_) => Ok(Transport::default()),
            Ok(v) => v.parse(),
        }
    }
}

impl std::str::FromStr for Transport {
    type Err = ListenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(Transport::default()),
            "unix" => Ok(Transport::Unix),
            "tcp" => Ok(Transport::Tcp),
            _ => Err(ListenError::BadTransport(s.to_owned())),
        }
    }
}

/// A bound listener plus what is needed to advertise and clean it up.
pub(crate) struct Bound {
    pub(crate) listener: AnyListener,
    pub(crate) network: Network,
    pub(crate) address: String,
    /// Removes the socket and its directory when dropped.
    pub(crate) cleanup: Option<SocketCleanup>,
}

/// Either kind of listener.
pub(crate) enum AnyListener {
    #[cfg(unix)]
    Unix(UnixListener),
    Tcp(TcpListener),
}

/// Deletes the unix socket file and its private directory on drop.
#[derive(Debug)]
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) struct SocketCleanup {
    socket: PathBuf,
    dir: PathBuf,
}

impl SocketCleanup {
    /// The socket file, then its directory.
    pub(crate) fn paths(&self) -> [PathBuf; 2] {
        [self.socket.clone(), self.dir.clone()]
    }

    /// Removes both now; safe to call more than once.
    pub(crate) fn remove(&self) {
        // Errors are expected when already removed; nothing else to do.
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

impl Drop for SocketCleanup {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Binds the listener for `transport`. Must run inside a tokio runtime.
pub(crate) fn bind(transport: Transport) -> Result<Bound, ListenError> {
    match transport {
        #[cfg(unix)]
        Transport::Unix => unix::bind(),
        #[cfg(not(unix))]
        Transport::Unix => Err(ListenError::UnixUnsupported),
        Transport::Tcp => bind_tcp(),
    }
}

/// Unix sockets in a private directory: unix only.
#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    use std::path::{Path, PathBuf};
    use std::time::{SystemTime, UNIX_EPOCH};

    use tokio::net::UnixListener;

    use super::{AnyListener, Bound, ListenError, Network, SOCKET_DIR_ENV, SocketCleanup};

    fn socket_parent() -> PathBuf {
        match std::env::var_os(SOCKET_DIR_ENV) {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => std::env::temp_dir(),
        }
    }

    /// Creates `parent/pluginPID-N` with mode 0700; retries on name clashes.
    pub(super) fn private_dir(parent: &Path) -> Result<PathBuf, ListenError> {
        let pid = std::process::id();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut last = None;
        for attempt in 0u32..64 {
            let name = format!("plugin{pid}-{:x}", nanos.wrapping_add(attempt));
            let dir = parent.join(name);
            // mkdir is atomic and never follows an existing entry: if it
            // succeeds, the directory is new and ours.
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(dir),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(source) => {
                    return Err(ListenError::SocketDir {
                        dir: parent.to_path_buf(),
                        source,
                    });
                }
            }
        }
        Err(ListenError::SocketDir {
            dir: parent.to_path_buf(),
            source: last.unwrap_or_else(|| io::Error::other("no free name")),
        })
    }

    pub(super) fn bind() -> Result<Bound, ListenError> {
        let parent = socket_parent();
        let dir = private_dir(&parent)?;
        let socket = dir.join("plugin.sock");
        // From here on, the guard removes whatever exists.
        let cleanup = SocketCleanup {
            socket: socket.clone(),
            dir,
        };
        let address = socket.to_string_lossy().into_owned();
        let listener = UnixListener::bind(&socket).map_err(|source| ListenError::Bind {
            addr: address.clone(),
            source,
        })?;
        // The directory already keeps others out; tighten the socket as well.
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).map_err(
            |source| ListenError::Bind {
                addr: address.clone(),
                source,
            },
        )?;
        Ok(Bound {
            listener: AnyListener::Unix(listener),
            network: Network::Unix,
            address,
            cleanup: Some(cleanup),
        })
    }
}

fn port_range() -> Result<Option<(u16, u16)>, ListenError> {
    let min = std::env::var("PLUGIN_MIN_PORT").unwrap_or_default();
    let max = std::env::var("PLUGIN_MAX_PORT").unwrap_or_default();
    if min.is_empty() && max.is_empty() {
        return Ok(None);
    }
    let parse = |s: &str| {
        s.trim()
            .parse::<u16>()
            .map_err(|e| ListenError::BadPortRange(format!("{s:?}: {e}")))
    };
    let (lo, hi) = (parse(&min)?, parse(&max)?);
    if lo > hi {
        return Err(ListenError::BadPortRange(format!("{lo} > {hi}")));
    }
    Ok(Some((lo, hi)))
}

fn bind_tcp() -> Result<Bound, ListenError> {
    let ports: Vec<u16> = match port_range()? {
        None => vec![0],
        Some((lo, hi)) => (lo..=hi).collect(),
    };
    let mut last_err = None;
    for port in ports {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let std_listener = match std::net::TcpListener::bind(addr) {
            Ok(l) => l,
            Err(e) => {
                last_err = Some((addr.to_string(), e));
                continue;
            }
        };
        let bound = std_listener
            .set_nonblocking(true)
            .and_then(|()| TcpListener::from_std(std_listener))
            .and_then(|l| Ok((l.local_addr()?, l)));
        match bound {
            Ok((local, listener)) => {
                return Ok(Bound {
                    listener: AnyListener::Tcp(listener),
                    network: Network::Tcp,
                    address: local.to_string(),
                    cleanup: None,
                });
            }
            Err(e) => last_err = Some((addr.to_string(), e)),
        }
    }
    let (addr, source) =
        last_err.unwrap_or_else(|| ("127.0.0.1".into(), io::Error::other("empty port range")));
    Err(ListenError::Bind { addr, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_names() {
        assert_eq!("".parse::<Transport>().ok(), Some(Transport::default()));
        assert_eq!("UNIX".parse::<Transport>().ok(), Some(Transport::Unix));
        assert_eq!("tcp".parse::<Transport>().ok(), Some(Transport::Tcp));
        assert!("udp".parse::<Transport>().is_err());
        // go-plugin's defaults: unix sockets where they exist, TCP elsewhere (Windows).
        let expected = if cfg!(unix) {
            Transport::Unix
        } else {
            Transport::Tcp
        };
        assert_eq!(Transport::default(), expected);
    }

    #[cfg(not(unix))]
    #[tokio::test]
    async fn unix_sockets_are_refused_without_unix() {
        assert!(matches!(
            bind(Transport::Unix),
            Err(ListenError::UnixUnsupported)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn private_dirs_are_owner_only_and_distinct() {
        use std::os::unix::fs::PermissionsExt as _;
        let parent = tempfile::tempdir().unwrap();
        let a = unix::private_dir(parent.path()).unwrap();
        let b = unix::private_dir(parent.path()).unwrap();
        assert_ne!(a, b);
        let mode = std::fs::metadata(&a).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
}
