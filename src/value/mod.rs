//! Terraform's value model: types, values with null and unknown at every level, attribute
//! paths, and the two wire encodings Terraform uses (msgpack for plans and state, JSON for state
//! upgrades and identity).
//!
//! Values are untyped trees; the type travels beside them (a schema's implied type), the way
//! Terraform itself encodes them. The one exception is a value in a `dynamic` position, which must
//! remember the concrete type it was written with ([`Value::Dynamic`]).

mod number;
mod path;
mod types;

pub mod json;
pub mod msgpack;

use std::collections::BTreeMap;

pub use number::{NonFiniteError, Number, ParseNumberError};
pub use path::{Path, PathStep};
pub use types::{Type, TypeJsonError};

/// What Terraform knows about a value that is not known yet (ext 12 refinements, Terraform ≥1.6).
/// Refinements only narrow the range of the eventual value; dropping them is always safe.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: the value will not be null.
    pub nullness: Option<bool>,
    pub string_prefix: Option<String>,
    pub number_lower: Option<(Number, bool)>,
    pub number_upper: Option<(Number, bool)>,
    pub length_lower: Option<u64>,
    pub length_upper: Option<u64>,
}

/// A Terraform value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements in the order they were received; equality of sets is order-insensitive.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A known, non-null value in a position typed `dynamic`, with its concrete type.
    /// (Terraform can also send a typed null or unknown this way, `[type, nil]`; the codecs
    /// decode that as `Dynamic(ty, Null)` / `Dynamic(ty, Unknown)` so it round-trips.) A plain
    /// null or unknown in a dynamic position is `Value::Null` / `Value::Unknown`. Encoding a plain
    /// known value in a dynamic position writes it with the type it implies
    /// ([`Type::implied_by`]).
    Dynamic(Box<Type>, Box<Value>),
}

impl Value {
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn int(i: i64) -> Value {
        Value::Number(Number::from(i))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// Known at this level (its elements may still be unknown).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Known at every level.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// An object's attribute; `None` for anything that is not a known object.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.to_i64(),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The value at `path`, if every step exists.
    pub fn at(&self, path: &Path) -> Option<&Value> {
        path.steps()
            .iter()
            .try_fold(self, |v, step| match (step, v) {
                (PathStep::Attribute(a), Value::Object(m)) => m.get(a),
                (PathStep::Key(k), Value::Map(m)) => m.get(k),
                (PathStep::Index(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    usize::try_from(*i).ok().and_then(|i| v.get(i))
                }
                (_, Value::Dynamic(_, inner)) => inner.at(&Path::from(vec![step.clone()])),
                _ => None,
            })
    }

    /// Semantic equality: sets compare without regard to order, numbers numerically, unknowns
    /// compare equal to unknowns regardless of refinements.
    pub fn semantically_equal(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Unknown(_), Value::Unknown(_)) => true,
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len()
                    && a.iter().all(|x| b.iter().any(|y| x.semantically_equal(y)))
                    && b.iter().all(|y| a.iter().any(|x| x.semantically_equal(y)))
            }
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.semantically_equal(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, x)| b.get(k).is_some_and(|y| x.semantically_equal(y)))
            }
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a.semantically_equal(b),
            _ => self == other,
        }
    }
}

/// Null: the value of an attribute nobody set.
impl Default for Value {
    fn default() -> Value {
        Value::Null
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}
