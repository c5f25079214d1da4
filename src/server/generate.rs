//! GenerateResourceConfig (protocol 6.10, called by Terraform ≥ 1.14 for
//! `terraform query -generate-config-out` and `plan -generate-config-out`): the configuration
//! a person would write for an object, derived from its state.
//!
//! Two steps. The resource type first shapes its own arguments
//! ([`crate::server::Resource::generate_config`]: empty collections unset, the provider's
//! region left implicit, ...). Then [`config_from_state`] applies what the schema alone
//! decides, for every type: computed-only and write-only attributes are left out, so is any
//! argument equal to its default, and a single block (such as `timeouts`) that ends up with
//! no argument set.
//!
//! Terraform writes every non-null argument, and `name = null` for a null one unless the
//! attribute is computed: arguments that may be absent from a generated file are declared
//! optional+computed with a null default (planned exactly as optional ones).

use crate::schema::{Attribute, AttributeType, Block, Nesting};
use crate::value::Value;

/// Reduces `state` (already shaped by the resource) to configuration, in place.
pub fn config_from_state(block: &Block, value: &mut Value) {
    if value.is_null() {
        return;
    }
    for a in &block.attributes {
        let Some(v) = value.attr_mut(&a.name) else {
            continue;
        };
        if !a.mode.is_settable() || a.write_only || is_default(a, v) {
            *v = Value::Null;
            continue;
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
            for_each_element(*nesting, v, |e| config_from_state(&inner, e));
        }
    }
    for b in &block.blocks {
        let Some(v) = value.attr_mut(&b.name) else {
            continue;
        };
        for_each_element(b.nesting, v, |e| config_from_state(&b.block, e));
        // An optional single block left with nothing set says nothing: leave it out.
        if b.nesting == Nesting::Single && all_null(v) {
            *v = Value::Null;
        }
    }
}

fn is_default(a: &Attribute, v: &Value) -> bool {
    match &a.default {
        Some(d) if !d.is_null() => v.semantically_equal(d),
        _ => false,
    }
}

fn all_null(v: &Value) -> bool {
    match v {
        Value::Object(attrs) => attrs.values().all(all_null_or_empty_block),
        other => other.is_null(),
    }
}

/// Null, or an empty list/set/map of blocks (a nested block with no elements).
fn all_null_or_empty_block(v: &Value) -> bool {
    match v {
        Value::List(items) | Value::Set(items) => items.is_empty(),
        Value::Map(items) => items.is_empty(),
        other => other.is_null(),
    }
}

fn for_each_element(nesting: Nesting, v: &mut Value, mut f: impl FnMut(&mut Value)) {
    match (nesting, v) {
        (Nesting::Single | Nesting::Group, o @ Value::Object(_)) => f(o),
        (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
            items.iter_mut().for_each(f);
        }
        (Nesting::Map, Value::Map(items)) => items.values_mut().for_each(f),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{NestedBlock, Schema};
    use std::collections::BTreeMap;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn schema() -> Schema {
        let inner = Block::new("inner")
            .attribute(Attribute::string("uri").optional())
            .attribute(Attribute::string("fallback").default("ALLOW"));
        Schema::new("t")
            .attribute(Attribute::string("arn").computed())
            .attribute(Attribute::string("name").default(""))
            .attribute(Attribute::number("size").default(500))
            .attribute(Attribute::string("secret").optional().write_only())
            .attribute(Attribute::string("region").optional_computed())
            .block(NestedBlock::list_max_one("handler", inner))
            .block(NestedBlock::new(
                "timeouts",
                Nesting::Single,
                Block::new("t").attribute(Attribute::string("create").optional()),
            ))
    }

    #[test]
    fn computed_write_only_and_default_arguments_are_left_out() {
        let mut v = obj(&[
            ("arn", Value::string("arn:x")),
            ("name", Value::string("")),
            ("size", Value::from(500i64)),
            ("secret", Value::string("s")),
            ("region", Value::string("eu-west-1")),
            (
                "handler",
                Value::List(vec![obj(&[
                    ("uri", Value::string("arn:lambda")),
                    ("fallback", Value::string("ALLOW")),
                ])]),
            ),
            ("timeouts", obj(&[("create", Value::Null)])),
        ]);
        config_from_state(&schema().block, &mut v);
        assert_eq!(
            v,
            obj(&[
                ("arn", Value::Null),
                ("name", Value::Null),
                ("size", Value::Null),
                ("secret", Value::Null),
                ("region", Value::string("eu-west-1")),
                (
                    "handler",
                    Value::List(vec![obj(&[
                        ("uri", Value::string("arn:lambda")),
                        ("fallback", Value::Null),
                    ])]),
                ),
                ("timeouts", Value::Null),
            ])
        );
    }

    #[test]
    fn values_other_than_the_default_stay() {
        let mut v = obj(&[
            ("arn", Value::Null),
            ("name", Value::string("chat")),
            ("size", Value::from(12i64)),
            ("secret", Value::Null),
            ("region", Value::Null),
            (
                "handler",
                Value::List(vec![obj(&[
                    ("uri", Value::string("arn:lambda")),
                    ("fallback", Value::string("DENY")),
                ])]),
            ),
            ("timeouts", obj(&[("create", Value::string("10m"))])),
        ]);
        let before = v.clone();
        config_from_state(&schema().block, &mut v);
        assert_eq!(v, before);
    }

    #[test]
    fn null_state_stays_null() {
        let mut v = Value::Null;
        config_from_state(&schema().block, &mut v);
        assert_eq!(v, Value::Null);
    }
}
