//! Configuration validation: runs every validator of a schema over a configuration value.
//! Unknown values are skipped (Terraform validates again once they are known), and so are nulls:
//! Terraform itself enforces required and computed-only attributes.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, AttributeType, Block, Nesting};
use crate::value::{Path, Value};

pub fn validate(block: &Block, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    validate_block(block, &Path::root(), config, &mut diags);
    diags
}

fn validate_block(block: &Block, path: &Path, object: &Value, diags: &mut Diagnostics) {
    if !object.is_known() || object.is_null() {
        return;
    }
    for a in &block.attributes {
        let value = object.attr(&a.name).unwrap_or(&Value::Null);
        validate_attribute(a, &path.join_attr(&a.name), value, diags);
    }
    for b in &block.blocks {
        let value = object.attr(&b.name).unwrap_or(&Value::Null);
        let block_path = path.join_attr(&b.name);
        for_each_element(b.nesting, &block_path, value, |p, v| {
            validate_block(&b.block, &p, v, diags)
        });
    }
    for v in &block.validators {
        v.validate(object, path, diags);
    }
}

fn validate_attribute(a: &Attribute, path: &Path, value: &Value, diags: &mut Diagnostics) {
    if value.is_null() || !value.is_known() {
        return;
    }
    if let Some(message) = &a.deprecation {
        diags.push(Diagnostic::warning("Deprecated Attribute", message.clone()).at(path.clone()));
    }
    for v in &a.validators {
        v.validate(value, path, diags);
    }
    if let AttributeType::Nested {
        nesting,
        attributes,
    } = &a.ty
    {
        let inner = Block {
            attributes: attributes.clone(),
            ..Block::default()
        };
        for_each_element(*nesting, path, value, |p, v| {
            validate_block(&inner, &p, v, diags)
        });
    }
}

fn for_each_element(nesting: Nesting, path: &Path, value: &Value, mut f: impl FnMut(Path, &Value)) {
    match (nesting, value) {
        (Nesting::Single | Nesting::Group, v) => f(path.clone(), v),
        (Nesting::List, Value::List(items)) => {
            for (i, v) in items.iter().enumerate() {
                f(path.join_index(i), v);
            }
        }
        // Set elements cannot be addressed: diagnostics point at the set itself.
        (Nesting::Set, Value::Set(items)) => items.iter().for_each(|v| f(path.clone(), v)),
        (Nesting::Map, Value::Map(items)) => {
            for (k, v) in items {
                f(path.join_key(k), v);
            }
        }
        _ => {}
    }
}
