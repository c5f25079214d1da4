//! Typed models: the bridge between Terraform values and the plain Rust structs resource code
//! works with. A model's field names are the schema's attribute names; `Option` stands for an
//! attribute that may be null (or, on apply, still unknown because the provider computes it).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize};

use crate::value::{Number, Path, PathStep, Type, Value};

/// A value that does not fit its model, and where in the value (innermost step first while
/// the error travels outwards).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{message}")]
pub struct ModelError {
    message: String,
    steps_reversed: Vec<PathStep>,
}

impl ModelError {
    fn new(message: String) -> ModelError {
        ModelError {
            message,
            steps_reversed: Vec::new(),
        }
    }

    fn within(mut self, step: PathStep) -> ModelError {
        self.steps_reversed.push(step);
        self
    }

    /// The error for a value Terraform sent that does not fit the model (`what`: "the plan",
    /// "the state", "the configuration"): at the attribute when one is to blame. Terraform's own
    /// checks make this rare (a hand-edited state, a fraction where a whole number belongs).
    pub fn diagnostic(&self, what: &str) -> crate::diagnostics::Diagnostic {
        let path = self.path();
        if path.is_root() {
            crate::diagnostics::Diagnostic::error(
                "Invalid Value",
                format!("Reading {what}: {}.", self.message),
            )
        } else {
            crate::diagnostics::Diagnostic::error(
                "Invalid Attribute Value",
                format!(
                    "Attribute {path} in {what} cannot be used: {}.",
                    self.message
                ),
            )
            .at(path)
        }
    }

    /// Where in the value the mismatch is (the root when the whole value is at fault).
    pub fn path(&self) -> Path {
        Path::from(
            self.steps_reversed
                .iter()
                .rev()
                .cloned()
                .collect::<Vec<_>>(),
        )
    }
}

impl de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError::new(msg.to_string())
    }
}

impl ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError::new(msg.to_string())
    }
}

/// Reads a model from a value. Unknown values read as `None`.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    T::deserialize(ValueDeserializer(value))
}

/// Writes a model as a value of type `ty`: lists become sets where the type says so, and object
/// attributes the model lacks become null.
pub fn to_value<T: Serialize>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    conform(model.serialize(ValueSerializer)?, ty)
}

/// Reshapes a value built without type information to `ty`.
pub fn conform(value: Value, ty: &Type) -> Result<Value, ModelError> {
    Ok(match (value, ty) {
        (v @ (Value::Null | Value::Unknown(_)), _) => v,
        (v, Type::Dynamic) => v,
        (Value::List(v) | Value::Set(v) | Value::Tuple(v), Type::List(t)) => Value::List(
            v.into_iter()
                .map(|e| conform(e, t))
                .collect::<Result<_, _>>()?,
        ),
        (Value::List(v) | Value::Set(v) | Value::Tuple(v), Type::Set(t)) => {
            let mut out: Vec<Value> = Vec::with_capacity(v.len());
            for e in v {
                let e = conform(e, t)?;
                if !out.iter().any(|o| o.semantically_equal(&e)) {
                    out.push(e);
                }
            }
            Value::Set(out)
        }
        (Value::List(v) | Value::Tuple(v), Type::Tuple(ts)) if v.len() == ts.len() => Value::Tuple(
            v.into_iter()
                .zip(ts)
                .map(|(e, t)| conform(e, t))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(m) | Value::Object(m), Type::Map(t)) => Value::Map(
            m.into_iter()
                .map(|(k, e)| Ok((k, conform(e, t)?)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(mut m) | Value::Object(mut m), Type::Object(attrs)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ModelError::new(format!(
                    "model has attribute {extra:?} that the schema lacks"
                )));
            }
            let mut out = BTreeMap::new();
            for (name, t) in attrs {
                let v = m.remove(name).unwrap_or(Value::Null);
                out.insert(name.clone(), conform(v, t)?);
            }
            Value::Object(out)
        }
        (v @ Value::String(_), Type::String)
        | (v @ Value::Number(_), Type::Number)
        | (v @ Value::Bool(_), Type::Bool) => v,
        (v, t) => {
            return Err(ModelError::new(format!(
                "model value {v:?} does not fit type {}",
                String::from_utf8_lossy(&t.to_json())
            )));
        }
    })
}

struct ValueDeserializer<'a>(&'a Value);

impl<'de, 'a> de::Deserializer<'de> for ValueDeserializer<'a> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::Null | Value::Unknown(_) => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match n.to_i64() {
                Some(i) => visitor.visit_i64(i),
                None => visitor.visit_f64(n.to_f64()),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => visitor.visit_seq(Seq::new(v)),
            Value::Map(m) | Value::Object(m) => visitor.visit_map(Map {
                iter: m.iter(),
                next: None,
                object: matches!(self.0, Value::Object(_)),
            }),
            Value::Dynamic(_, v) => ValueDeserializer(v).deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::Null | Value::Unknown(_) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// A block list that is null or not yet known reads as empty: block collections are never
    /// null on the wire, and a model field for one is a plain `Vec`.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::Null | Value::Unknown(_) => visitor.visit_seq(Seq::new(&[])),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            other => Err(ModelError::new(format!(
                "expected a string for an enumeration, got {other:?}"
            ))),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq<'a>(std::iter::Enumerate<std::slice::Iter<'a, Value>>);

impl<'a> Seq<'a> {
    fn new(items: &'a [Value]) -> Seq<'a> {
        Seq(items.iter().enumerate())
    }
}

impl<'de, 'a> SeqAccess<'de> for Seq<'a> {
    type Error = ModelError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ModelError> {
        self.0
            .next()
            .map(|(i, v)| {
                seed.deserialize(ValueDeserializer(v))
                    .map_err(|e| e.within(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX))))
            })
            .transpose()
    }
}

struct Map<'a> {
    iter: std::collections::btree_map::Iter<'a, String, Value>,
    next: Option<(&'a String, &'a Value)>,
    /// An object's members are attributes; a map's are keys.
    object: bool,
}

impl<'de, 'a> MapAccess<'de> for Map<'a> {
    type Error = ModelError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.next = Some((k, v));
                seed.deserialize(k.as_str().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ModelError> {
        match self.next.take() {
            Some((k, v)) => seed.deserialize(ValueDeserializer(v)).map_err(|e| {
                e.within(if self.object {
                    PathStep::Attribute(k.clone())
                } else {
                    PathStep::Key(k.clone())
                })
            }),
            None => Err(ModelError::new(
                "map value requested before its key".to_owned(),
            )),
        }
    }
}

struct ValueSerializer;

fn number(n: Number) -> Result<Value, ModelError> {
    Ok(Value::Number(n))
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = SerializeVec;
    type SerializeTuple = SerializeVec;
    type SerializeTupleStruct = SerializeVec;
    type SerializeTupleVariant = ser::Impossible<Value, ModelError>;
    type SerializeMap = SerializeMap;
    type SerializeStruct = SerializeMap;
    type SerializeStructVariant = ser::Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ModelError> {
        number(Number::from(i64::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ModelError> {
        number(Number::from(i64::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ModelError> {
        number(Number::from(i64::from(v)))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ModelError> {
        number(Number::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ModelError> {
        number(Number::from(i64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ModelError> {
        number(Number::from(i64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ModelError> {
        number(Number::from(i64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        number(Number::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ModelError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        Number::try_from(v)
            .map(Value::Number)
            .map_err(|_| ModelError::new(format!("{v} is not a finite number")))
    }
    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, ModelError> {
        Err(ModelError::new("bytes have no Terraform type".to_owned()))
    }
    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Value, ModelError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, ModelError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<Value, ModelError> {
        Err(ModelError::new(format!(
            "enum {name}::{variant} with data has no Terraform type"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SerializeVec, ModelError> {
        Ok(SerializeVec(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SerializeVec, ModelError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SerializeVec, ModelError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(ModelError::new(format!(
            "enum {name}::{variant} with data has no Terraform type"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<SerializeMap, ModelError> {
        Ok(SerializeMap {
            map: BTreeMap::new(),
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<SerializeMap, ModelError> {
        Ok(SerializeMap {
            map: BTreeMap::new(),
            key: None,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(ModelError::new(format!(
            "enum {name}::{variant} with data has no Terraform type"
        )))
    }
}

struct SerializeVec(Vec<Value>);

impl ser::SerializeSeq for SerializeVec {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.0.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTuple for SerializeVec {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Tuple(self.0))
    }
}

impl ser::SerializeTupleStruct for SerializeVec {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Tuple(self.0))
    }
}

struct SerializeMap {
    map: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::SerializeMap for SerializeMap {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ModelError> {
        match key.serialize(ValueSerializer)? {
            Value::String(s) => {
                self.key = Some(s);
                Ok(())
            }
            other => Err(ModelError::new(format!(
                "map keys must be strings, got {other:?}"
            ))),
        }
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ModelError::new("map value before key".to_owned()))?;
        self.map.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Map(self.map))
    }
}

impl ser::SerializeStruct for SerializeMap {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ModelError> {
        self.map
            .insert(key.to_owned(), value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Object(self.map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Handler {
        uri: Option<String>,
        fallback_result: Option<String>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Room {
        arn: Option<String>,
        name: Option<String>,
        maximum_message_length: Option<i64>,
        tags: Option<BTreeMap<String, String>>,
        message_review_handler: Vec<Handler>,
        logging_configuration_identifiers: Option<Vec<String>>,
    }

    fn room_type() -> Type {
        let handler = Type::object([("uri", Type::String), ("fallback_result", Type::String)]);
        Type::object([
            ("arn", Type::String),
            ("name", Type::String),
            ("maximum_message_length", Type::Number),
            ("tags", Type::map(Type::String)),
            ("message_review_handler", Type::list(handler)),
            ("logging_configuration_identifiers", Type::set(Type::String)),
        ])
    }

    #[test]
    fn a_model_round_trips_through_a_value_of_the_schema_type() {
        let room = Room {
            arn: Some("arn:aws:ivschat:us-east-1:123456789012:room/abcdefghijkl".into()),
            name: Some("lobby".into()),
            maximum_message_length: Some(500),
            tags: Some(BTreeMap::from([("env".into(), "dev".into())])),
            message_review_handler: vec![Handler {
                uri: Some(String::new()),
                fallback_result: None,
            }],
            logging_configuration_identifiers: Some(vec!["b".into(), "a".into()]),
        };
        let value = to_value(&room, &room_type()).unwrap();
        assert!(
            matches!(value.attr("logging_configuration_identifiers"), Some(Value::Set(s)) if s.len() == 2)
        );
        assert!(
            matches!(value.attr("message_review_handler"), Some(Value::List(l)) if l.len() == 1)
        );
        assert_eq!(value.attr("name"), Some(&Value::string("lobby")));
        let back: Room = from_value(&value).unwrap();
        assert_eq!(back, room);
    }

    #[test]
    fn unknown_and_null_read_as_none_and_missing_attributes_write_as_null() {
        let mut value = to_value(&Room::default(), &room_type()).unwrap();
        assert_eq!(value.attr("arn"), Some(&Value::Null));
        *value.attr_mut("arn").unwrap() = Value::unknown();
        let back: Room = from_value(&value).unwrap();
        assert_eq!(back.arn, None);

        #[derive(Serialize)]
        struct Partial {
            name: &'static str,
        }
        let v = to_value(&Partial { name: "x" }, &room_type()).unwrap();
        assert_eq!(v.attr("tags"), Some(&Value::Null));
        assert_eq!(v.attr("name"), Some(&Value::string("x")));
    }

    #[test]
    fn attributes_the_schema_lacks_are_refused() {
        #[derive(Serialize)]
        struct Extra {
            bogus: bool,
        }
        let err = to_value(&Extra { bogus: true }, &room_type()).unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
    }

    #[test]
    fn duplicate_set_elements_collapse() {
        let v = conform(
            Value::List(vec!["a".into(), "a".into()]),
            &Type::set(Type::String),
        )
        .unwrap();
        assert_eq!(v, Value::Set(vec!["a".into()]));
    }

    /// Found by the RPC fuzzer: a fraction where a whole number belongs, or a null block,
    /// was reported as a provider bug with no attribute; now it names the attribute.
    #[test]
    fn a_value_that_does_not_fit_names_the_attribute() {
        let mut value = to_value(&Room::default(), &room_type()).unwrap();
        *value.attr_mut("maximum_message_length").unwrap() = Value::Number("0.5".parse().unwrap());
        let e = from_value::<Room>(&value).unwrap_err();
        assert_eq!(e.path(), Path::attr("maximum_message_length"));
        let d = e.diagnostic("the plan");
        assert_eq!(d.summary, "Invalid Attribute Value");
        assert_eq!(d.path, Some(Path::attr("maximum_message_length")));

        let mut value = to_value(&Room::default(), &room_type()).unwrap();
        *value.attr_mut("message_review_handler").unwrap() = Value::List(vec![Value::Object(
            BTreeMap::from([("uri".to_owned(), Value::int(7))]),
        )]);
        let e = from_value::<Room>(&value).unwrap_err();
        assert_eq!(
            e.path(),
            Path::attr("message_review_handler")
                .join_index(0)
                .join_attr("uri")
        );
        let mut value = to_value(&Room::default(), &room_type()).unwrap();
        *value.attr_mut("tags").unwrap() =
            Value::Map(BTreeMap::from([("env".to_owned(), Value::Bool(true))]));
        let e = from_value::<Room>(&value).unwrap_err();
        assert_eq!(e.path(), Path::attr("tags").join_key("env"));
    }
}
