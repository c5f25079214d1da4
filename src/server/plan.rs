//! The plan pipeline for PlanResourceChange, a sequence of named steps over the proposed new
//! state:
//!
//! 1. destroy plans null;
//! 2. defaults fill optional+computed attributes left null in configuration;
//! 3. when the object changes, computed attributes left null in configuration become unknown
//!    (the provider will learn them on apply);
//! 4. attribute plan modifiers run (keep stable values, flag replacements, custom rules);
//! 5. the resource's own hook adjusts the whole object (done by the caller);
//! 6. requires-replace paths come out sorted and deduplicated.
//!
//! Every step keeps Terraform's rule that a value set in configuration is planned as is.

use crate::diagnostics::Diagnostics;
use crate::schema::{Attribute, AttributePlan, AttributeType, Block, Nesting, Schema};
use crate::value::{Path, Value};

/// What the generic pipeline decided, before the resource's hook.
#[derive(Debug)]
pub struct Planned {
    pub value: Value,
    pub requires_replace: Vec<Path>,
    pub diags: Diagnostics,
}

/// Runs steps 1-4 and 6 of the pipeline.
pub fn plan(schema: &Schema, prior: &Value, proposed: &Value, config: &Value) -> Planned {
    if proposed.is_null() {
        return Planned {
            value: Value::Null,
            requires_replace: Vec::new(),
            diags: Diagnostics::new(),
        };
    }
    let creating = prior.is_null();
    let mut planned = proposed.clone();
    apply_defaults(&schema.block, config, &mut planned);
    if creating || !planned.semantically_equal(prior) {
        mark_computed_unknown(&schema.block, config, &mut planned);
    }
    let mut out = Planned {
        value: Value::Null,
        requires_replace: Vec::new(),
        diags: Diagnostics::new(),
    };
    run_modifiers(
        &schema.block,
        &Path::root(),
        config,
        prior,
        creating,
        &mut planned,
        &mut out,
    );
    out.value = planned;
    out.requires_replace.sort();
    out.requires_replace.dedup();
    out
}

/// Calls `f` for each element object of a nested block or nested attribute, with the matching
/// configuration element (null when the configuration has none at that position).
fn for_each_element(
    nesting: Nesting,
    config: &Value,
    planned: &mut Value,
    mut f: impl FnMut(PathPart, &Value, &mut Value),
) {
    match (nesting, planned) {
        (Nesting::Single | Nesting::Group, p @ Value::Object(_)) => f(PathPart::None, config, p),
        (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                let c = config
                    .elements()
                    .and_then(|e| e.get(i))
                    .unwrap_or(&Value::Null);
                let part = if nesting == Nesting::List {
                    PathPart::Index(i)
                } else {
                    PathPart::Unaddressable
                };
                f(part, c, item);
            }
        }
        (Nesting::Map, Value::Map(items)) => {
            for (k, item) in items.iter_mut() {
                let c = config
                    .entries()
                    .and_then(|e| e.get(k))
                    .unwrap_or(&Value::Null);
                f(PathPart::Key(k.clone()), c, item);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathPart {
    None,
    Index(usize),
    Key(String),
    /// Set elements have no path step Terraform can address.
    Unaddressable,
}

fn child_path(base: &Path, part: &PathPart) -> Option<Path> {
    match part {
        PathPart::None => Some(base.clone()),
        PathPart::Index(i) => Some(base.join_index(*i)),
        PathPart::Key(k) => Some(base.join_key(k)),
        PathPart::Unaddressable => None,
    }
}

fn nested_attributes(a: &Attribute) -> Option<(Nesting, Block)> {
    match &a.ty {
        AttributeType::Plain(_) => None,
        AttributeType::Nested {
            nesting,
            attributes,
        } => Some((
            *nesting,
            Block {
                attributes: attributes.clone(),
                ..Block::default()
            },
        )),
    }
}

fn config_attr<'a>(config: &'a Value, name: &str) -> &'a Value {
    config.attr(name).unwrap_or(&Value::Null)
}

fn apply_defaults(block: &Block, config: &Value, planned: &mut Value) {
    for a in &block.attributes {
        let c = config_attr(config, &a.name);
        let Some(p) = planned.attr_mut(&a.name) else {
            continue;
        };
        if let (Some(default), true) = (&a.default, c.is_null()) {
            *p = default.clone();
        } else if let Some((nesting, inner)) = nested_attributes(a) {
            for_each_element(nesting, c, p, |_, c, p| apply_defaults(&inner, c, p));
        }
    }
    for b in &block.blocks {
        let c = config_attr(config, &b.name);
        if let Some(p) = planned.attr_mut(&b.name) {
            for_each_element(b.nesting, c, p, |_, c, p| apply_defaults(&b.block, c, p));
        }
    }
}

fn mark_computed_unknown(block: &Block, config: &Value, planned: &mut Value) {
    for a in &block.attributes {
        let c = config_attr(config, &a.name);
        let Some(p) = planned.attr_mut(&a.name) else {
            continue;
        };
        if a.mode.is_computed() && c.is_null() && a.default.is_none() {
            *p = Value::unknown();
        } else if let Some((nesting, inner)) = nested_attributes(a) {
            for_each_element(nesting, c, p, |_, c, p| mark_computed_unknown(&inner, c, p));
        }
    }
    for b in &block.blocks {
        let c = config_attr(config, &b.name);
        if let Some(p) = planned.attr_mut(&b.name) {
            for_each_element(b.nesting, c, p, |_, c, p| {
                mark_computed_unknown(&b.block, c, p)
            });
        }
    }
}

fn run_modifiers(
    block: &Block,
    path: &Path,
    config: &Value,
    prior: &Value,
    creating: bool,
    planned: &mut Value,
    out: &mut Planned,
) {
    for a in &block.attributes {
        let attr_path = path.join_attr(&a.name);
        let c = config_attr(config, &a.name);
        let s = prior.attr(&a.name).unwrap_or(&Value::Null);
        let Some(p) = planned.attr_mut(&a.name) else {
            continue;
        };
        if !a.plan_modifiers.is_empty() {
            let mut step = AttributePlan {
                path: &attr_path,
                config: c,
                state: s,
                creating,
                plan: std::mem::replace(p, Value::Null),
                requires_replace: false,
                diags: Diagnostics::new(),
            };
            for m in &a.plan_modifiers {
                m.modify(&mut step);
            }
            *p = step.plan;
            if step.requires_replace {
                out.requires_replace.push(attr_path.clone());
            }
            out.diags.extend(step.diags);
        }
        if let Some((nesting, inner)) = nested_attributes(a) {
            modifiers_in_elements(&inner, nesting, &attr_path, c, s, creating, p, out);
        }
    }
    for b in &block.blocks {
        let block_path = path.join_attr(&b.name);
        let c = config_attr(config, &b.name);
        let s = prior.attr(&b.name).unwrap_or(&Value::Null);
        if let Some(p) = planned.attr_mut(&b.name) {
            modifiers_in_elements(&b.block, b.nesting, &block_path, c, s, creating, p, out);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn modifiers_in_elements(
    block: &Block,
    nesting: Nesting,
    path: &Path,
    config: &Value,
    prior: &Value,
    creating: bool,
    planned: &mut Value,
    out: &mut Planned,
) {
    for_each_element(nesting, config, planned, |part, c, p| {
        let s = match &part {
            PathPart::None => prior,
            PathPart::Index(i) => prior
                .elements()
                .and_then(|e| e.get(*i))
                .unwrap_or(&Value::Null),
            PathPart::Key(k) => prior
                .entries()
                .and_then(|e| e.get(k))
                .unwrap_or(&Value::Null),
            PathPart::Unaddressable => &Value::Null,
        };
        // An element that did not exist before is being created, whatever the object does.
        let element_creating = creating || s.is_null();
        let element_path = child_path(path, &part).unwrap_or_else(|| path.clone());
        run_modifiers(block, &element_path, c, s, element_creating, p, out);
    });
}

#[cfg(test)]
mod tests;
