//! Managed resource types, one file each, registered in [`crate::registration`]. Each file also
//! holds the type's list resource (`list "ivschat_room"` for `terraform query`): it yields the
//! resource's own objects and identity, so it lives with the resource rather than in a folder
//! that would import the resource's internals.

pub mod logging_configuration;
pub mod room;
pub mod tagging;
pub mod timeouts;

use crate::aws::{Version, Written};
use crate::server::PrivateData;

/// The provider's last write to an object, kept in its private state so that a later
/// Terraform run's reads wait for it too (see [`crate::aws::Written`]).
impl PrivateData for Written {
    const KEY: &'static str = "last_write";
}

/// The object's version at its last create, update or read, kept in its private state so that
/// a listing summary showing it answers the next read (see [`crate::aws::Version`]).
impl PrivateData for Version {
    const KEY: &'static str = "version";
}

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod consistency_tests;
#[cfg(test)]
mod generate_config_tests;
#[cfg(test)]
mod listing_tests;

/// What `terraform query` prints for an object: its name and the id that ends its ARN, or the
/// ARN alone when it has no name.
pub(crate) fn display_name(name: Option<&str>, arn: &str) -> String {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} ({id})"),
        None => arn.to_owned(),
    }
}

#[cfg(test)]
mod display_name_tests {
    use super::*;

    #[test]
    fn display_names_show_name_and_id() {
        let arn = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234";
        assert_eq!(display_name(Some("lobby"), arn), "lobby (abcdEFGH1234)");
        assert_eq!(display_name(Some(""), arn), arn);
        assert_eq!(display_name(None, arn), arn);
    }
}
