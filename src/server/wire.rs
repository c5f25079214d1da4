//! Conversions between the protocol's messages and the server's own types: one function per
//! message kind. The generated types stop here.

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::plugin::tfplugin6 as pb;
use crate::schema::{Attribute, AttributeType, Block, NestedBlock, Nesting, Schema};
use crate::server::identity::IdentitySchema;
use crate::server::list::ListEvent;
use crate::value::{Path, PathStep, Type, Value, json, msgpack};

/// Decodes a DynamicValue; an absent one is null.
pub fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    if !dv.msgpack.is_empty() {
        msgpack::decode(&dv.msgpack, ty).map_err(|e| {
            Diagnostic::error(
                "Invalid Value From Terraform",
                format!("Cannot decode a msgpack value: {e}."),
            )
        })
    } else if !dv.json.is_empty() {
        json::decode(&dv.json, ty).map_err(|e| {
            Diagnostic::error(
                "Invalid Value From Terraform",
                format!("Cannot decode a JSON value: {e}."),
            )
        })
    } else {
        Ok(Value::Null)
    }
}

pub fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostic> {
    msgpack::encode(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| Diagnostic::bug(format!("cannot encode a value for Terraform: {e}")))
}

pub fn attribute_path(path: &Path) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    let steps = path
        .steps()
        .iter()
        .map(|s| Step {
            selector: Some(match s {
                PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                PathStep::Index(i) => Selector::ElementKeyInt(*i),
            }),
        })
        .collect();
    pb::AttributePath { steps }
}

pub fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary.clone(),
        detail: bounded_detail(&d.detail),
        attribute: d.path.as_ref().filter(|p| !p.is_root()).map(attribute_path),
    }
}

/// Longest diagnostic detail sent, in bytes: messages quote the offending value, and a
/// 1,000,000-character value quoted whole would flood the terminal.
const MAX_DETAIL_BYTES: usize = 4096;

fn bounded_detail(detail: &str) -> String {
    if detail.len() <= MAX_DETAIL_BYTES {
        return detail.to_owned();
    }
    let mut end = MAX_DETAIL_BYTES;
    while !detail.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… ({} more bytes not shown)",
        &detail[..end],
        detail.len() - end
    )
}

pub fn diagnostics(diags: &Diagnostics) -> Vec<pb::Diagnostic> {
    diags.iter().map(diagnostic).collect()
}

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested_block).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.ty {
        AttributeType::Plain(t) => (t.to_json(), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => {
            use pb::schema::object::NestingMode as M;
            let mode = match nesting {
                Nesting::Single | Nesting::Group => M::Single,
                Nesting::List => M::List,
                Nesting::Set => M::Set,
                Nesting::Map => M::Map,
            };
            let object = pb::schema::Object {
                attributes: attributes.iter().map(attribute).collect(),
                nesting: mode as i32,
                ..pb::schema::Object::default()
            };
            (Vec::new(), Some(object))
        }
    };
    let description = match &a.deprecation {
        Some(message) if a.description.is_empty() => format!("**Deprecated** {message}"),
        Some(message) => format!("{} **Deprecated** {message}", a.description),
        None => a.description.clone(),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description,
        required: a.mode == crate::schema::Mode::Required,
        optional: matches!(
            a.mode,
            crate::schema::Mode::Optional | crate::schema::Mode::OptionalComputed
        ),
        computed: a.mode.is_computed(),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecation.is_some(),
        write_only: a.write_only,
    }
}

fn nested_block(b: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    let nesting = match b.nesting {
        Nesting::Single => M::Single,
        Nesting::Group => M::Group,
        Nesting::List => M::List,
        Nesting::Set => M::Set,
        Nesting::Map => M::Map,
    };
    pb::schema::NestedBlock {
        type_name: b.name.clone(),
        block: Some(block(&b.block, 0)),
        nesting: nesting as i32,
        min_items: i64::try_from(b.min_items).unwrap_or(i64::MAX),
        max_items: i64::try_from(b.max_items).unwrap_or(i64::MAX),
    }
}

pub fn function(f: &crate::server::function::RegisteredFunction) -> pb::Function {
    let parameter = |p: &crate::server::function::Parameter| pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json(),
        allow_null_value: p.allow_null,
        allow_unknown_values: false,
        description: p.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
    };
    pb::Function {
        parameters: f.parameters.iter().map(parameter).collect(),
        variadic_parameter: None,
        r#return: Some(pb::function::Return {
            r#type: f.return_type.to_json(),
        }),
        summary: f.imp.summary().to_owned(),
        description: f.imp.description().to_owned(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

pub fn function_error(e: &crate::server::function::FunctionError) -> pb::FunctionError {
    pb::FunctionError {
        text: e.text.clone(),
        function_argument: e.argument,
    }
}

/// An instant as a protobuf timestamp (instants before 1970 are clamped to it).
pub fn timestamp(t: std::time::SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    }
}

/// An identity schema as the protocol describes it.
pub fn identity_schema(schema: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: schema.version,
        identity_attributes: schema
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json(),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

/// An encoded identity (msgpack) as the protocol carries it.
pub fn identity_data(msgpack: Vec<u8>) -> pb::ResourceIdentityData {
    pb::ResourceIdentityData {
        identity_data: Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
    }
}

/// One event of a ListResource stream.
pub fn list_event(event: ListEvent) -> pb::list_resource::Event {
    match event {
        ListEvent::Found {
            display_name,
            identity,
            resource_object,
        } => pb::list_resource::Event {
            identity: Some(identity_data(identity)),
            display_name,
            resource_object: resource_object.map(|msgpack| pb::DynamicValue {
                msgpack,
                json: Vec::new(),
            }),
            diagnostic: Vec::new(),
        },
        ListEvent::Failed(diags) => pb::list_resource::Event {
            diagnostic: diagnostics(&diags),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod bounded_detail_tests {
    use super::*;

    /// Found by the RPC fuzzer: a 1,000,000-character value was echoed whole in a diagnostic.
    #[test]
    fn a_huge_detail_is_cut_at_a_character_boundary() {
        let huge = format!("endpoint {}", "é".repeat(1_000_000));
        let d = diagnostic(&Diagnostic::error("Invalid Endpoint URL", huge));
        assert!(
            d.detail.len() < MAX_DETAIL_BYTES + 100,
            "{}",
            d.detail.len()
        );
        assert!(d.detail.ends_with("more bytes not shown)"));
        let short = diagnostic(&Diagnostic::error("S", "short"));
        assert_eq!(short.detail, "short");
    }
}
