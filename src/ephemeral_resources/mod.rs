//! Ephemeral resource types (Terraform ≥ 1.10), one file each, registered in
//! [`crate::registration`].

pub mod chat_token;
