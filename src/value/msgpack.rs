//! The msgpack encoding of values that Terraform uses in `DynamicValue.msgpack` (cty's msgpack
//! format).
//!
//! - null is `nil`; an unknown value is an extension (`d4 00 00`, or ext 12 carrying
//!   refinements); any extension decodes as unknown.
//! - numbers are an int when exactly an int64, else a float64 when exact, else decimal text.
//! - list, set and tuple are arrays; map and object are maps with string keys (an object has
//!   every attribute, in name order).
//! - a known value in a `dynamic` position is `[type JSON (bin), value]`.
//!
//! Decoding never panics on arbitrary input, rejects trailing bytes and bounds nesting depth.

use std::collections::BTreeMap;

use rmp::Marker;

use super::number::NonFiniteError;
use super::{Number, Path, PathStep, Refinements, Type, TypeJsonError, Value};

/// Deepest nesting of values (collections, objects, dynamic wrappers) accepted.
pub const MAX_DEPTH: usize = 128;

/// The unknown extension Terraform (cty) writes for an unrefined unknown value.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];
/// Extension type carrying refinements of an unknown value.
const REFINED_UNKNOWN_EXT: i8 = 12;
/// Refinement payloads larger than this are ignored (cty refuses them as abusive).
const MAX_REFINEMENT_LEN: usize = 1024;

const REFINE_NULLNESS: i64 = 1;
const REFINE_STRING_PREFIX: i64 = 2;
const REFINE_NUMBER_LOWER: i64 = 3;
const REFINE_NUMBER_UPPER: i64 = 4;
const REFINE_LENGTH_LOWER: i64 = 5;
const REFINE_LENGTH_UPPER: i64 = 6;

/// A msgpack payload that does not hold a value of the expected type.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{kind}", at(path))]
pub struct MsgpackDecodeError {
    /// Where in the value the problem is (root for the value itself).
    pub path: Path,
    pub kind: MsgpackDecodeErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MsgpackDecodeErrorKind {
    #[error("unexpected end of msgpack data")]
    UnexpectedEof,
    #[error("{0} unexpected byte(s) after the value")]
    TrailingBytes(usize),
    #[error("{expected} is required, found {found}")]
    Expected {
        expected: &'static str,
        found: &'static str,
    },
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    #[error("invalid number {0:?}")]
    InvalidNumber(String),
    #[error("number is not finite")]
    NonFiniteNumber,
    #[error("missing attribute {0:?}")]
    MissingAttribute(String),
    #[error("unsupported attribute {0:?}")]
    UnexpectedAttribute(String),
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    #[error("a tuple of length {expected} is required, found {found}")]
    TupleLength { expected: usize, found: usize },
    #[error("a dynamic value must be a 2-element array, found {0} elements")]
    DynamicLength(usize),
    #[error("invalid type in dynamic value: {0}")]
    TypeJson(#[from] TypeJsonError),
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// A value that cannot be encoded against the given type.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{kind}", at(path))]
pub struct MsgpackEncodeError {
    pub path: Path,
    pub kind: MsgpackEncodeErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MsgpackEncodeErrorKind {
    #[error("{found} value does not conform to type {expected}")]
    TypeMismatch {
        expected: String,
        found: &'static str,
    },
    #[error("missing attribute {0:?}")]
    MissingAttribute(String),
    #[error("unsupported attribute {0:?}")]
    UnexpectedAttribute(String),
    #[error("a tuple of length {expected} is required, found {found}")]
    TupleLength { expected: usize, found: usize },
    #[error("cannot infer the type of a value in a dynamic position; wrap it in Value::Dynamic")]
    CannotInferType,
    #[error("collection too long for msgpack")]
    TooLong,
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("msgpack write failed: {0}")]
    Write(String),
}

pub(super) fn at(path: &Path) -> String {
    if path.is_root() {
        String::new()
    } else {
        format!("at {path}: ")
    }
}

/// A short name for what a value is, for error messages.
pub(super) fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown(_) => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
        Value::Dynamic(..) => "dynamic",
    }
}

/// Decodes a msgpack value of type `ty`; the whole input must be that one value.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, MsgpackDecodeError> {
    let mut d = Decoder { buf: bytes, pos: 0 };
    let v = d.value(ty, 0).map_err(MsgpackDecodeError::from)?;
    if d.pos != bytes.len() {
        return Err(MsgpackDecodeError {
            path: Path::root(),
            kind: MsgpackDecodeErrorKind::TrailingBytes(bytes.len() - d.pos),
        });
    }
    Ok(v)
}

/// Encodes `value` as type `ty`, as Terraform would.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, MsgpackEncodeError> {
    let mut out = Vec::with_capacity(128);
    encode_into(&mut out, value, ty)?;
    Ok(out)
}

/// Appends the encoding of `value` as type `ty` to `out`.
pub fn encode_into(out: &mut Vec<u8>, value: &Value, ty: &Type) -> Result<(), MsgpackEncodeError> {
    write_value(out, value, ty, 0).map_err(MsgpackEncodeError::from)
}

/// An error on its way out, collecting path steps innermost first.
pub(super) struct Fail<K> {
    pub(super) rev_steps: Vec<PathStep>,
    pub(super) kind: K,
}

pub(super) type R<T, K> = Result<T, Box<Fail<K>>>;

pub(super) fn fail<T, K>(kind: K) -> R<T, K> {
    Err(Box::new(Fail {
        rev_steps: Vec::new(),
        kind,
    }))
}

impl From<Box<Fail<MsgpackDecodeErrorKind>>> for MsgpackDecodeError {
    fn from(f: Box<Fail<MsgpackDecodeErrorKind>>) -> MsgpackDecodeError {
        MsgpackDecodeError {
            path: Path::from_reversed(f.rev_steps),
            kind: f.kind,
        }
    }
}

impl From<Box<Fail<MsgpackEncodeErrorKind>>> for MsgpackEncodeError {
    fn from(f: Box<Fail<MsgpackEncodeErrorKind>>) -> MsgpackEncodeError {
        MsgpackEncodeError {
            path: Path::from_reversed(f.rev_steps),
            kind: f.kind,
        }
    }
}

/// Adds a path step to an error passing through this level.
pub(super) trait InPath<T, K> {
    fn in_path(self, step: impl FnOnce() -> PathStep) -> R<T, K>;
}

impl<T, K> InPath<T, K> for R<T, K> {
    fn in_path(self, step: impl FnOnce() -> PathStep) -> R<T, K> {
        self.map_err(|mut f| {
            f.rev_steps.push(step());
            f
        })
    }
}

pub(super) fn index_step(i: usize) -> PathStep {
    PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX))
}

fn marker_name(m: Marker) -> &'static str {
    match m {
        Marker::FixPos(_) | Marker::FixNeg(_) => "integer",
        Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => "integer",
        Marker::I8 | Marker::I16 | Marker::I32 | Marker::I64 => "integer",
        Marker::F32 | Marker::F64 => "float",
        Marker::Null => "nil",
        Marker::True | Marker::False => "bool",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "map",
        Marker::FixExt1
        | Marker::FixExt2
        | Marker::FixExt4
        | Marker::FixExt8
        | Marker::FixExt16
        | Marker::Ext8
        | Marker::Ext16
        | Marker::Ext32 => "extension",
        Marker::Reserved => "reserved byte 0xc1",
    }
}

fn is_ext(m: Marker) -> bool {
    matches!(
        m,
        Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32
    )
}

type DR<T> = R<T, MsgpackDecodeErrorKind>;

struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn peek_marker(&self) -> DR<Marker> {
        match self.buf.get(self.pos) {
            Some(&b) => Ok(Marker::from_u8(b)),
            None => fail(MsgpackDecodeErrorKind::UnexpectedEof),
        }
    }

    fn take(&mut self, n: usize) -> DR<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => fail(MsgpackDecodeErrorKind::UnexpectedEof),
        }
    }

    fn array<const N: usize>(&mut self) -> DR<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u8(&mut self) -> DR<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> DR<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> DR<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> DR<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a length prefix as `usize` (u32 always fits on supported targets).
    fn len32(&mut self) -> DR<usize> {
        Ok(usize::try_from(self.u32()?).unwrap_or(usize::MAX))
    }

    fn expected<T>(&self, expected: &'static str) -> DR<T> {
        let found = self.peek_marker().map_or("end of data", marker_name);
        fail(MsgpackDecodeErrorKind::Expected { expected, found })
    }

    fn next_marker(&mut self) -> DR<Marker> {
        let m = self.peek_marker()?;
        self.pos += 1;
        Ok(m)
    }

    /// Reads a str (or bin, as cty also accepts) and returns its bytes.
    fn raw_str(&mut self, expected: &'static str) -> DR<&'a [u8]> {
        let len = match self.peek_marker()? {
            Marker::FixStr(n) => {
                self.pos += 1;
                usize::from(n)
            }
            Marker::Str8 | Marker::Bin8 => {
                self.pos += 1;
                usize::from(self.u8()?)
            }
            Marker::Str16 | Marker::Bin16 => {
                self.pos += 1;
                usize::from(self.u16()?)
            }
            Marker::Str32 | Marker::Bin32 => {
                self.pos += 1;
                self.len32()?
            }
            _ => return self.expected(expected),
        };
        self.take(len)
    }

    fn str(&mut self, expected: &'static str) -> DR<&'a str> {
        let raw = self.raw_str(expected)?;
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s),
            Err(_) => fail(MsgpackDecodeErrorKind::InvalidUtf8),
        }
    }

    fn array_len(&mut self, expected: &'static str) -> DR<usize> {
        match self.peek_marker()? {
            Marker::FixArray(n) => {
                self.pos += 1;
                Ok(usize::from(n))
            }
            Marker::Array16 => {
                self.pos += 1;
                Ok(usize::from(self.u16()?))
            }
            Marker::Array32 => {
                self.pos += 1;
                self.len32()
            }
            _ => self.expected(expected),
        }
    }

    fn map_len(&mut self, expected: &'static str) -> DR<usize> {
        match self.peek_marker()? {
            Marker::FixMap(n) => {
                self.pos += 1;
                Ok(usize::from(n))
            }
            Marker::Map16 => {
                self.pos += 1;
                Ok(usize::from(self.u16()?))
            }
            Marker::Map32 => {
                self.pos += 1;
                self.len32()
            }
            _ => self.expected(expected),
        }
    }

    /// A capacity hint that a hostile length prefix cannot inflate: every element takes at
    /// least one byte.
    fn capacity(&self, len: usize) -> usize {
        len.min(self.remaining())
    }

    fn value(&mut self, ty: &Type, depth: usize) -> DR<Value> {
        if depth > MAX_DEPTH {
            return fail(MsgpackDecodeErrorKind::TooDeep);
        }
        let m = self.peek_marker()?;
        if is_ext(m) {
            return self.unknown(ty);
        }
        if let Type::Dynamic = ty {
            return self.dynamic(depth);
        }
        if m == Marker::Null {
            self.pos += 1;
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => match m {
                Marker::True | Marker::False => {
                    self.pos += 1;
                    Ok(Value::Bool(m == Marker::True))
                }
                _ => self.expected("bool"),
            },
            Type::Number => self.number().map(Value::Number),
            Type::String => self.str("string").map(|s| Value::String(s.to_owned())),
            Type::List(ety) => self.sequence(ety, depth, "list").map(Value::List),
            Type::Set(ety) => self.sequence(ety, depth, "set").map(Value::Set),
            Type::Tuple(etys) => {
                let len = self.array_len("tuple")?;
                if len != etys.len() {
                    return fail(MsgpackDecodeErrorKind::TupleLength {
                        expected: etys.len(),
                        found: len,
                    });
                }
                let mut out = Vec::with_capacity(len);
                for (i, ety) in etys.iter().enumerate() {
                    out.push(self.value(ety, depth + 1).in_path(|| index_step(i))?);
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(ety) => {
                let len = self.map_len("map")?;
                let mut out = BTreeMap::new();
                for _ in 0..len {
                    let key = self.str("string map key")?;
                    let v = self
                        .value(ety, depth + 1)
                        .in_path(|| PathStep::Key(key.to_owned()))?;
                    if out.insert(key.to_owned(), v).is_some() {
                        return fail(MsgpackDecodeErrorKind::DuplicateKey(key.to_owned()));
                    }
                }
                Ok(Value::Map(out))
            }
            Type::Object(atys) => {
                let len = self.map_len("object")?;
                let mut out = BTreeMap::new();
                for _ in 0..len {
                    let key = self.str("attribute name")?;
                    let Some((name, aty)) = atys.get_key_value(key) else {
                        return fail(MsgpackDecodeErrorKind::UnexpectedAttribute(key.to_owned()))
                            .in_path(|| PathStep::Attribute(key.to_owned()));
                    };
                    let v = self
                        .value(aty, depth + 1)
                        .in_path(|| PathStep::Attribute(name.clone()))?;
                    if out.insert(name.clone(), v).is_some() {
                        return fail(MsgpackDecodeErrorKind::DuplicateKey(key.to_owned()));
                    }
                }
                if out.len() != atys.len()
                    && let Some(missing) = atys.keys().find(|k| !out.contains_key(*k))
                {
                    return fail(MsgpackDecodeErrorKind::MissingAttribute(missing.clone()));
                }
                Ok(Value::Object(out))
            }
            // Handled above.
            Type::Dynamic => self.dynamic(depth),
        }
    }

    fn sequence(&mut self, ety: &Type, depth: usize, what: &'static str) -> DR<Vec<Value>> {
        let len = self.array_len(what)?;
        let mut out = Vec::with_capacity(self.capacity(len));
        for i in 0..len {
            out.push(self.value(ety, depth + 1).in_path(|| index_step(i))?);
        }
        Ok(out)
    }

    fn dynamic(&mut self, depth: usize) -> DR<Value> {
        if self.peek_marker()? == Marker::Null {
            self.pos += 1;
            return Ok(Value::Null);
        }
        let len = self.array_len("dynamic value [type, value]")?;
        if len != 2 {
            return fail(MsgpackDecodeErrorKind::DynamicLength(len));
        }
        let type_json = self.raw_str("type JSON")?;
        let ty = Type::from_json(type_json).map_err(|e| {
            Box::new(Fail {
                rev_steps: Vec::new(),
                kind: e.into(),
            })
        })?;
        let v = self.value(&ty, depth + 1)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(v)))
    }

    fn number(&mut self) -> DR<Number> {
        let m = self.peek_marker()?;
        let n = match m {
            Marker::FixPos(n) => Number::from(i64::from(n)),
            Marker::FixNeg(n) => Number::from(i64::from(n)),
            Marker::U8
            | Marker::U16
            | Marker::U32
            | Marker::U64
            | Marker::I8
            | Marker::I16
            | Marker::I32
            | Marker::I64 => {
                self.pos += 1;
                match m {
                    Marker::U8 => Number::from(i64::from(self.u8()?)),
                    Marker::U16 => Number::from(i64::from(self.u16()?)),
                    Marker::U32 => Number::from(i64::from(self.u32()?)),
                    Marker::U64 => Number::from(self.u64()?),
                    Marker::I8 => Number::from(i64::from(i8::from_be_bytes(self.array()?))),
                    Marker::I16 => Number::from(i64::from(i16::from_be_bytes(self.array()?))),
                    Marker::I32 => Number::from(i64::from(i32::from_be_bytes(self.array()?))),
                    _ => Number::from(i64::from_be_bytes(self.array()?)),
                }
            }
            Marker::F32 | Marker::F64 => {
                self.pos += 1;
                let f = if m == Marker::F32 {
                    f64::from(f32::from_be_bytes(self.array()?))
                } else {
                    f64::from_be_bytes(self.array()?)
                };
                return Number::try_from(f)
                    .or_else(|NonFiniteError| fail(MsgpackDecodeErrorKind::NonFiniteNumber));
            }
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let s = self.str("number")?;
                return s
                    .parse()
                    .or_else(|_| fail(MsgpackDecodeErrorKind::InvalidNumber(truncate(s))));
            }
            _ => return self.expected("number"),
        };
        if matches!(m, Marker::FixPos(_) | Marker::FixNeg(_)) {
            self.pos += 1;
        }
        Ok(n)
    }

    /// Reads an extension as an unknown value of type `ty`, with its refinements when the
    /// payload is a well-formed refinement map for that type.
    fn unknown(&mut self, ty: &Type) -> DR<Value> {
        let m = self.next_marker()?;
        let len = match m {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => usize::from(self.u8()?),
            Marker::Ext16 => usize::from(self.u16()?),
            _ => self.len32()?,
        };
        let ext_type = i8::from_be_bytes(self.array()?);
        let payload = self.take(len)?;
        let refinements = if ext_type == REFINED_UNKNOWN_EXT
            && len > 1
            && len <= MAX_REFINEMENT_LEN
            && *ty != Type::Dynamic
        {
            parse_refinements(payload, ty).unwrap_or_default()
        } else {
            Refinements::default()
        };
        // "Definitely null" collapses to a known null, as it does in Terraform.
        if refinements.nullness == Some(true) {
            return Ok(Value::Null);
        }
        Ok(Value::Unknown(refinements))
    }

    fn int(&mut self) -> DR<i64> {
        match self.peek_marker()? {
            Marker::FixPos(_)
            | Marker::FixNeg(_)
            | Marker::U8
            | Marker::U16
            | Marker::U32
            | Marker::I8
            | Marker::I16
            | Marker::I32
            | Marker::I64 => self
                .number()?
                .to_i64()
                .map_or_else(|| self.expected("integer"), Ok),
            Marker::U64 => {
                let n = self.number()?;
                n.to_i64().map_or_else(
                    || fail(MsgpackDecodeErrorKind::InvalidNumber(n.to_string())),
                    Ok,
                )
            }
            _ => self.expected("integer"),
        }
    }

    /// Skips one msgpack value of any kind.
    fn skip(&mut self, depth: usize) -> DR<()> {
        if depth > MAX_DEPTH {
            return fail(MsgpackDecodeErrorKind::TooDeep);
        }
        let m = self.next_marker()?;
        let (skip_bytes, items) = match m {
            Marker::FixPos(_)
            | Marker::FixNeg(_)
            | Marker::Null
            | Marker::True
            | Marker::False
            | Marker::Reserved => (0, 0),
            Marker::U8 | Marker::I8 => (1, 0),
            Marker::U16 | Marker::I16 => (2, 0),
            Marker::U32 | Marker::I32 | Marker::F32 => (4, 0),
            Marker::U64 | Marker::I64 | Marker::F64 => (8, 0),
            Marker::FixStr(n) => (usize::from(n), 0),
            Marker::Str8 | Marker::Bin8 => (usize::from(self.u8()?), 0),
            Marker::Str16 | Marker::Bin16 => (usize::from(self.u16()?), 0),
            Marker::Str32 | Marker::Bin32 => (self.len32()?, 0),
            Marker::FixExt1 => (2, 0),
            Marker::FixExt2 => (3, 0),
            Marker::FixExt4 => (5, 0),
            Marker::FixExt8 => (9, 0),
            Marker::FixExt16 => (17, 0),
            Marker::Ext8 => (usize::from(self.u8()?) + 1, 0),
            Marker::Ext16 => (usize::from(self.u16()?) + 1, 0),
            Marker::Ext32 => (self.len32()?.saturating_add(1), 0),
            Marker::FixArray(n) => (0, usize::from(n)),
            Marker::Array16 => (0, usize::from(self.u16()?)),
            Marker::Array32 => (0, self.len32()?),
            Marker::FixMap(n) => (0, usize::from(n) * 2),
            Marker::Map16 => (0, usize::from(self.u16()?) * 2),
            Marker::Map32 => (0, self.len32()?.saturating_mul(2)),
        };
        self.take(skip_bytes)?;
        for _ in 0..items {
            self.skip(depth + 1)?;
        }
        Ok(())
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Parses an ext 12 payload: a msgpack map of refinement codes. `None` when malformed or when
/// a refinement does not apply to `ty`; trailing bytes after the map are ignored, as cty does.
fn parse_refinements(payload: &[u8], ty: &Type) -> Option<Refinements> {
    let mut d = Decoder {
        buf: payload,
        pos: 0,
    };
    let entries = d.map_len("refinement map").ok()?;
    let mut r = Refinements::default();
    for _ in 0..entries {
        match d.int().ok()? {
            REFINE_NULLNESS => {
                let b = match d.next_marker().ok()? {
                    Marker::True => true,
                    Marker::False => false,
                    _ => return None,
                };
                r.nullness = Some(b);
            }
            REFINE_STRING_PREFIX => {
                if *ty != Type::String {
                    return None;
                }
                r.string_prefix = Some(d.str("string prefix").ok()?.to_owned());
            }
            key @ (REFINE_NUMBER_LOWER | REFINE_NUMBER_UPPER) => {
                if *ty != Type::Number {
                    return None;
                }
                if d.array_len("number bound").ok()? != 2 {
                    return None;
                }
                let bound = d.number().ok()?;
                let inclusive = match d.next_marker().ok()? {
                    Marker::True => true,
                    Marker::False => false,
                    _ => return None,
                };
                if key == REFINE_NUMBER_LOWER {
                    r.number_lower = Some((bound, inclusive));
                } else {
                    r.number_upper = Some((bound, inclusive));
                }
            }
            key @ (REFINE_LENGTH_LOWER | REFINE_LENGTH_UPPER) => {
                if !ty.is_collection() {
                    return None;
                }
                let n = d.number().ok()?.to_u64()?;
                if key == REFINE_LENGTH_LOWER {
                    r.length_lower = Some(n);
                } else {
                    r.length_upper = Some(n);
                }
            }
            // Refinements from a future Terraform: skip them.
            _ => d.skip(0).ok()?,
        }
    }
    Some(r)
}

type ER<T> = R<T, MsgpackEncodeErrorKind>;

fn w<T, E: std::fmt::Display>(r: Result<T, E>) -> ER<()> {
    match r {
        Ok(_) => Ok(()),
        Err(e) => fail(MsgpackEncodeErrorKind::Write(e.to_string())),
    }
}

fn len_u32(n: usize) -> ER<u32> {
    u32::try_from(n).or_else(|_| fail(MsgpackEncodeErrorKind::TooLong))
}

fn mismatch<T>(ty: &Type, v: &Value) -> ER<T> {
    fail(MsgpackEncodeErrorKind::TypeMismatch {
        expected: ty.to_string(),
        found: value_kind(v),
    })
}

fn write_number(out: &mut Vec<u8>, n: &Number) -> ER<()> {
    if let Some(i) = n.to_i64() {
        w(rmp::encode::write_sint(out, i))
    } else if let Some(f) = n.to_f64_exact() {
        w(rmp::encode::write_f64(out, f))
    } else {
        w(rmp::encode::write_str(out, &n.to_string()))
    }
}

fn write_unknown(out: &mut Vec<u8>, r: &Refinements, ty: &Type) -> ER<()> {
    if *ty == Type::Dynamic || *r == Refinements::default() {
        out.extend_from_slice(&UNKNOWN);
        return Ok(());
    }
    let mut body = Vec::new();
    let mut entries = 0u32;
    if r.nullness == Some(false) {
        entries += 1;
        body.extend_from_slice(&[REFINE_NULLNESS as u8, 0xc2]);
    }
    match ty {
        Type::Number => {
            for (key, bound) in [
                (REFINE_NUMBER_LOWER, &r.number_lower),
                (REFINE_NUMBER_UPPER, &r.number_upper),
            ] {
                if let Some((n, inclusive)) = bound {
                    entries += 1;
                    w(rmp::encode::write_sint(&mut body, key))?;
                    w(rmp::encode::write_array_len(&mut body, 2))?;
                    write_number(&mut body, n)?;
                    w(rmp::encode::write_bool(&mut body, *inclusive))?;
                }
            }
        }
        Type::String => {
            if let Some(prefix) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                entries += 1;
                w(rmp::encode::write_sint(&mut body, REFINE_STRING_PREFIX))?;
                w(rmp::encode::write_str(&mut body, prefix))?;
            }
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            if let Some(n) = r.length_lower.filter(|&n| n != 0) {
                entries += 1;
                w(rmp::encode::write_sint(&mut body, REFINE_LENGTH_LOWER))?;
                w(rmp::encode::write_uint(&mut body, n))?;
            }
            if let Some(n) = r.length_upper {
                entries += 1;
                w(rmp::encode::write_sint(&mut body, REFINE_LENGTH_UPPER))?;
                w(rmp::encode::write_uint(&mut body, n))?;
            }
        }
        _ => {}
    }
    let mut map_header = Vec::with_capacity(5);
    w(rmp::encode::write_map_len(&mut map_header, entries))?;
    // Terraform refuses refinement payloads over 1 KiB; dropping refinements is always safe.
    if entries == 0 || map_header.len() + body.len() > MAX_REFINEMENT_LEN {
        out.extend_from_slice(&UNKNOWN);
        return Ok(());
    }
    w(rmp::encode::write_ext_meta(
        out,
        len_u32(map_header.len() + body.len())?,
        REFINED_UNKNOWN_EXT,
    ))?;
    out.extend_from_slice(&map_header);
    out.extend_from_slice(&body);
    Ok(())
}

fn write_value(out: &mut Vec<u8>, v: &Value, ty: &Type, depth: usize) -> ER<()> {
    if depth > MAX_DEPTH {
        return fail(MsgpackEncodeErrorKind::TooDeep);
    }
    match (ty, v) {
        (_, Value::Unknown(r)) => write_unknown(out, r, ty),
        (_, Value::Null) => w(rmp::encode::write_nil(out)),
        (Type::Dynamic, Value::Dynamic(vty, inner)) => write_dynamic(out, vty, inner, depth),
        (Type::Dynamic, _) => match Type::implied_by(v) {
            Some(vty) => write_dynamic(out, &vty, v, depth),
            None => fail(MsgpackEncodeErrorKind::CannotInferType),
        },
        // A wrapped value in a position of its own concrete type: the wrapper is redundant.
        (_, Value::Dynamic(vty, inner)) if **vty == *ty => write_value(out, inner, ty, depth),
        (Type::String, Value::String(s)) => w(rmp::encode::write_str(out, s)),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::Bool, Value::Bool(b)) => w(rmp::encode::write_bool(out, *b)),
        (Type::List(ety), Value::List(items)) | (Type::Set(ety), Value::Set(items)) => {
            w(rmp::encode::write_array_len(out, len_u32(items.len())?))?;
            for (i, item) in items.iter().enumerate() {
                write_value(out, item, ety, depth + 1).in_path(|| index_step(i))?;
            }
            Ok(())
        }
        (Type::Tuple(etys), Value::Tuple(items)) => {
            if etys.len() != items.len() {
                return fail(MsgpackEncodeErrorKind::TupleLength {
                    expected: etys.len(),
                    found: items.len(),
                });
            }
            w(rmp::encode::write_array_len(out, len_u32(items.len())?))?;
            for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
                write_value(out, item, ety, depth + 1).in_path(|| index_step(i))?;
            }
            Ok(())
        }
        (Type::Map(ety), Value::Map(entries)) => {
            w(rmp::encode::write_map_len(out, len_u32(entries.len())?))?;
            for (k, item) in entries {
                w(rmp::encode::write_str(out, k))?;
                write_value(out, item, ety, depth + 1).in_path(|| PathStep::Key(k.clone()))?;
            }
            Ok(())
        }
        (Type::Object(atys), Value::Object(attrs)) => {
            if attrs.len() != atys.len()
                && let Some(extra) = attrs.keys().find(|k| !atys.contains_key(*k))
            {
                return fail(MsgpackEncodeErrorKind::UnexpectedAttribute(extra.clone()));
            }
            w(rmp::encode::write_map_len(out, len_u32(atys.len())?))?;
            for (name, aty) in atys {
                let Some(item) = attrs.get(name) else {
                    return fail(MsgpackEncodeErrorKind::MissingAttribute(name.clone()));
                };
                w(rmp::encode::write_str(out, name))?;
                write_value(out, item, aty, depth + 1)
                    .in_path(|| PathStep::Attribute(name.clone()))?;
            }
            Ok(())
        }
        _ => mismatch(ty, v),
    }
}

fn write_dynamic(out: &mut Vec<u8>, vty: &Type, inner: &Value, depth: usize) -> ER<()> {
    w(rmp::encode::write_array_len(out, 2))?;
    let mut type_json = Vec::with_capacity(16);
    vty.write_json(&mut type_json);
    w(rmp::encode::write_bin(out, &type_json))?;
    write_value(out, inner, vty, depth + 1)
}

#[cfg(test)]
pub(super) mod tests;
