//! The JSON encoding of values Terraform uses for stored state (`raw_state.json` in
//! `UpgradeResourceState`) and resource identity (cty's JSON format).
//!
//! - null is `null` at any type; unknown values cannot be written.
//! - numbers are JSON numbers of any precision (plain decimal text when written); strings and
//!   bools as JSON. On decode, as cty does, a number or string may also come as a JSON string
//!   (`"12"`), a string may come as a number or bool, a bool as `"true"`/`"false"`.
//! - list, set and tuple are arrays; map and object are objects. An object attribute missing
//!   from the JSON decodes as null (state written by an older schema).
//! - a value in a `dynamic` position is `{"value": <value>, "type": <type JSON>}`.
//!
//! Decoding never panics on arbitrary input, rejects trailing data and bounds nesting depth.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::msgpack::{Fail, InPath, R, at, fail, index_step, value_kind};
use super::{Number, Path, PathStep, Type, TypeJsonError, Value};

/// Deepest nesting of JSON values accepted.
pub const MAX_DEPTH: usize = 128;

/// JSON that does not hold a value of the expected type.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{kind}", at(path))]
pub struct JsonDecodeError {
    pub path: Path,
    pub kind: JsonDecodeErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum JsonDecodeErrorKind {
    #[error("invalid JSON at byte {offset}: {message}")]
    Syntax {
        offset: usize,
        message: &'static str,
    },
    #[error("JSON is not valid UTF-8")]
    InvalidUtf8,
    #[error("{expected} is required, found {found}")]
    Expected {
        expected: &'static str,
        found: &'static str,
    },
    #[error("invalid number {0:?}")]
    InvalidNumber(String),
    #[error("unsupported attribute {0:?}")]
    UnexpectedAttribute(String),
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    #[error("a tuple of length {expected} is required, found {found}")]
    TupleLength { expected: usize, found: usize },
    #[error("invalid key {0:?} in dynamically-typed value (only \"value\" and \"type\")")]
    DynamicKey(String),
    #[error("missing {0:?} in dynamically-typed value")]
    DynamicMissing(&'static str),
    #[error("invalid type in dynamic value: {0}")]
    TypeJson(#[from] TypeJsonError),
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// A value that cannot be written as JSON against the given type.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{kind}", at(path))]
pub struct JsonEncodeError {
    pub path: Path,
    pub kind: JsonEncodeErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum JsonEncodeErrorKind {
    #[error("value is not known, so it cannot be written as JSON")]
    Unknown,
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
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Decodes JSON of type `ty`. Object attributes absent from the JSON are null; attributes the
/// type lacks are an error (see [`decode_lenient`]).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, JsonDecodeError> {
    decode_with(bytes, ty, false)
}

/// Like [`decode`], but silently drops object attributes the type lacks, at every level: for
/// state written by a schema that had attributes since removed.
pub fn decode_lenient(bytes: &[u8], ty: &Type) -> Result<Value, JsonDecodeError> {
    decode_with(bytes, ty, true)
}

fn decode_with(bytes: &[u8], ty: &Type, lenient: bool) -> Result<Value, JsonDecodeError> {
    let into = |f: Box<Fail<JsonDecodeErrorKind>>| JsonDecodeError {
        path: Path::from_reversed(f.rev_steps),
        kind: f.kind,
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(JsonDecodeError {
            path: Path::root(),
            kind: JsonDecodeErrorKind::InvalidUtf8,
        });
    };
    let mut r = Reader {
        text,
        pos: 0,
        lenient,
    };
    let v = r.value(ty, 0).map_err(into)?;
    r.ws();
    if r.pos != text.len() {
        let kind = JsonDecodeErrorKind::Syntax {
            offset: r.pos,
            message: "unexpected data after the value",
        };
        return Err(JsonDecodeError {
            path: Path::root(),
            kind,
        });
    }
    Ok(v)
}

/// Writes `value` as JSON of type `ty`, as Terraform writes state.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, JsonEncodeError> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value, ty, 0).map_err(|f| JsonEncodeError {
        path: Path::from_reversed(f.rev_steps),
        kind: f.kind,
    })?;
    Ok(out)
}

type DR<T> = R<T, JsonDecodeErrorKind>;

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    lenient: bool,
}

impl<'a> Reader<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    /// Next non-whitespace byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes().get(self.pos).copied()
    }

    fn syntax<T>(&self, message: &'static str) -> DR<T> {
        fail(JsonDecodeErrorKind::Syntax {
            offset: self.pos,
            message,
        })
    }

    fn found(&mut self) -> &'static str {
        match self.peek() {
            None => "end of JSON",
            Some(b'n') => "null",
            Some(b't' | b'f') => "bool",
            Some(b'"') => "string",
            Some(b'[') => "array",
            Some(b'{') => "object",
            Some(b'-' | b'0'..=b'9') => "number",
            Some(_) => "invalid JSON",
        }
    }

    fn expected<T>(&mut self, expected: &'static str) -> DR<T> {
        let found = self.found();
        if found == "invalid JSON" || found == "end of JSON" {
            return self.syntax("expected a JSON value");
        }
        fail(JsonDecodeErrorKind::Expected { expected, found })
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &'static str) -> DR<()> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.syntax("invalid literal")
        }
    }

    fn boolean(&mut self) -> DR<bool> {
        match self.peek() {
            Some(b't') => self.literal("true").map(|()| true),
            _ => self.literal("false").map(|()| false),
        }
    }

    /// Raw text of a JSON number (strict JSON grammar).
    fn number_text(&mut self) -> DR<&'a str> {
        self.ws();
        let b = self.bytes();
        let start = self.pos;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return self.syntax("invalid number");
            }
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let s = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if s == i {
                self.pos = i;
                return self.syntax("invalid number");
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let s = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if s == i {
                self.pos = i;
                return self.syntax("invalid number");
            }
        }
        self.pos = i;
        // All bytes in start..i are ASCII, so these are char boundaries.
        Ok(&self.text[start..i])
    }

    fn hex4(&mut self) -> DR<u32> {
        let Some(h) = self.text.get(self.pos..self.pos + 4) else {
            return self.syntax("invalid \\u escape");
        };
        match u32::from_str_radix(h, 16) {
            Ok(v) if h.bytes().all(|c| c.is_ascii_hexdigit()) => {
                self.pos += 4;
                Ok(v)
            }
            _ => self.syntax("invalid \\u escape"),
        }
    }

    /// A JSON string, borrowed when it has no escapes.
    fn string(&mut self) -> DR<Cow<'a, str>> {
        if !self.eat(b'"') {
            return self.syntax("expected a string");
        }
        let b = self.bytes();
        let start = self.pos;
        let mut i = self.pos;
        while let Some(&c) = b.get(i) {
            match c {
                b'"' => {
                    self.pos = i + 1;
                    // Quote is ASCII: char boundaries.
                    return Ok(Cow::Borrowed(&self.text[start..i]));
                }
                b'\\' => break,
                0..=0x1f => {
                    self.pos = i;
                    return self.syntax("control character in string");
                }
                _ => i += 1,
            }
        }
        if i >= b.len() {
            self.pos = i;
            return self.syntax("unterminated string");
        }
        let mut s = String::from(&self.text[start..i]);
        self.pos = i;
        loop {
            let Some(&c) = b.get(self.pos) else {
                return self.syntax("unterminated string");
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(s));
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = b.get(self.pos) else {
                        return self.syntax("unterminated string");
                    };
                    self.pos += 1;
                    match e {
                        b'"' => s.push('"'),
                        b'\\' => s.push('\\'),
                        b'/' => s.push('/'),
                        b'b' => s.push('\u{8}'),
                        b'f' => s.push('\u{c}'),
                        b'n' => s.push('\n'),
                        b'r' => s.push('\r'),
                        b't' => s.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi)
                                && self.text[self.pos..].starts_with("\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                } else {
                                    // Not a pair: the lone surrogate becomes U+FFFD, as in Go.
                                    self.pos = save;
                                    0xfffd
                                }
                            } else {
                                hi
                            };
                            s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            self.pos -= 1;
                            return self.syntax("invalid escape");
                        }
                    }
                }
                0..=0x1f => return self.syntax("control character in string"),
                _ => {
                    // Copy the run up to the next quote, backslash or control character.
                    let run = b[self.pos..]
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                        .map_or(b.len(), |p| self.pos + p);
                    // The run ends at an ASCII byte or at the end: char boundaries.
                    s.push_str(&self.text[self.pos..run]);
                    self.pos = run;
                }
            }
        }
    }

    fn skip(&mut self, depth: usize) -> DR<()> {
        if depth > MAX_DEPTH {
            return fail(JsonDecodeErrorKind::TooDeep);
        }
        match self.peek() {
            Some(b'n') => self.literal("null"),
            Some(b't' | b'f') => self.boolean().map(|_| ()),
            Some(b'"') => self.string().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number_text().map(|_| ()),
            Some(b'[') => {
                self.pos += 1;
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.skip(depth + 1)?;
                    if self.eat(b']') {
                        return Ok(());
                    }
                    if !self.eat(b',') {
                        return self.syntax("expected ',' or ']'");
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.string()?;
                    if !self.eat(b':') {
                        return self.syntax("expected ':'");
                    }
                    self.skip(depth + 1)?;
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    if !self.eat(b',') {
                        return self.syntax("expected ',' or '}'");
                    }
                }
            }
            _ => self.syntax("expected a JSON value"),
        }
    }

    /// Calls `each` for every element of a JSON array.
    fn array(
        &mut self,
        what: &'static str,
        mut each: impl FnMut(&mut Self, usize) -> DR<()>,
    ) -> DR<()> {
        if self.peek() != Some(b'[') {
            return self.expected(what);
        }
        self.pos += 1;
        if self.eat(b']') {
            return Ok(());
        }
        let mut i = 0;
        loop {
            each(self, i)?;
            i += 1;
            if self.eat(b']') {
                return Ok(());
            }
            if !self.eat(b',') {
                return self.syntax("expected ',' or ']'");
            }
        }
    }

    /// Calls `each` with every key of a JSON object; `each` must consume the member's value.
    fn object(
        &mut self,
        what: &'static str,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> DR<()>,
    ) -> DR<()> {
        if self.peek() != Some(b'{') {
            return self.expected(what);
        }
        self.pos += 1;
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return self.syntax("expected a string key");
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return self.syntax("expected ':'");
            }
            each(self, key)?;
            if self.eat(b'}') {
                return Ok(());
            }
            if !self.eat(b',') {
                return self.syntax("expected ',' or '}'");
            }
        }
    }

    fn value(&mut self, ty: &Type, depth: usize) -> DR<Value> {
        if depth > MAX_DEPTH {
            return fail(JsonDecodeErrorKind::TooDeep);
        }
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            return Ok(Value::Null);
        }
        match ty {
            Type::Dynamic => self.dynamic(depth),
            Type::String => match self.peek() {
                Some(b'"') => Ok(Value::String(self.string()?.into_owned())),
                Some(b'-' | b'0'..=b'9') => Ok(Value::String(self.number_text()?.to_owned())),
                Some(b't' | b'f') => Ok(Value::String(self.boolean()?.to_string())),
                _ => self.expected("string"),
            },
            Type::Number => {
                let text: Cow<'a, str> = match self.peek() {
                    Some(b'"') => self.string()?,
                    Some(b'-' | b'0'..=b'9') => Cow::Borrowed(self.number_text()?),
                    _ => return self.expected("number"),
                };
                match text.parse::<Number>() {
                    Ok(n) => Ok(Value::Number(n)),
                    Err(_) => fail(JsonDecodeErrorKind::InvalidNumber(
                        text.chars().take(64).collect(),
                    )),
                }
            }
            Type::Bool => match self.peek() {
                Some(b't' | b'f') => Ok(Value::Bool(self.boolean()?)),
                Some(b'"') => match self.string()?.as_ref() {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => fail(JsonDecodeErrorKind::Expected {
                        expected: "bool",
                        found: "string",
                    }),
                },
                _ => self.expected("bool"),
            },
            Type::List(ety) | Type::Set(ety) => {
                let mut out = Vec::new();
                self.array("array", |r, i| {
                    out.push(r.value(ety, depth + 1).in_path(|| index_step(i))?);
                    Ok(())
                })?;
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(out)
                } else {
                    Value::List(out)
                })
            }
            Type::Tuple(etys) => {
                let mut out = Vec::with_capacity(etys.len());
                self.array("array", |r, i| {
                    let Some(ety) = etys.get(i) else {
                        return fail(JsonDecodeErrorKind::TupleLength {
                            expected: etys.len(),
                            found: i + 1,
                        });
                    };
                    out.push(r.value(ety, depth + 1).in_path(|| index_step(i))?);
                    Ok(())
                })?;
                if out.len() != etys.len() {
                    return fail(JsonDecodeErrorKind::TupleLength {
                        expected: etys.len(),
                        found: out.len(),
                    });
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(ety) => {
                let mut out = BTreeMap::new();
                self.object("object", |r, key| {
                    let v = r
                        .value(ety, depth + 1)
                        .in_path(|| PathStep::Key(key.to_string()))?;
                    let key = key.into_owned();
                    if out.contains_key(&key) {
                        return fail(JsonDecodeErrorKind::DuplicateKey(key));
                    }
                    out.insert(key, v);
                    Ok(())
                })?;
                Ok(Value::Map(out))
            }
            Type::Object(atys) => {
                let mut out = BTreeMap::new();
                let lenient = self.lenient;
                self.object("object", |r, key| {
                    let Some((name, aty)) = atys.get_key_value(key.as_ref()) else {
                        if lenient {
                            return r.skip(depth + 1);
                        }
                        return fail(JsonDecodeErrorKind::UnexpectedAttribute(key.to_string()))
                            .in_path(|| PathStep::Attribute(key.into_owned()));
                    };
                    let v = r
                        .value(aty, depth + 1)
                        .in_path(|| PathStep::Attribute(name.clone()))?;
                    if out.insert(name.clone(), v).is_some() {
                        return fail(JsonDecodeErrorKind::DuplicateKey(name.clone()));
                    }
                    Ok(())
                })?;
                if out.len() != atys.len() {
                    for name in atys.keys() {
                        if !out.contains_key(name) {
                            out.insert(name.clone(), Value::Null);
                        }
                    }
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// `{"value": ..., "type": ...}` in either order; the value is decoded once the type is known.
    fn dynamic(&mut self, depth: usize) -> DR<Value> {
        let mut ty: Option<Type> = None;
        let mut value_at: Option<usize> = None;
        self.object("dynamically-typed value object", |r, key| {
            match key.as_ref() {
                "type" => {
                    r.ws();
                    let start = r.pos;
                    r.skip(depth + 1)?;
                    let t = Type::from_json(&r.bytes()[start..r.pos]).map_err(|e| {
                        Box::new(Fail {
                            rev_steps: Vec::new(),
                            kind: e.into(),
                        })
                    })?;
                    ty = Some(t);
                    Ok(())
                }
                "value" => {
                    r.ws();
                    value_at = Some(r.pos);
                    r.skip(depth + 1)
                }
                other => fail(JsonDecodeErrorKind::DynamicKey(other.to_owned())),
            }
        })?;
        let Some(ty) = ty else {
            return fail(JsonDecodeErrorKind::DynamicMissing("type"));
        };
        let Some(value_at) = value_at else {
            return fail(JsonDecodeErrorKind::DynamicMissing("value"));
        };
        let end = self.pos;
        self.pos = value_at;
        let v = self.value(&ty, depth + 1);
        self.pos = end;
        Ok(Value::Dynamic(Box::new(ty), Box::new(v?)))
    }
}

type ER<T> = R<T, JsonEncodeErrorKind>;

fn write_value(out: &mut Vec<u8>, v: &Value, ty: &Type, depth: usize) -> ER<()> {
    if depth > MAX_DEPTH {
        return fail(JsonEncodeErrorKind::TooDeep);
    }
    match (ty, v) {
        (_, Value::Unknown(_)) => fail(JsonEncodeErrorKind::Unknown),
        (_, Value::Null) => {
            out.extend_from_slice(b"null");
            Ok(())
        }
        (Type::Dynamic, Value::Dynamic(vty, inner)) => write_dynamic(out, vty, inner, depth),
        (Type::Dynamic, _) => match Type::implied_by(v) {
            Some(vty) => write_dynamic(out, &vty, v, depth),
            None => fail(JsonEncodeErrorKind::CannotInferType),
        },
        (_, Value::Dynamic(vty, inner)) if **vty == *ty => write_value(out, inner, ty, depth),
        (Type::String, Value::String(s)) => {
            write_json_string(out, s);
            Ok(())
        }
        (Type::Number, Value::Number(n)) => {
            out.extend_from_slice(n.to_string().as_bytes());
            Ok(())
        }
        (Type::Bool, Value::Bool(b)) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" });
            Ok(())
        }
        (Type::List(ety), Value::List(items)) | (Type::Set(ety), Value::Set(items)) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item, ety, depth + 1).in_path(|| index_step(i))?;
            }
            out.push(b']');
            Ok(())
        }
        (Type::Tuple(etys), Value::Tuple(items)) => {
            if etys.len() != items.len() {
                return fail(JsonEncodeErrorKind::TupleLength {
                    expected: etys.len(),
                    found: items.len(),
                });
            }
            out.push(b'[');
            for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item, ety, depth + 1).in_path(|| index_step(i))?;
            }
            out.push(b']');
            Ok(())
        }
        (Type::Map(ety), Value::Map(entries)) => {
            out.push(b'{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(out, k);
                out.push(b':');
                write_value(out, item, ety, depth + 1).in_path(|| PathStep::Key(k.clone()))?;
            }
            out.push(b'}');
            Ok(())
        }
        (Type::Object(atys), Value::Object(attrs)) => {
            if attrs.len() != atys.len()
                && let Some(extra) = attrs.keys().find(|k| !atys.contains_key(*k))
            {
                return fail(JsonEncodeErrorKind::UnexpectedAttribute(extra.clone()));
            }
            out.push(b'{');
            for (i, (name, aty)) in atys.iter().enumerate() {
                let Some(item) = attrs.get(name) else {
                    return fail(JsonEncodeErrorKind::MissingAttribute(name.clone()));
                };
                if i > 0 {
                    out.push(b',');
                }
                write_json_string(out, name);
                out.push(b':');
                write_value(out, item, aty, depth + 1)
                    .in_path(|| PathStep::Attribute(name.clone()))?;
            }
            out.push(b'}');
            Ok(())
        }
        _ => fail(JsonEncodeErrorKind::TypeMismatch {
            expected: ty.to_string(),
            found: value_kind(v),
        }),
    }
}

/// cty writes the value first, then the type.
fn write_dynamic(out: &mut Vec<u8>, vty: &Type, inner: &Value, depth: usize) -> ER<()> {
    out.extend_from_slice(b"{\"value\":");
    write_value(out, inner, vty, depth + 1)?;
    out.extend_from_slice(b",\"type\":");
    vty.write_json(out);
    out.push(b'}');
    Ok(())
}

/// Writes `s` as a JSON string the way Go's encoding/json does (HTML-safe escapes).
pub(crate) fn write_json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let short: Option<&[u8]> = match c {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\r' => Some(b"\\r"),
            '\t' => Some(b"\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => None,
            c if u32::from(c) < 0x20 => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        match short {
            Some(e) => out.extend_from_slice(e),
            None => {
                let code = u32::from(c);
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    // Masked to 0..16: a valid index.
                    out.push(HEX[((code >> shift) & 0xf) as usize]);
                }
            }
        }
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests;
