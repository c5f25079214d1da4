//! The IVS Chat concepts, each defined once, between the client ([`crate::aws`]) and the
//! type folders that use them:
//!
//! - [`arn`]: ARNs of rooms and logging configurations, one parser and one rule.
//! - [`iam`]: what a type needs of IAM, mode by mode (each type declares its own).
//! - [`declaration`]: what each type declares for the registry (operations, IAM, ARN kinds).
//! - [`names`]: the name and Lambda ARN rules.
//! - [`models`]: the review handler and destination shapes every type shares.
//! - [`room`], [`logging_configuration`]: each object type's API operations, quota lane and
//!   List page.
//! - [`regional`]: the region an ARN's object is reached in; [`listing`]: every room or logging
//!   configuration of a region.

pub mod arn;
pub mod declaration;
pub mod iam;
pub mod listing;
pub mod logging_configuration;
pub mod models;
pub mod names;
pub mod regional;
pub mod room;
