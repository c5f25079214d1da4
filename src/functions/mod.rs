//! Provider-defined functions (Terraform ≥ 1.8), one file each, registered in
//! [`crate::registration`]. Called as `provider::ivschat::<name>(…)`.

pub mod parse_arn;
pub mod room_arn;
