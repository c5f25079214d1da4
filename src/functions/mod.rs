//! Provider-defined functions (Terraform ≥ 1.8), one file each, registered in [`all`]. Called
//! as `provider::ivschat::<name>(…)`.

pub mod parse_arn;
pub mod room_arn;

use crate::server::Function;

/// Every function this provider offers.
pub fn all() -> Vec<Box<dyn Function>> {
    vec![Box::new(parse_arn::ParseArn), Box::new(room_arn::RoomArn)]
}
