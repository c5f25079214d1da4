//! The provider block as plain Rust, and the pure resolution functions that turn it, the
//! environment and the shared AWS files into the settings a client needs.
//!
//! - [`block`]: the provider block read into Rust ([`ProviderConfig`]).
//! - [`shared_files`]: the shared AWS config and credentials files.
//! - [`precedence`]: which of block, environment and shared files wins, setting by setting.
//! - [`formats`]: the shapes of regions and endpoint URLs.
//!
//! Everything here is synchronous and takes its environment as an argument ([`Env`]), so the
//! precedence rules are unit-tested with fake files and variables, never the process's own.
//! Nothing here touches the network.

mod block;
mod formats;
mod precedence;
mod provenance;
mod shared_files;

use std::collections::BTreeMap;

pub use block::{AssumeRole, ProviderConfig, WebIdentity};
pub use formats::{endpoint_problem, is_region_format};
pub use precedence::*;
pub use provenance::origins;
#[cfg(test)]
pub(crate) use shared_files::FileKind;
pub use shared_files::{SharedFiles, load_shared_files, shared_file_paths};

/// A configuration value as Terraform sent it: absent, not known until apply, or known.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Setting<T> {
    #[default]
    Unset,
    Unknown,
    Set(T),
}

impl<T> Setting<T> {
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Setting::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown)
    }

    pub fn is_set(&self) -> bool {
        matches!(self, Setting::Set(_))
    }
}

/// Environment variables, passed explicitly so resolution can be tested without touching the
/// process environment.
#[derive(Clone, Debug, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    /// The process environment (read once, at configure time).
    pub fn process() -> Env {
        Env(std::env::vars().collect())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env(pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect())
    }

    /// A variable's value; empty values count as unset, as in the AWS SDKs.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

#[cfg(test)]
mod tests;
