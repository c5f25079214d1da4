//! Plan modifiers: per-attribute steps of the plan pipeline, run after defaults and after
//! computed attributes have been marked unknown.

use std::fmt;

use crate::diagnostics::Diagnostics;
use crate::value::{Path, Value};

/// One attribute's planning context, and the modifier's answer.
#[derive(Debug)]
pub struct AttributePlan<'a> {
    pub path: &'a Path,
    /// The attribute in configuration (may be null or unknown).
    pub config: &'a Value,
    /// The attribute in prior state; null when the object is being created.
    pub state: &'a Value,
    /// Whether the object is being created (no prior state).
    pub creating: bool,
    /// The planned value so far; a modifier may change it.
    pub plan: Value,
    pub requires_replace: bool,
    pub diags: Diagnostics,
}

pub trait PlanModifier: fmt::Debug + Send + Sync {
    /// What the modifier does, in words, for docs.
    fn description(&self) -> String;

    fn modify(&self, plan: &mut AttributePlan<'_>);
}

/// Keeps the prior value instead of an unknown, for values that never change once set.
#[derive(Debug)]
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "Keeps its value across updates.".to_owned()
    }

    fn modify(&self, plan: &mut AttributePlan<'_>) {
        if !plan.creating && plan.plan.is_unknown() && !plan.state.is_null() {
            plan.plan = plan.state.clone();
        }
    }
}

/// A change of this attribute replaces the object.
#[derive(Debug)]
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "Changing it forces a new resource to be created.".to_owned()
    }

    fn modify(&self, plan: &mut AttributePlan<'_>) {
        if changed(plan) {
            plan.requires_replace = true;
        }
    }
}

/// Whether the attribute's planned value differs from its state. A value left unknown only
/// because the provider computes it (null in configuration) is not a change yet: whoever
/// decides it later (a resource's plan hook) decides about replacement too.
fn changed(plan: &AttributePlan<'_>) -> bool {
    if plan.creating || (plan.config.is_null() && plan.plan.is_unknown()) {
        return false;
    }
    !plan.plan.semantically_equal(plan.state)
}

type ReplaceFn = dyn Fn(&Value, &Value) -> bool + Send + Sync;

/// A change replaces the object when the predicate (prior, planned) says so.
pub struct RequiresReplaceIf {
    description: String,
    predicate: Box<ReplaceFn>,
}

impl RequiresReplaceIf {
    pub fn new(
        description: &str,
        predicate: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> RequiresReplaceIf {
        RequiresReplaceIf {
            description: description.to_owned(),
            predicate: Box::new(predicate),
        }
    }
}

impl fmt::Debug for RequiresReplaceIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequiresReplaceIf({})", self.description)
    }
}

impl PlanModifier for RequiresReplaceIf {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn modify(&self, plan: &mut AttributePlan<'_>) {
        if changed(plan) && (self.predicate)(plan.state, &plan.plan) {
            plan.requires_replace = true;
        }
    }
}
