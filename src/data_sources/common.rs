//! What the data sources share: result shapes, ARN look-ups and API-to-model conversions.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use aws_sdk_ivschat::types::{DestinationConfiguration, MessageReviewHandler};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

use crate::aws::{ApiError, IvsChat};
use crate::diagnostics::Diagnostic;
use crate::domain::arn::{Arn, ArnKind};
use crate::domain::models::{DestinationModel, HandlerModel};
use crate::domain::regional;
use crate::provider::{ProviderData, tags};
use crate::schema::Attribute;
use crate::server::Context;
use crate::value::{Path, Type};

/// An API timestamp as an RFC 3339 string (`2026-11-25T15:43:30Z`).
pub fn timestamp(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(Format::DateTime).ok())
}

/// The tags to show: without the provider's hidden create marker and without the keys the
/// provider's `ignore_tags` names (as for resources).
pub fn clean_tags(
    data: &ProviderData,
    tags: Option<&HashMap<String, String>>,
) -> BTreeMap<String, String> {
    tags::visible_tags(data, tags.into_iter().flatten())
}

/// The review handler as a list of at most one element (empty when none is attached), the shape
/// of the `ivschat_room` resource's `message_review_handler` block.
pub fn handler(h: Option<&MessageReviewHandler>) -> Vec<HandlerModel> {
    HandlerModel::from_api(h).into_iter().collect()
}

/// The destination as a list of one element, the shape of the `ivschat_logging_configuration`
/// resource's `destination_configuration` block.
pub fn destination(d: Option<&DestinationConfiguration>) -> Vec<DestinationModel> {
    d.map(DestinationModel::from_api).into_iter().collect()
}

/// A computed list of objects, as a plain `list(object)` type rather than protocol-6 nested
/// attributes: Terraform 1.0 crashes decoding nested attribute lists whose elements differ in
/// emptiness ("inconsistent list element types"). The fields' descriptions join the list's.
pub fn object_list(name: &str, description: &str, fields: Vec<Attribute>) -> Attribute {
    let mut text = format!("{description} Each element has:");
    for f in &fields {
        let _ = write!(
            text,
            " `{}` ({}) {}",
            f.name,
            type_words(&f.ty()),
            f.description.trim()
        );
    }
    let ty = Type::Object(fields.iter().map(|f| (f.name.clone(), f.ty())).collect());
    Attribute::new(name, Type::List(Box::new(ty)))
        .computed()
        .description(text)
}

fn type_words(t: &Type) -> String {
    match t {
        Type::String => "string".to_owned(),
        Type::Number => "number".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::List(e) => format!("list of {}", type_words(e)),
        Type::Set(e) => format!("set of {}", type_words(e)),
        Type::Map(e) => format!("map of {}", type_words(e)),
        Type::Object(_) => "object".to_owned(),
        Type::Tuple(_) => "tuple".to_owned(),
        Type::Dynamic => "any".to_owned(),
    }
}

pub fn handler_attribute() -> Attribute {
    object_list(
        "message_review_handler",
        "The Lambda function that reviews messages: one element when a handler is attached, \
         none otherwise (the shape of the `ivschat_room` resource's block).",
        vec![
            Attribute::string("uri").computed().description(
                "ARN of the Lambda function that reviews each message before it is delivered.",
            ),
            Attribute::string("fallback_result").computed().description(
                "What happens to a message when the handler fails or times out: `ALLOW` or `DENY`.",
            ),
        ],
    )
}

pub fn destination_attribute() -> Attribute {
    let one = |name: &str, field: &str, what: &str, field_doc: &str| {
        object_list(
            name,
            &format!("One element when the logs go to {what}, none otherwise."),
            vec![Attribute::string(field).computed().description(field_doc)],
        )
    };
    object_list(
        "destination_configuration",
        "Where the logs go: one element holding exactly one non-empty list of `s3`, \
         `cloudwatch_logs` and `firehose` (the shape of the `ivschat_logging_configuration` \
         resource's block).",
        vec![
            one(
                "s3",
                "bucket_name",
                "an Amazon S3 bucket",
                "Name of the S3 bucket.",
            ),
            one(
                "cloudwatch_logs",
                "log_group_name",
                "an Amazon CloudWatch Logs log group",
                "Name of the CloudWatch Logs log group.",
            ),
            one(
                "firehose",
                "delivery_stream_name",
                "an Amazon Kinesis Data Firehose delivery stream",
                "Name of the Firehose delivery stream.",
            ),
        ],
    )
}

pub fn time_attribute(name: &str, description: &str) -> Attribute {
    Attribute::string(name).computed().description(description)
}

pub fn tags_attribute(description: &str) -> Attribute {
    Attribute::string_map("tags")
        .computed()
        .description(description)
}

/// The client for an object named by ARN, in the ARN's region unless `region` is set. A `region`
/// other than the ARN's is an error: objects live in one region only.
pub fn client_for_arn(
    ctx: &Context<'_, ProviderData>,
    arn: &str,
    kind: ArnKind,
    region: Option<&str>,
) -> Result<IvsChat, Diagnostic> {
    let parsed = Arn::parse_kind(arn, kind).map_err(|problem| {
        Diagnostic::error("Invalid ARN", format!("{problem}.")).at(Path::attr("arn"))
    })?;
    let region = regional::region_for_arn(&parsed, region, |region| {
        Diagnostic::error(
            "Region Does Not Match the ARN",
            format!(
                "The {} {arn} is in region {}, but region is set to {region:?}. An IVS Chat \
                 object can only be read in its own region: remove `region`, or set it to {:?}.",
                kind.words(),
                parsed.region,
                parsed.region
            ),
        )
        .at(Path::attr("region"))
    })?;
    ctx.client(Some(region))
}

/// A Get that failed: "not found" names the ARN and says what to check; others as the client
/// explains them.
pub fn get_failed(e: &ApiError, kind: ArnKind, arn: &str, region: &str) -> Diagnostic {
    let what = kind.words();
    if !e.is_not_found() {
        return e.diagnostic(&format!("{what} {arn}"));
    }
    let plural = format!("ivschat_{}s", kind.type_name);
    Diagnostic::error(
        format!("{} Not Found", kind.title),
        format!(
            "No IVS Chat {what} {arn} exists in region {region} for these credentials. Check the \
             ARN: the {what} may have been deleted, or belong to another account. To find {what}s \
             without failing when none matches, use the {plural} data source."
        ),
    )
    .at(Path::attr("arn"))
}

/// `region` of a data source that lists a region's objects: the provider's region when unset.
pub fn list_region_attribute() -> Attribute {
    crate::provider::region::region_attribute().description(
        "The AWS region to list, for example `us-east-1`. Defaults to the provider's region; \
         the region used is returned here.",
    )
}

/// `region` of a data source that reads one object by ARN: the ARN's region when unset.
pub fn arn_region_attribute() -> Attribute {
    crate::provider::region::region_attribute().description(
        "The AWS region of the object. Defaults to the region in its ARN, the only region it \
         can be read in: when set, it must be that region. The region used is returned here.",
    )
}
