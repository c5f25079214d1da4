//! Golden JSON (written by hand from cty's JSON format) and property tests for the JSON codec.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::value::msgpack::tests::{arb_type, arb_typed_value, cases};

fn obj(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn num(s: &str) -> Value {
    Value::Number(s.parse().unwrap())
}

#[track_caller]
fn golden(value: Value, ty: &Type, json: &str) {
    assert_eq!(
        String::from_utf8(encode(&value, ty).unwrap()).unwrap(),
        json,
        "encoding {value:?}"
    );
    assert_eq!(
        decode(json.as_bytes(), ty).unwrap(),
        value,
        "decoding {json}"
    );
}

#[track_caller]
fn decodes(json: &str, ty: &Type, value: Value) {
    assert_eq!(
        decode(json.as_bytes(), ty).unwrap(),
        value,
        "decoding {json}"
    );
}

#[track_caller]
fn rejects(json: &str, ty: &Type) -> JsonDecodeError {
    match decode(json.as_bytes(), ty) {
        Ok(v) => panic!("{json} decoded to {v:?}"),
        Err(e) => e,
    }
}

fn room_type() -> Type {
    Type::object([("a", Type::String), ("b", Type::Number)])
}

#[test]
fn primitives() {
    golden(Value::Null, &Type::String, "null");
    golden(Value::Null, &Type::Dynamic, "null");
    golden(Value::Null, &room_type(), "null");
    golden(Value::from("hi"), &Type::String, r#""hi""#);
    golden(Value::Bool(true), &Type::Bool, "true");
    golden(Value::Bool(false), &Type::Bool, "false");
    golden(Value::int(0), &Type::Number, "0");
    golden(Value::int(-42), &Type::Number, "-42");
    golden(num("1.5"), &Type::Number, "1.5");
    golden(
        num("12345678901234567890.123456789"),
        &Type::Number,
        "12345678901234567890.123456789",
    );
    golden(num("1e21"), &Type::Number, "1000000000000000000000");
    golden(num("0.000001"), &Type::Number, "0.000001");
    decodes("1e3", &Type::Number, Value::int(1000));
    decodes("-0.5E-2", &Type::Number, num("-0.005"));
    decodes("1.0", &Type::Number, Value::int(1));
    // Lenient conversions cty applies when reading state.
    decodes(r#""12.5""#, &Type::Number, num("12.5"));
    decodes("12", &Type::String, Value::from("12"));
    decodes("1.50", &Type::String, Value::from("1.50"));
    decodes("true", &Type::String, Value::from("true"));
    decodes(r#""false""#, &Type::Bool, Value::Bool(false));
    assert!(matches!(
        rejects(r#""yes""#, &Type::Bool).kind,
        JsonDecodeErrorKind::Expected { .. }
    ));
    assert!(matches!(
        rejects(r#""x1""#, &Type::Number).kind,
        JsonDecodeErrorKind::InvalidNumber(_)
    ));
    assert!(matches!(
        rejects("[]", &Type::String).kind,
        JsonDecodeErrorKind::Expected {
            expected: "string",
            found: "array"
        }
    ));
    assert!(matches!(
        rejects("true", &Type::Number).kind,
        JsonDecodeErrorKind::Expected { .. }
    ));
}

#[test]
fn strings_and_escapes() {
    // Go's encoding/json escapes: short forms for quote, backslash, \n \r \t; \u00XX for other
    // control characters and for < > & U+2028 U+2029.
    golden(
        Value::from("a\"b\\c\n\r\t\u{1}<>&\u{2028}\u{2029}é😀"),
        &Type::String,
        r#""a\"b\\c\n\r\t\u0001\u003c\u003e\u0026\u2028\u2029é😀""#,
    );
    decodes(
        r#""\/\b\f\u0041\ud83d\ude00""#,
        &Type::String,
        Value::from("/\u{8}\u{c}A😀"),
    );
    // A lone surrogate becomes U+FFFD, as in Go.
    decodes(r#""\ud800x""#, &Type::String, Value::from("\u{fffd}x"));
    decodes(r#""\ud800\u0041""#, &Type::String, Value::from("\u{fffd}A"));
    decodes(r#""\udc00""#, &Type::String, Value::from("\u{fffd}"));
    for bad in [
        r#""abc"#,
        r#""\x""#,
        r#""\u12""#,
        r#""\u12g4""#,
        "\"a\u{1}\"",
        r#""\"#,
        r#""\u"#,
    ] {
        assert!(
            matches!(
                rejects(bad, &Type::String).kind,
                JsonDecodeErrorKind::Syntax { .. }
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        decode(b"\"\xff\"", &Type::String).unwrap_err().kind,
        JsonDecodeErrorKind::InvalidUtf8
    );
}

#[test]
fn syntax_errors() {
    for bad in [
        "",
        " ",
        "nul",
        "nulll",
        "tru",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "NaN",
        "[1,]",
        "[1 2]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "[",
        "{",
    ] {
        let ty = Type::list(Type::Number);
        let _ = decode(bad.as_bytes(), &ty);
        let ty2 = Type::map(Type::Number);
        let _ = decode(bad.as_bytes(), &ty2);
        assert!(
            decode(bad.as_bytes(), &Type::Number).is_err() || bad == "nulll",
            "{bad:?}"
        );
    }
    for bad in ["[1,]", "[1 2]", "[", "[1", "[1,"] {
        assert!(
            matches!(
                rejects(bad, &Type::list(Type::Number)).kind,
                JsonDecodeErrorKind::Syntax { .. }
            ),
            "{bad:?}"
        );
    }
    for bad in ["{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{", "{\"a\":1"] {
        assert!(
            matches!(
                rejects(bad, &Type::map(Type::Number)).kind,
                JsonDecodeErrorKind::Syntax { .. }
            ),
            "{bad:?}"
        );
    }
    // Trailing data.
    assert!(matches!(
        rejects("1 2", &Type::Number).kind,
        JsonDecodeErrorKind::Syntax { offset: 2, .. }
    ));
    assert!(matches!(
        rejects("nulll", &Type::Number).kind,
        JsonDecodeErrorKind::Syntax { offset: 4, .. }
    ));
    // Whitespace around tokens is fine.
    decodes(
        " \n[ 1 ,\t2 ]\r\n",
        &Type::list(Type::Number),
        Value::List(vec![Value::int(1), Value::int(2)]),
    );
}

#[test]
fn collections() {
    golden(Value::List(vec![]), &Type::list(Type::String), "[]");
    golden(Value::Set(vec![]), &Type::set(Type::String), "[]");
    golden(Value::Map(BTreeMap::new()), &Type::map(Type::String), "{}");
    golden(
        Value::List(vec!["a".into(), Value::Null]),
        &Type::list(Type::String),
        r#"["a",null]"#,
    );
    golden(
        Value::Set(vec![Value::int(2), Value::int(1)]),
        &Type::set(Type::Number),
        "[2,1]",
    );
    golden(
        Value::Map(BTreeMap::from([
            ("b".to_owned(), "2".into()),
            ("a".to_owned(), "1".into()),
        ])),
        &Type::map(Type::String),
        r#"{"a":"1","b":"2"}"#,
    );
    golden(
        Value::Tuple(vec!["a".into(), true.into()]),
        &Type::tuple([Type::String, Type::Bool]),
        r#"["a",true]"#,
    );
    golden(Value::Tuple(vec![]), &Type::tuple([]), "[]");
    assert_eq!(
        rejects(r#"["a"]"#, &Type::tuple([Type::String, Type::Bool])).kind,
        JsonDecodeErrorKind::TupleLength {
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        rejects(r#"["a",true,1]"#, &Type::tuple([Type::String, Type::Bool])).kind,
        JsonDecodeErrorKind::TupleLength {
            expected: 2,
            found: 3
        }
    );
    assert_eq!(
        rejects(r#"{"k":1,"k":2}"#, &Type::map(Type::Number)).kind,
        JsonDecodeErrorKind::DuplicateKey("k".into())
    );
}

#[test]
fn objects() {
    golden(
        obj(&[("a", "x".into()), ("b", Value::int(2))]),
        &room_type(),
        r#"{"a":"x","b":2}"#,
    );
    golden(obj(&[]), &Type::object([]), "{}");
    let ty = Type::object([
        ("n", Type::Number),
        ("o", Type::object([("x", Type::String)])),
    ]);
    golden(
        obj(&[("n", Value::Null), ("o", obj(&[("x", "y".into())]))]),
        &ty,
        r#"{"n":null,"o":{"x":"y"}}"#,
    );
    // Missing attributes (state from an older schema) are null.
    decodes(
        r#"{"a":"x"}"#,
        &room_type(),
        obj(&[("a", "x".into()), ("b", Value::Null)]),
    );
    decodes(
        "{}",
        &room_type(),
        obj(&[("a", Value::Null), ("b", Value::Null)]),
    );
    // An attribute the type lacks: an error with its path, unless lenient.
    let ty = Type::object([("inner", room_type())]);
    let json = r#"{"inner":{"a":"x","gone":{"deep":[1,{"z":null}]},"b":1}}"#;
    let e = rejects(json, &ty);
    assert_eq!(
        e.kind,
        JsonDecodeErrorKind::UnexpectedAttribute("gone".into())
    );
    assert_eq!(e.path.to_string(), "inner.gone");
    assert_eq!(
        e.to_string(),
        "at inner.gone: unsupported attribute \"gone\""
    );
    assert_eq!(
        decode_lenient(json.as_bytes(), &ty).unwrap(),
        obj(&[("inner", obj(&[("a", "x".into()), ("b", Value::int(1))]))])
    );
    // Lenient still rejects malformed JSON in a dropped attribute.
    assert!(decode_lenient(br#"{"a":"x","gone":[1,}"#, &room_type()).is_err());
    assert_eq!(
        rejects(r#"{"a":"x","a":"y"}"#, &room_type()).kind,
        JsonDecodeErrorKind::DuplicateKey("a".into())
    );
    // Errors carry paths.
    let ty = Type::object([("items", Type::list(Type::object([("a", Type::String)])))]);
    let e = rejects(r#"{"items":[{"a":"x"},{"a":[]}]}"#, &ty);
    assert_eq!(e.path.to_string(), "items[1].a");
    let e = rejects(
        r#"{"m":{"k":"x"}}"#,
        &Type::object([("m", Type::map(Type::Number))]),
    );
    assert_eq!(e.path.to_string(), "m[\"k\"]");
    // Encoding checks the object against its type.
    assert_eq!(
        encode(&obj(&[("a", "x".into())]), &room_type())
            .unwrap_err()
            .kind,
        JsonEncodeErrorKind::MissingAttribute("b".into())
    );
    assert_eq!(
        encode(
            &obj(&[("a", "x".into()), ("b", Value::int(1)), ("c", Value::Null)]),
            &room_type()
        )
        .unwrap_err()
        .kind,
        JsonEncodeErrorKind::UnexpectedAttribute("c".into())
    );
}

#[test]
fn unknown_cannot_be_encoded() {
    let e = encode(
        &obj(&[("a", Value::unknown()), ("b", Value::int(1))]),
        &room_type(),
    )
    .unwrap_err();
    assert_eq!(e.kind, JsonEncodeErrorKind::Unknown);
    assert_eq!(e.path, Path::attr("a"));
}

#[test]
fn dynamic_values() {
    golden(
        Value::Dynamic(Box::new(Type::String), Box::new("x".into())),
        &Type::Dynamic,
        r#"{"value":"x","type":"string"}"#,
    );
    golden(
        Value::Dynamic(
            Box::new(Type::list(Type::Number)),
            Box::new(Value::List(vec![Value::int(1)])),
        ),
        &Type::Dynamic,
        r#"{"value":[1],"type":["list","number"]}"#,
    );
    golden(
        obj(&[(
            "d",
            Value::Dynamic(Box::new(room_type()), Box::new(Value::Null)),
        )]),
        &Type::object([("d", Type::Dynamic)]),
        r#"{"d":{"value":null,"type":["object",{"a":"string","b":"number"}]}}"#,
    );
    // Type first works too.
    decodes(
        r#"{ "type" : ["map","bool"], "value" : {"k":true} }"#,
        &Type::Dynamic,
        Value::Dynamic(
            Box::new(Type::map(Type::Bool)),
            Box::new(Value::Map(BTreeMap::from([("k".into(), true.into())]))),
        ),
    );
    assert_eq!(
        encode(&Value::int(3), &Type::Dynamic).unwrap(),
        br#"{"value":3,"type":"number"}"#
    );
    assert_eq!(
        rejects(r#"{"value":1}"#, &Type::Dynamic).kind,
        JsonDecodeErrorKind::DynamicMissing("type")
    );
    assert_eq!(
        rejects(r#"{"type":"number"}"#, &Type::Dynamic).kind,
        JsonDecodeErrorKind::DynamicMissing("value")
    );
    assert_eq!(
        rejects(r#"{"type":"number","value":1,"x":2}"#, &Type::Dynamic).kind,
        JsonDecodeErrorKind::DynamicKey("x".into())
    );
    assert!(matches!(
        rejects(r#"{"type":"nope","value":1}"#, &Type::Dynamic).kind,
        JsonDecodeErrorKind::TypeJson(_)
    ));
    assert!(matches!(
        rejects(r#"{"type":"number","value":"x"}"#, &Type::Dynamic).kind,
        JsonDecodeErrorKind::InvalidNumber(_)
    ));
    assert!(matches!(
        rejects(r#""x""#, &Type::Dynamic).kind,
        JsonDecodeErrorKind::Expected { .. }
    ));
}

#[test]
fn depth_is_bounded() {
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    let mut ty = Type::Number;
    for _ in 0..500 {
        ty = Type::list(ty);
    }
    assert_eq!(rejects(&deep, &ty).kind, JsonDecodeErrorKind::TooDeep);
    // Deep JSON inside an attribute dropped by decode_lenient is bounded too.
    let json = format!(
        r#"{{"gone":{}1{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        decode_lenient(json.as_bytes(), &Type::object([]))
            .unwrap_err()
            .kind,
        JsonDecodeErrorKind::TooDeep
    );
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn roundtrip((ty, v) in arb_typed_value(false)) {
        let bytes = encode(&v, &ty).unwrap();
        let back = decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(&decode_lenient(&bytes, &ty).unwrap(), &v);
        prop_assert_eq!(encode(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn decode_never_panics(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode(&bytes, &ty);
        let _ = decode_lenient(&bytes, &ty);
    }

    #[test]
    fn decode_never_panics_on_mutations(
        (ty, v) in arb_typed_value(false),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = encode(&v, &ty).unwrap();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = decode(&bytes, &ty);
        let _ = decode_lenient(&bytes, &ty);
        let _ = decode(&bytes[..cut.index(bytes.len() + 1)], &ty);
    }

    #[test]
    fn type_json_roundtrip(ty in arb_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }
}
