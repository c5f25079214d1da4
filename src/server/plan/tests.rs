//! The plan pipeline against the rules Terraform enforces: a configured value is planned as is,
//! a non-computed null stays null, computed values are known or unknown, and nothing known
//! changes between the first plan and the plan at apply time.

use super::*;
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::{Path, Value};

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn room_schema() -> Schema {
    let handler = Block::new("handler")
        .attribute(Attribute::string("uri").optional())
        .attribute(Attribute::string("fallback_result").default("ALLOW"));
    Schema::new("room")
        .attribute(Attribute::string("id").computed().stable())
        .attribute(Attribute::string("arn").computed().stable())
        .attribute(Attribute::string("name").optional())
        .attribute(Attribute::number("maximum_message_length").default(500))
        .attribute(
            Attribute::string("region")
                .optional_computed()
                .requires_replace(),
        )
        .attribute(Attribute::string_map("tags").optional())
        .attribute(Attribute::string_map("tags_all").computed())
        .attribute(Attribute::string_set("labels").optional())
        .block(NestedBlock::list_max_one("message_review_handler", handler))
}

/// What Terraform proposes: config, with prior values for computed attributes left null.
fn proposed(config: &Value, prior: &Value, schema: &Schema) -> Value {
    let Value::Object(c) = config else {
        return config.clone();
    };
    let mut out = c.clone();
    for a in &schema.block.attributes {
        if a.mode.is_computed() && c.get(&a.name).is_some_and(Value::is_null) {
            out.insert(
                a.name.clone(),
                prior.attr(&a.name).cloned().unwrap_or(Value::Null),
            );
        }
    }
    Value::Object(out)
}

fn config(name: Value, max: Value, handler: Vec<Value>) -> Value {
    obj(&[
        ("id", Value::Null),
        ("arn", Value::Null),
        ("name", name),
        ("maximum_message_length", max),
        ("region", Value::Null),
        ("tags", Value::Null),
        ("tags_all", Value::Null),
        ("labels", Value::Null),
        ("message_review_handler", Value::List(handler)),
    ])
}

fn applied(plan: &Value) -> Value {
    let mut v = plan.clone();
    for (name, value) in [
        ("id", "arn:room/a"),
        ("arn", "arn:room/a"),
        ("region", "us-east-1"),
    ] {
        if v.attr(name).is_some_and(Value::is_unknown) {
            *v.attr_mut(name).unwrap() = value.into();
        }
    }
    if v.attr("tags_all").is_some_and(Value::is_unknown) {
        *v.attr_mut("tags_all").unwrap() = Value::Map(Default::default());
    }
    v
}

/// Terraform's rule: a configured value is planned as it is; null non-computed stays null.
fn assert_config_respected(schema: &Schema, config: &Value, planned: &Value) {
    for a in &schema.block.attributes {
        let c = config.attr(&a.name).unwrap();
        let p = planned.attr(&a.name).unwrap();
        if !c.is_null() {
            assert!(
                p.semantically_equal(c),
                "{}: planned {p:?} but configured {c:?}",
                a.name
            );
        } else if !a.mode.is_computed() {
            assert!(
                p.is_null(),
                "{}: non-computed null planned as {p:?}",
                a.name
            );
        }
    }
}

#[test]
fn create_plans_defaults_known_and_computed_unknown() {
    let schema = room_schema();
    let c = config("lobby".into(), Value::Null, vec![]);
    let planned = plan(
        &schema,
        &Value::Null,
        &proposed(&c, &Value::Null, &schema),
        &c,
    );
    assert!(planned.diags.is_empty());
    assert!(planned.requires_replace.is_empty());
    let p = planned.value;
    assert_eq!(p.attr("maximum_message_length"), Some(&Value::int(500)));
    assert!(p.attr("arn").unwrap().is_unknown());
    assert!(p.attr("id").unwrap().is_unknown());
    assert!(p.attr("region").unwrap().is_unknown());
    assert!(p.attr("tags_all").unwrap().is_unknown());
    assert_eq!(p.attr("labels"), Some(&Value::Null));
    assert_config_respected(&schema, &c, &p);
}

#[test]
fn an_unchanged_object_plans_exactly_its_prior_state() {
    let schema = room_schema();
    let c = config("lobby".into(), Value::Null, vec![]);
    let first = plan(
        &schema,
        &Value::Null,
        &proposed(&c, &Value::Null, &schema),
        &c,
    )
    .value;
    let state = applied(&first);
    let again = plan(&schema, &state, &proposed(&c, &state, &schema), &c);
    assert_eq!(again.value, state, "no-op plan must equal prior state");
    assert!(again.requires_replace.is_empty());
}

#[test]
fn an_update_keeps_stable_values_and_marks_the_rest_unknown() {
    let schema = room_schema();
    let c = config("lobby".into(), Value::Null, vec![]);
    let state = applied(
        &plan(
            &schema,
            &Value::Null,
            &proposed(&c, &Value::Null, &schema),
            &c,
        )
        .value,
    );
    let c2 = config("hall".into(), Value::int(100), vec![]);
    let p = plan(&schema, &state, &proposed(&c2, &state, &schema), &c2);
    assert_eq!(
        p.value.attr("arn"),
        state.attr("arn"),
        "stable values keep their prior value"
    );
    assert_eq!(p.value.attr("id"), state.attr("id"));
    assert!(p.value.attr("tags_all").unwrap().is_unknown());
    assert_eq!(
        p.value.attr("maximum_message_length"),
        Some(&Value::int(100))
    );
    assert!(
        p.requires_replace.is_empty(),
        "an unknown computed region is not a change"
    );
    assert_config_respected(&schema, &c2, &p.value);
}

#[test]
fn removing_an_attribute_with_a_default_plans_the_default() {
    let schema = room_schema();
    let c = config("lobby".into(), Value::int(100), vec![]);
    let state = applied(
        &plan(
            &schema,
            &Value::Null,
            &proposed(&c, &Value::Null, &schema),
            &c,
        )
        .value,
    );
    let c2 = config("lobby".into(), Value::Null, vec![]);
    let p = plan(&schema, &state, &proposed(&c2, &state, &schema), &c2).value;
    assert_eq!(p.attr("maximum_message_length"), Some(&Value::int(500)));
}

#[test]
fn defaults_apply_inside_nested_blocks() {
    let schema = room_schema();
    let handler = obj(&[
        ("uri", "arn:aws:lambda:x".into()),
        ("fallback_result", Value::Null),
    ]);
    let c = config(Value::Null, Value::Null, vec![handler]);
    let p = plan(
        &schema,
        &Value::Null,
        &proposed(&c, &Value::Null, &schema),
        &c,
    )
    .value;
    let planned_handler = &p
        .attr("message_review_handler")
        .unwrap()
        .elements()
        .unwrap()[0];
    assert_eq!(
        planned_handler.attr("fallback_result"),
        Some(&Value::string("ALLOW"))
    );
    assert_eq!(
        planned_handler.attr("uri"),
        Some(&Value::string("arn:aws:lambda:x"))
    );
}

#[test]
fn changing_a_requires_replace_attribute_is_reported_by_path() {
    let schema = room_schema();
    let c = config("lobby".into(), Value::Null, vec![]);
    let state = applied(
        &plan(
            &schema,
            &Value::Null,
            &proposed(&c, &Value::Null, &schema),
            &c,
        )
        .value,
    );
    let mut c2 = c.clone();
    *c2.attr_mut("region").unwrap() = "eu-west-1".into();
    let p = plan(&schema, &state, &proposed(&c2, &state, &schema), &c2);
    assert_eq!(p.requires_replace, vec![Path::attr("region")]);
    assert_eq!(p.value.attr("region"), Some(&Value::string("eu-west-1")));
}

#[test]
fn unknown_configuration_values_stay_unknown_and_replan_consistently() {
    // A name that comes from another resource, unknown during plan and known at apply.
    let schema = room_schema();
    let c = config(Value::unknown(), Value::Null, vec![]);
    let first = plan(
        &schema,
        &Value::Null,
        &proposed(&c, &Value::Null, &schema),
        &c,
    )
    .value;
    assert!(first.attr("name").unwrap().is_unknown());
    let c_final = config("from-other".into(), Value::Null, vec![]);
    let second = plan(
        &schema,
        &Value::Null,
        &proposed(&c_final, &Value::Null, &schema),
        &c_final,
    )
    .value;
    // Every value known in the first plan must be equal in the second.
    for (name, v) in first.entries().unwrap() {
        if v.is_wholly_known() {
            assert_eq!(
                second.attr(name),
                Some(v),
                "{name} changed between plan and apply"
            );
        }
    }
}

#[test]
fn unknown_block_lists_from_dynamic_blocks_pass_through() {
    let schema = room_schema();
    let mut c = config("x".into(), Value::Null, vec![]);
    *c.attr_mut("message_review_handler").unwrap() = Value::unknown();
    let p = plan(
        &schema,
        &Value::Null,
        &proposed(&c, &Value::Null, &schema),
        &c,
    )
    .value;
    assert!(p.attr("message_review_handler").unwrap().is_unknown());
}

#[test]
fn sets_and_maps_equal_to_prior_are_not_changes() {
    let schema = room_schema();
    let mut c = config("x".into(), Value::Null, vec![]);
    *c.attr_mut("labels").unwrap() = Value::Set(vec!["a".into(), "b".into()]);
    *c.attr_mut("tags").unwrap() = Value::Map([("k".to_owned(), Value::string("v"))].into());
    let state = applied(
        &plan(
            &schema,
            &Value::Null,
            &proposed(&c, &Value::Null, &schema),
            &c,
        )
        .value,
    );
    let mut reordered = c.clone();
    *reordered.attr_mut("labels").unwrap() = Value::Set(vec!["b".into(), "a".into()]);
    let p = plan(
        &schema,
        &state,
        &proposed(&reordered, &state, &schema),
        &reordered,
    )
    .value;
    assert!(
        p.attr("tags_all").unwrap().is_known(),
        "reordered set is no change: {p:?}"
    );
}

#[test]
fn destroy_plans_null() {
    let schema = room_schema();
    let c = config("x".into(), Value::Null, vec![]);
    let state = applied(
        &plan(
            &schema,
            &Value::Null,
            &proposed(&c, &Value::Null, &schema),
            &c,
        )
        .value,
    );
    let p = plan(&schema, &state, &Value::Null, &Value::Null);
    assert!(p.value.is_null());
    assert!(p.requires_replace.is_empty());
}

#[test]
fn nesting_single_blocks_take_defaults_too() {
    let schema = Schema::new("t").block(NestedBlock::new(
        "timeouts",
        Nesting::Single,
        Block::new("t").attribute(Attribute::string("create").default("5m")),
    ));
    let c = obj(&[("timeouts", obj(&[("create", Value::Null)]))]);
    let p = plan(&schema, &Value::Null, &c, &c).value;
    assert_eq!(
        p.attr("timeouts").unwrap().attr("create"),
        Some(&Value::string("5m"))
    );
}
