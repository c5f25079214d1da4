//! Managed resource types, one file each, registered in [`crate::registration`]. Each file also
//! holds the type's list resource (`list "ivschat_room"` for `terraform query`): it yields the
//! resource's own objects and identity, so it lives with the resource rather than in a folder
//! that would import the resource's internals.

pub mod logging_configuration;
pub mod room;
pub mod tagging;
pub mod timeouts;

use crate::aws::{Version, Written};
use crate::domain::arn::{Arn, ArnKind};
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

/// What `terraform query` prints for an object of `kind`: its name and the id its ARN names,
/// or the ARN alone when it has no name (or the ARN cannot be read).
pub(crate) fn display_name(name: Option<&str>, arn: &str, kind: ArnKind) -> String {
    match (name.filter(|n| !n.is_empty()), Arn::parse_kind(arn, kind)) {
        (Some(name), Ok(parsed)) => format!("{name} ({})", parsed.id),
        _ => arn.to_owned(),
    }
}

#[cfg(test)]
mod display_name_tests {
    use super::*;

    #[test]
    fn display_names_show_name_and_id() {
        let arn = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234";
        let room = ArnKind::Room;
        assert_eq!(
            display_name(Some("lobby"), arn, room),
            "lobby (abcdEFGH1234)"
        );
        assert_eq!(display_name(Some(""), arn, room), arn);
        assert_eq!(display_name(None, arn, room), arn);
    }
}
