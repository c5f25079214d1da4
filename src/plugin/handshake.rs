//! The go-plugin handshake: checks made before listening, and the single line
//! printed on stdout once the server is ready.
//!
//! Terraform launches the provider with two environment variables:
//! - `TF_PLUGIN_MAGIC_COOKIE` proves the process was started by a plugin host
//!   (it is not a secret, only a guard against running the binary by hand);
//! - `PLUGIN_PROTOCOL_VERSIONS` lists the protocol major versions the client
//!   speaks (for example `5,6`); we only speak 6.
//!
//! When ready, the provider prints exactly one line, for example
//! `1|6|unix|/tmp/plugin123/plugin.sock|grpc|MIIB...` and nothing else ever.

use std::fmt;

/// Environment variable holding the magic cookie.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Value Terraform puts in [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Environment variable listing the client's protocol versions.
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";
/// go-plugin's own wire version, first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// Why the process refuses to start serving.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    /// Started by hand rather than by Terraform.
    #[error(
        "This program is a Terraform provider plugin. It is meant to be started by \
         Terraform (or OpenTofu), which loads it automatically; it cannot be run on its own.\n\
         To run it outside Terraform for debugging, start it with --debug and follow the \
         instructions it prints."
    )]
    MissingCookie,
    /// The client did not say which protocol versions it speaks.
    #[error(
        "{PROTOCOL_VERSIONS_KEY} is not set: the plugin host did not say which plugin protocol \
         versions it speaks. This provider speaks protocol 6 only (Terraform 1.0 or later)."
    )]
    NoVersions,
    /// The client speaks only versions we do not.
    #[error(
        "incompatible plugin protocol: the plugin host offers version(s) {offered:?} \
         ({PROTOCOL_VERSIONS_KEY}={raw:?}) but this provider speaks protocol 6 only; \
         use Terraform 1.0 or later"
    )]
    Incompatible {
        /// The raw environment value.
        raw: String,
        /// The versions that parsed as numbers.
        offered: Vec<u32>,
    },
}

/// Checks the magic cookie given the value of [`MAGIC_COOKIE_KEY`].
pub fn check_cookie(value: Option<&str>) -> Result<(), HandshakeError> {
    match value {
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        _ => Err(HandshakeError::MissingCookie),
    }
}

/// Chooses the protocol version given the value of [`PROTOCOL_VERSIONS_KEY`].
///
/// Entries that are not numbers are ignored (as go-plugin does); protocol 6
/// must be among the rest.
pub fn negotiate_version(value: Option<&str>) -> Result<u32, HandshakeError> {
    let raw = match value.map(str::trim) {
        None | Some("") => return Err(HandshakeError::NoVersions),
        Some(raw) => raw,
    };
    let offered: Vec<u32> = raw
        .split(',')
        .filter_map(|s| s.trim().parse::<u32>().ok())
        .collect();
    if offered.contains(&PROTOCOL_VERSION) {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::Incompatible {
            raw: raw.to_owned(),
            offered,
        })
    }
}

/// Runs both start-up checks against the process environment.
pub fn check_environment() -> Result<u32, HandshakeError> {
    check_cookie(std::env::var(MAGIC_COOKIE_KEY).ok().as_deref())?;
    negotiate_version(std::env::var(PROTOCOL_VERSIONS_KEY).ok().as_deref())
}

/// Network kind of the listening address, as go-plugin names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Unix domain socket; the address is a file path.
    Unix,
    /// TCP; the address is `127.0.0.1:PORT`.
    Tcp,
}

impl Network {
    /// The name used in the handshake line and in reattach configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Unix => "unix",
            Network::Tcp => "tcp",
        }
    }
}

/// The handshake line, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeLine {
    /// Negotiated protocol version (6).
    pub protocol_version: u32,
    /// Kind of address.
    pub network: Network,
    /// Socket path or `host:port`.
    pub address: String,
    /// Server certificate DER, base64 standard alphabet without padding;
    /// empty when AutoMTLS is off.
    pub server_cert: String,
}

impl fmt::Display for HandshakeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}|{}|{}|{}|grpc|{}",
            CORE_PROTOCOL_VERSION,
            self.protocol_version,
            self.network.as_str(),
            self.address,
            self.server_cert
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert_eq!(check_cookie(Some(MAGIC_COOKIE_VALUE)), Ok(()));
        assert_eq!(check_cookie(None), Err(HandshakeError::MissingCookie));
        assert_eq!(check_cookie(Some("")), Err(HandshakeError::MissingCookie));
        assert_eq!(
            check_cookie(Some(&format!("{MAGIC_COOKIE_VALUE} "))),
            Err(HandshakeError::MissingCookie)
        );
    }

    #[test]
    fn version_six_is_chosen_in_any_order() {
        for raw in ["6", "5,6", "6,5", " 4, 5 ,6 ", "x,6"] {
            assert_eq!(negotiate_version(Some(raw)), Ok(6), "{raw}");
        }
    }

    #[test]
    fn version_errors_are_distinct() {
        assert_eq!(negotiate_version(None), Err(HandshakeError::NoVersions));
        assert_eq!(
            negotiate_version(Some(" ")),
            Err(HandshakeError::NoVersions)
        );
        let err = negotiate_version(Some("4,5")).unwrap_err();
        assert_eq!(
            err,
            HandshakeError::Incompatible {
                raw: "4,5".into(),
                offered: vec![4, 5]
            }
        );
        assert!(err.to_string().contains("protocol 6"));
    }

    #[test]
    fn line_has_six_fields() {
        let line = HandshakeLine {
            protocol_version: 6,
            network: Network::Unix,
            address: "/tmp/x/plugin.sock".into(),
            server_cert: "MIIB".into(),
        };
        assert_eq!(line.to_string(), "1|6|unix|/tmp/x/plugin.sock|grpc|MIIB");
    }
}
