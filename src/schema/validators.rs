//! Validators: rules a known, non-null value must satisfy. Each reports the rule and the
//! attribute path, so Terraform points at the offending line. Unknown and null values are never
//! passed to a validator; the server skips them (they are checked again once known).

use std::fmt;

use regex::Regex;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::duration::{DurationBounds, check_go_duration};
use crate::value::{Path, Value};

pub trait Validator: fmt::Debug + Send + Sync {
    /// The rule in words, completing "must …", e.g. "be between 1 and 500". Used in messages
    /// and in generated docs.
    fn rule(&self) -> String;

    /// Checks a known, non-null value, pushing diagnostics at `path`.
    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics);
}

fn invalid(path: &Path, rule: &str, got: impl fmt::Display) -> Diagnostic {
    let what = if path.is_root() {
        "The value".to_owned()
    } else {
        format!("Attribute {path}")
    };
    Diagnostic::error(
        "Invalid Attribute Value",
        format!("{what} must {rule}, got {got}."),
    )
    .at(path.clone())
}

/// An integer within an inclusive range.
#[derive(Debug)]
pub struct IntBetween(pub i64, pub i64);

impl Validator for IntBetween {
    fn rule(&self) -> String {
        format!("be a whole number between {} and {}", self.0, self.1)
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::Number(n) = value else { return };
        match n.to_i64() {
            Some(i) if (self.0..=self.1).contains(&i) => {}
            _ => diags.push(invalid(path, &self.rule(), n)),
        }
    }
}

/// A finite number within an inclusive range (fractions allowed).
#[derive(Debug)]
pub struct NumberBetween(pub f64, pub f64);

impl Validator for NumberBetween {
    fn rule(&self) -> String {
        format!("be a number from {} to {}", self.0, self.1)
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::Number(n) = value else { return };
        let f = n.to_f64();
        if !(f.is_finite() && self.0 <= f && f <= self.1) {
            diags.push(invalid(path, &self.rule(), n));
        }
    }
}

/// A string length in Unicode code points (as the AWS API counts), inclusive.
#[derive(Debug)]
pub struct LengthBetween(pub usize, pub usize);

impl Validator for LengthBetween {
    fn rule(&self) -> String {
        if self.0 == 0 {
            format!("be at most {} characters long", self.1)
        } else {
            format!("be between {} and {} characters long", self.0, self.1)
        }
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::String(s) = value else { return };
        let len = s.chars().count();
        if !(self.0..=self.1).contains(&len) {
            diags.push(invalid(path, &self.rule(), format!("{len} characters")));
        }
    }
}

/// A number of elements (list, set, map), inclusive.
#[derive(Debug)]
pub struct SizeBetween(pub usize, pub usize);

impl Validator for SizeBetween {
    fn rule(&self) -> String {
        if self.0 == 0 {
            format!("have at most {} elements", self.1)
        } else {
            format!("have between {} and {} elements", self.0, self.1)
        }
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let len = match value {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.len(),
            Value::Map(m) => m.len(),
            _ => return,
        };
        if !(self.0..=self.1).contains(&len) {
            diags.push(invalid(path, &self.rule(), format!("{len} elements")));
        }
    }
}

/// A string matching a whole-string regular expression.
pub struct Matches {
    regex: Regex,
    /// The rule in words: "contain only letters, digits, hyphens and underscores".
    explanation: String,
}

impl Matches {
    /// `pattern` is anchored at both ends. Panics on an invalid pattern: patterns are constants
    /// in this crate and every schema is built by unit tests.
    pub fn new(pattern: &str, explanation: &str) -> Matches {
        #[allow(clippy::expect_used)]
        let regex = Regex::new(&format!("^(?:{pattern})$")).expect("schema regex is valid");
        Matches {
            regex,
            explanation: explanation.to_owned(),
        }
    }
}

impl fmt::Debug for Matches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Matches({})", self.regex.as_str())
    }
}

impl Validator for Matches {
    fn rule(&self) -> String {
        self.explanation.clone()
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::String(s) = value else { return };
        if !self.regex.is_match(s) {
            diags.push(invalid(path, &self.rule(), format!("{s:?}")));
        }
    }
}

/// One of a fixed set of strings.
#[derive(Debug)]
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn rule(&self) -> String {
        let quoted: Vec<String> = self.0.iter().map(|s| format!("{s:?}")).collect();
        format!("be one of {}", quoted.join(", "))
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::String(s) = value else { return };
        if !self.0.contains(&s.as_str()) {
            diags.push(invalid(path, &self.rule(), format!("{s:?}")));
        }
    }
}

/// Which of an object's named members are set: a non-null attribute, or a block with
/// elements. `None` while any of them is unknown.
fn set_members<'a>(object: &Value, names: &[&'a str]) -> Option<Vec<&'a str>> {
    let mut set = Vec::new();
    for name in names {
        match object.attr(name) {
            None | Some(Value::Null) => {}
            Some(Value::Unknown(_)) => return None,
            Some(Value::List(v) | Value::Set(v)) if v.is_empty() => {}
            Some(Value::Map(m)) if m.is_empty() => {}
            Some(_) => set.push(*name),
        }
    }
    Some(set)
}

/// Exactly one of the named members of an object is set.
#[derive(Debug)]
pub struct ExactlyOneOf(pub &'static [&'static str]);

impl Validator for ExactlyOneOf {
    fn rule(&self) -> String {
        format!("set exactly one of {}", self.0.join(", "))
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Some(set) = set_members(value, self.0) else {
            return;
        };
        if set.len() != 1 {
            let got = if set.is_empty() {
                "none".to_owned()
            } else {
                set.join(", ")
            };
            let what = if path.is_root() {
                "The configuration".to_owned()
            } else {
                format!("Block {path}")
            };
            diags.push(
                Diagnostic::error(
                    "Invalid Attribute Combination",
                    format!("{what} must {}, got {got}.", self.rule()),
                )
                .at(path.clone()),
            );
        }
    }
}

/// At most one of the named members of an object is set.
#[derive(Debug)]
pub struct AtMostOneOf(pub &'static [&'static str]);

impl Validator for AtMostOneOf {
    fn rule(&self) -> String {
        format!("set at most one of {}", self.0.join(", "))
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Some(set) = set_members(value, self.0) else {
            return;
        };
        if set.len() > 1 {
            let what = if path.is_root() {
                "The configuration".to_owned()
            } else {
                format!("Block {path}")
            };
            diags.push(
                Diagnostic::error(
                    "Invalid Attribute Combination",
                    format!("{what} must {}, got {}.", self.rule(), set.join(", ")),
                )
                .at(path.clone()),
            );
        }
    }
}

type CheckFn = dyn Fn(&Value) -> Result<(), String> + Send + Sync;

/// A rule written as a closure returning what is wrong.
pub struct Custom {
    rule: String,
    check: Box<CheckFn>,
}

/// A validator from a rule description and a check that returns the problem in words.
pub fn custom(
    rule: &str,
    check: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
) -> Custom {
    Custom {
        rule: rule.to_owned(),
        check: Box::new(check),
    }
}

impl fmt::Debug for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Custom({})", self.rule)
    }
}

impl Validator for Custom {
    fn rule(&self) -> String {
        self.rule.clone()
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        if let Err(problem) = (self.check)(value) {
            diags.push(invalid(path, &self.rule, problem));
        }
    }
}

/// Applies a validator to each element of a list, set or map.
#[derive(Debug)]
pub struct Each<V>(pub V);

impl<V: Validator> Validator for Each<V> {
    fn rule(&self) -> String {
        format!("have elements that each {}", self.0.rule())
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        match value {
            Value::List(items) | Value::Tuple(items) => {
                for (i, v) in items.iter().enumerate() {
                    if v.is_known() && !v.is_null() {
                        self.0.validate(v, &path.join_index(i), diags);
                    }
                }
            }
            Value::Set(items) => {
                for v in items.iter().filter(|v| v.is_known() && !v.is_null()) {
                    self.0.validate(v, path, diags);
                }
            }
            Value::Map(items) => {
                for (k, v) in items {
                    if v.is_known() && !v.is_null() {
                        self.0.validate(v, &path.join_key(k), diags);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod number_between_tests {
    use super::*;

    #[test]
    fn fractions_in_range_pass_and_tiny_huge_or_negative_numbers_fail() {
        let rule = NumberBetween(0.01, 10_000.0);
        let path = Path::attr("rate_limits").join_index(0).join_attr("room");
        for ok in ["0.01", "0.5", "5", "10000"] {
            let mut diags = Diagnostics::default();
            rule.validate(&Value::Number(ok.parse().unwrap()), &path, &mut diags);
            assert!(diags.is_empty(), "{ok}");
        }
        for bad in ["1e-30", "0", "-1", "10000.5", "1e100000"] {
            let mut diags = Diagnostics::default();
            rule.validate(&Value::Number(bad.parse().unwrap()), &path, &mut diags);
            let d = diags
                .iter()
                .next()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(d.path.as_ref(), Some(&path));
            assert!(d.detail.contains("from 0.01 to 10000"), "{}", d.detail);
        }
    }
}

/// Validates a string attribute as a Go duration within bounds, at the attribute.
#[derive(Clone, Copy, Debug)]
pub struct DurationBetween(pub DurationBounds);

impl Validator for DurationBetween {
    fn rule(&self) -> String {
        format!(
            "be a duration such as \"30s\", \"15m\" or \"1h30m\", from {}",
            self.0
        )
    }

    fn validate(&self, value: &Value, path: &Path, diags: &mut Diagnostics) {
        let Value::String(text) = value else { return };
        if let Err(e) = check_go_duration(text, self.0) {
            // A 1,000,000-character value is not echoed back whole.
            let shown: String = text.chars().take(64).collect();
            let ellipsis = if shown.len() < text.len() { "…" } else { "" };
            diags.push(
                Diagnostic::error(
                    "Invalid Attribute Value",
                    format!(
                        "Attribute {path} must {}; {shown:?}{ellipsis} {e}.",
                        self.rule()
                    ),
                )
                .at(path.clone()),
            );
        }
    }
}

#[cfg(test)]
mod duration_tests {
    use super::*;
    use crate::duration::OPERATION_TIMEOUT;

    #[test]
    fn the_validator_reports_at_the_attribute_and_shortens_huge_values() {
        let path = Path::attr("timeouts").join_attr("create");
        let mut diags = Diagnostics::default();
        let huge = "9".repeat(1_000_000) + "h";
        DurationBetween(OPERATION_TIMEOUT).validate(&Value::String(huge), &path, &mut diags);
        let d = diags.iter().next().expect("one diagnostic");
        assert_eq!(d.path.as_ref(), Some(&path));
        assert!(d.detail.len() < 400, "{}", d.detail);
        assert!(d.detail.contains("1s to 24h"), "{}", d.detail);
    }
}
