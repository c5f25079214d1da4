//! Terraform types and their JSON form (the form used in schemas and in dynamic values).

use std::collections::BTreeMap;
use std::fmt;

use super::Value;

/// A Terraform type. `Dynamic` is the "any type" placeholder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// Why bytes are not a Terraform type description.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TypeJsonError {
    #[error("type JSON is not valid JSON: {0}")]
    Syntax(String),
    #[error("invalid type description: {0}")]
    Invalid(String),
    #[error("type description nested too deeply")]
    TooDeep,
}

/// serde_json refuses nesting beyond 128 levels; the conversion below is bounded the same way.
const MAX_TYPE_DEPTH: usize = 128;

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Type)>) -> Type {
        Type::Object(
            attributes
                .into_iter()
                .map(|(k, t)| (k.to_owned(), t))
                .collect(),
        )
    }

    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// Element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// Attribute types of an object.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }

    /// List, set or map.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// Whether `dynamic` appears anywhere in the type.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::String | Type::Number | Type::Bool => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Object(a) => a.values().any(Type::has_dynamic),
            Type::Tuple(e) => e.iter().any(Type::has_dynamic),
        }
    }

    /// Compact type JSON exactly as Terraform writes it: `"string"`, `["list","string"]`,
    /// `["object",{"a":"number"}]` (attributes sorted by name), `["tuple",["bool"]]`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        self.write_json(&mut out);
        out
    }

    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Type::String => out.extend_from_slice(b"\"string\""),
            Type::Number => out.extend_from_slice(b"\"number\""),
            Type::Bool => out.extend_from_slice(b"\"bool\""),
            Type::Dynamic => out.extend_from_slice(b"\"dynamic\""),
            Type::List(t) => {
                out.extend_from_slice(b"[\"list\",");
                t.write_json(out);
                out.push(b']');
            }
            Type::Set(t) => {
                out.extend_from_slice(b"[\"set\",");
                t.write_json(out);
                out.push(b']');
            }
            Type::Map(t) => {
                out.extend_from_slice(b"[\"map\",");
                t.write_json(out);
                out.push(b']');
            }
            Type::Object(attrs) => {
                out.extend_from_slice(b"[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    super::json::write_json_string(out, name);
                    out.push(b':');
                    t.write_json(out);
                }
                out.extend_from_slice(b"}]");
            }
            Type::Tuple(elems) => {
                out.extend_from_slice(b"[\"tuple\",[");
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    t.write_json(out);
                }
                out.extend_from_slice(b"]]");
            }
        }
    }

    /// Parses type JSON. Also accepts the object form with a third element listing optional
    /// attributes (`["object",{"a":"string"},["a"]]`, written by Terraform for type constraints
    /// with `optional(...)`); the optional markers are dropped.
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeJsonError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TypeJsonError::Syntax(e.to_string()))?;
        Type::from_json_value(&v, 0)
    }

    fn from_json_value(v: &serde_json::Value, depth: usize) -> Result<Type, TypeJsonError> {
        use serde_json::Value as J;
        if depth > MAX_TYPE_DEPTH {
            return Err(TypeJsonError::TooDeep);
        }
        let invalid = |msg: &str| TypeJsonError::Invalid(msg.to_owned());
        match v {
            J::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(TypeJsonError::Invalid(format!(
                    "unknown primitive type name {other:?}"
                ))),
            },
            J::Array(items) => {
                let Some(J::String(kind)) = items.first() else {
                    return Err(invalid("a complex type must start with its kind name"));
                };
                let kind = kind.as_str();
                let expect_len = |n: usize| {
                    if items.len() == n {
                        Ok(())
                    } else {
                        Err(TypeJsonError::Invalid(format!(
                            "{kind} type needs {} element(s)",
                            n - 1
                        )))
                    }
                };
                match kind {
                    "list" | "set" | "map" => {
                        expect_len(2)?;
                        let t = Box::new(Type::from_json_value(&items[1], depth + 1)?);
                        Ok(match kind {
                            "list" => Type::List(t),
                            "set" => Type::Set(t),
                            _ => Type::Map(t),
                        })
                    }
                    "object" => {
                        if items.len() != 2 && items.len() != 3 {
                            return Err(invalid("object type needs an attribute map"));
                        }
                        let J::Object(attrs) = &items[1] else {
                            return Err(invalid("object attributes must be a JSON object"));
                        };
                        let mut out = BTreeMap::new();
                        for (name, t) in attrs {
                            out.insert(name.clone(), Type::from_json_value(t, depth + 1)?);
                        }
                        if let Some(optional) = items.get(2) {
                            let J::Array(names) = optional else {
                                return Err(invalid(
                                    "optional attributes must be an array of names",
                                ));
                            };
                            for name in names {
                                let J::String(name) = name else {
                                    return Err(invalid(
                                        "optional attributes must be an array of names",
                                    ));
                                };
                                if !out.contains_key(name) {
                                    return Err(TypeJsonError::Invalid(format!(
                                        "optional attribute {name:?} is not an attribute of the object"
                                    )));
                                }
                            }
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        expect_len(2)?;
                        let J::Array(elems) = &items[1] else {
                            return Err(invalid("tuple elements must be a JSON array"));
                        };
                        elems
                            .iter()
                            .map(|t| Type::from_json_value(t, depth + 1))
                            .collect::<Result<Vec<_>, _>>()
                            .map(Type::Tuple)
                    }
                    other => Err(TypeJsonError::Invalid(format!(
                        "unknown complex type kind {other:?}"
                    ))),
                }
            }
            _ => Err(invalid("a type is a string or an array")),
        }
    }

    /// The type Terraform would infer for a known value (as cty's implied type does), used when a
    /// plain value sits in a `dynamic` position. Nulls and unknowns imply `dynamic`; an empty
    /// list, set or map implies a `dynamic` element type; elements of differing types imply
    /// nothing (`None`).
    pub fn implied_by(value: &Value) -> Option<Type> {
        Some(match value {
            Value::Null | Value::Unknown(_) => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::Dynamic(t, _) => (**t).clone(),
            Value::List(v) => Type::list(Self::common_element(v.iter())?),
            Value::Set(v) => Type::set(Self::common_element(v.iter())?),
            Value::Map(m) => Type::map(Self::common_element(m.values())?),
            Value::Tuple(v) => Type::Tuple(v.iter().map(Type::implied_by).collect::<Option<_>>()?),
            Value::Object(m) => Type::Object(
                m.iter()
                    .map(|(k, v)| Some((k.clone(), Type::implied_by(v)?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    fn common_element<'a>(mut values: impl Iterator<Item = &'a Value>) -> Option<Type> {
        let Some(first) = values.next() else {
            return Some(Type::Dynamic);
        };
        let t = Type::implied_by(first)?;
        for v in values {
            if Type::implied_by(v)? != t {
                return None;
            }
        }
        Some(t)
    }
}

/// Terraform's friendly type syntax: `list(string)`, `object({a=number})`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Object(a) => {
                f.write_str("object({")?;
                for (i, (k, t)) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                f.write_str("})")
            }
            Type::Tuple(e) => {
                f.write_str("tuple([")?;
                for (i, t) in e.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_golden() {
        let cases: Vec<(Type, &str)> = vec![
            (Type::String, r#""string""#),
            (Type::Number, r#""number""#),
            (Type::Bool, r#""bool""#),
            (Type::Dynamic, r#""dynamic""#),
            (Type::list(Type::String), r#"["list","string"]"#),
            (Type::set(Type::Number), r#"["set","number"]"#),
            (
                Type::map(Type::list(Type::Bool)),
                r#"["map",["list","bool"]]"#,
            ),
            (
                Type::object([("b", Type::Number), ("a", Type::String)]),
                r#"["object",{"a":"string","b":"number"}]"#,
            ),
            (Type::object([]), r#"["object",{}]"#),
            (
                Type::tuple([Type::String, Type::Dynamic]),
                r#"["tuple",["string","dynamic"]]"#,
            ),
            (Type::tuple([]), r#"["tuple",[]]"#),
        ];
        for (t, json) in cases {
            assert_eq!(String::from_utf8(t.to_json()).unwrap(), json);
            assert_eq!(Type::from_json(json.as_bytes()).unwrap(), t);
        }
    }

    #[test]
    fn json_accepts_whitespace_and_optional_attrs() {
        assert_eq!(
            Type::from_json(
                br#" [ "object" , { "a" : "string", "b": ["list","number"] }, ["a"] ] "#
            )
            .unwrap(),
            Type::object([("a", Type::String), ("b", Type::list(Type::Number))])
        );
    }

    #[test]
    fn json_rejects() {
        for bad in [
            &b""[..],
            b"null",
            b"1",
            b"\"str\"",
            b"[]",
            b"[\"list\"]",
            b"[\"list\",\"string\",\"string\"]",
            b"[\"object\",[]]",
            b"[\"object\",{\"a\":\"string\"},[\"b\"]]",
            b"[\"object\",{\"a\":\"string\"},\"a\"]",
            b"[\"tuple\",{}]",
            b"[\"blob\",\"string\"]",
            b"\"string\" x",
            b"\"string\"\"number\"",
        ] {
            assert!(
                Type::from_json(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!(
            "{}\"string\"{}",
            "[\"list\",".repeat(2000),
            "]".repeat(2000)
        );
        assert!(Type::from_json(deep.as_bytes()).is_err());
    }

    #[test]
    fn display() {
        assert_eq!(
            Type::object([
                ("a", Type::list(Type::String)),
                ("b", Type::tuple([Type::Number, Type::Bool]))
            ])
            .to_string(),
            "object({a=list(string),b=tuple([number,bool])})"
        );
    }

    #[test]
    fn implied() {
        use std::collections::BTreeMap;
        assert_eq!(Type::implied_by(&Value::string("x")), Some(Type::String));
        assert_eq!(
            Type::implied_by(&Value::List(vec![Value::int(1), Value::int(2)])),
            Some(Type::list(Type::Number))
        );
        assert_eq!(
            Type::implied_by(&Value::List(vec![Value::int(1), Value::from("a")])),
            None
        );
        assert_eq!(
            Type::implied_by(&Value::Object(BTreeMap::from([(
                "a".to_owned(),
                Value::Null
            )]))),
            Some(Type::object([("a", Type::Dynamic)]))
        );
    }
}
