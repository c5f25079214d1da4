//! Golden vectors (written by hand from the msgpack spec and cty's format) and property tests
//! for the msgpack codec. The value/type generators are shared with the JSON tests.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

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

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Encodes to exactly `bytes` and decodes back to the same value.
#[track_caller]
fn golden(value: Value, ty: &Type, bytes: &str) {
    let bytes = hex(bytes);
    assert_eq!(encode(&value, ty).unwrap(), bytes, "encoding {value:?}");
    assert_eq!(decode(&bytes, ty).unwrap(), value, "decoding {bytes:02x?}");
}

/// Decodes `bytes` (a form Terraform may send but we do not write) to `value`.
#[track_caller]
fn decodes(bytes: &str, ty: &Type, value: Value) {
    assert_eq!(decode(&hex(bytes), ty).unwrap(), value, "decoding {bytes}");
}

#[track_caller]
fn rejects(bytes: &str, ty: &Type) -> MsgpackDecodeError {
    match decode(&hex(bytes), ty) {
        Ok(v) => panic!("{bytes} decoded to {v:?}"),
        Err(e) => e,
    }
}

#[test]
fn null_unknown_bool() {
    golden(Value::Null, &Type::String, "c0");
    golden(Value::Null, &Type::object([("a", Type::String)]), "c0");
    golden(Value::Null, &Type::Dynamic, "c0");
    golden(Value::unknown(), &Type::String, "d4 00 00");
    golden(Value::unknown(), &Type::list(Type::Number), "d4 00 00");
    golden(Value::unknown(), &Type::Dynamic, "d4 00 00");
    golden(Value::Bool(true), &Type::Bool, "c3");
    golden(Value::Bool(false), &Type::Bool, "c2");
}

#[test]
fn any_extension_is_unknown() {
    decodes("d5 05 01 02", &Type::String, Value::unknown()); // fixext2, type 5
    decodes("c7 00 00", &Type::Number, Value::unknown()); // ext8, zero length
    decodes("c8 00 02 07 aa bb", &Type::Bool, Value::unknown()); // ext16
    decodes("c9 00 00 00 01 0c 00", &Type::String, Value::unknown()); // ext32, type 12, 1 byte
    decodes(
        "d4 00 00",
        &Type::object([("a", Type::String)]),
        Value::unknown(),
    );
    rejects("c7 05 0c 81 01", &Type::String); // payload cut short
}

#[test]
fn refined_unknowns() {
    // String: not null, prefix "ab" → ext8 len 7, type 12, {1: false, 2: "ab"}.
    let r = Refinements {
        nullness: Some(false),
        string_prefix: Some("ab".into()),
        ..Default::default()
    };
    golden(
        Value::Unknown(r),
        &Type::String,
        "c7 07 0c 82 01 c2 02 a2 61 62",
    );
    // Only "not null": a 3-byte payload, so ext8.
    let r = Refinements {
        nullness: Some(false),
        ..Default::default()
    };
    golden(Value::Unknown(r.clone()), &Type::Bool, "c7 03 0c 81 01 c2");
    golden(
        Value::Unknown(r),
        &Type::object([("a", Type::String)]),
        "c7 03 0c 81 01 c2",
    );
    // Number: not null, lower [0, inclusive], upper [10.5, exclusive].
    let r = Refinements {
        nullness: Some(false),
        number_lower: Some((Number::from(0i64), true)),
        number_upper: Some(("10.5".parse().unwrap(), false)),
        ..Default::default()
    };
    golden(
        Value::Unknown(r),
        &Type::Number,
        "c7 13 0c 83 01 c2 03 92 00 c3 04 92 cb 40 25 00 00 00 00 00 00 c2",
    );
    // Collection length bounds [1, 5]: a 5-byte payload → ext8.
    let r = Refinements {
        length_lower: Some(1),
        length_upper: Some(5),
        ..Default::default()
    };
    golden(
        Value::Unknown(r),
        &Type::list(Type::String),
        "c7 05 0c 82 05 01 06 05",
    );
    // A 4-byte payload uses fixext4.
    let r = Refinements {
        length_upper: Some(200),
        ..Default::default()
    };
    golden(
        Value::Unknown(r),
        &Type::set(Type::String),
        "d6 0c 81 06 cc c8",
    );
    let r = Refinements {
        length_upper: Some(300),
        ..Default::default()
    };
    golden(
        Value::Unknown(r),
        &Type::set(Type::String),
        "c7 05 0c 81 06 cd 01 2c",
    );
    let r = Refinements {
        length_lower: Some(2),
        ..Default::default()
    };
    golden(
        Value::Unknown(r),
        &Type::map(Type::String),
        "c7 03 0c 81 05 02",
    );
    // Refinements that do not apply to the type are not written.
    let r = Refinements {
        string_prefix: Some("x".into()),
        length_lower: Some(3),
        ..Default::default()
    };
    assert_eq!(
        encode(&Value::Unknown(r), &Type::Number).unwrap(),
        hex("d4 00 00")
    );
    // Oversized refinements (Terraform refuses payloads over 1 KiB) are dropped.
    let long: Number = format!("0.{}1", "0".repeat(1100)).parse().unwrap();
    let r = Refinements {
        number_lower: Some((long, true)),
        ..Default::default()
    };
    assert_eq!(
        encode(&Value::Unknown(r), &Type::Number).unwrap(),
        hex("d4 00 00")
    );
    let mut big = hex("c9 00 00 04 05 0c 81 02 da 04 00");
    big.extend(std::iter::repeat_n(b'a', 1024));
    assert_eq!(decode(&big, &Type::String).unwrap(), Value::unknown());
    // Dynamic never carries refinements, either way.
    let r = Refinements {
        nullness: Some(false),
        ..Default::default()
    };
    assert_eq!(
        encode(&Value::Unknown(r), &Type::Dynamic).unwrap(),
        hex("d4 00 00")
    );
    decodes("c7 03 0c 81 01 c2", &Type::Dynamic, Value::unknown());
    // Unknown refinement keys are skipped; known ones after them still apply.
    let r = Refinements {
        string_prefix: Some("a".into()),
        ..Default::default()
    };
    decodes(
        "c7 09 0c 82 09 92 01 a1 7a 02 a1 61",
        &Type::String,
        Value::Unknown(r),
    );
    // "Definitely null" is a known null.
    decodes("c7 03 0c 81 01 c3", &Type::String, Value::Null);
    // Trailing bytes inside the payload are ignored, as cty does.
    let r = Refinements {
        nullness: Some(false),
        ..Default::default()
    };
    decodes("c7 04 0c 81 01 c2 ff", &Type::String, Value::Unknown(r));
}

#[test]
fn malformed_refinements_are_plain_unknown() {
    for (bytes, ty) in [
        ("c7 03 0c 81 02 c3", Type::String),    // prefix not a string
        ("c7 04 0c 81 02 a1 61", Type::Number), // prefix on a number
        ("c7 03 0c 81 05 01", Type::String),    // length on a string
        ("c7 03 0c 81 05 ff", Type::list(Type::String)), // negative length
        ("c7 04 0c 81 03 91 00", Type::Number), // bound not a pair
        ("c7 05 0c 81 03 92 00 c0", Type::Number), // inclusive not a bool
        ("c7 05 0c 81 03 92 c0 c3", Type::Number), // bound is null
        ("c7 03 0c 91 01 c2", Type::String),    // not a map
        ("c7 03 0c 82 01 c2", Type::String),    // map cut short
        ("c7 03 0c 81 a1 61", Type::String),    // key not an int
        ("c7 03 0c 81 01 c0", Type::String),    // nullness not a bool
    ] {
        assert_eq!(
            decode(&hex(bytes), &ty).unwrap(),
            Value::unknown(),
            "{bytes}"
        );
    }
}

#[test]
fn integers_of_each_width() {
    for (n, bytes) in [
        (0i64, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "cc 80"),
        (255, "cc ff"),
        (256, "cd 01 00"),
        (65535, "cd ff ff"),
        (65536, "ce 00 01 00 00"),
        (4_294_967_295, "ce ff ff ff ff"),
        (4_294_967_296, "cf 00 00 00 01 00 00 00 00"),
        (i64::MAX, "cf 7f ff ff ff ff ff ff ff"),
        (-1, "ff"),
        (-32, "e0"),
        (-33, "d0 df"),
        (-128, "d0 80"),
        (-129, "d1 ff 7f"),
        (-32768, "d1 80 00"),
        (-32769, "d2 ff ff 7f ff"),
        (-2_147_483_648, "d2 80 00 00 00"),
        (-2_147_483_649, "d3 ff ff ff ff 7f ff ff ff"),
        (i64::MIN, "d3 80 00 00 00 00 00 00 00"),
    ] {
        golden(Value::int(n), &Type::Number, bytes);
    }
    // Other widths Terraform's decoder accepts.
    decodes("d0 05", &Type::Number, Value::int(5));
    decodes("d1 00 05", &Type::Number, Value::int(5));
    decodes("d2 00 00 00 05", &Type::Number, Value::int(5));
    decodes("d3 00 00 00 00 00 00 00 05", &Type::Number, Value::int(5));
    decodes("cd 00 05", &Type::Number, Value::int(5));
    decodes(
        "cf ff ff ff ff ff ff ff ff",
        &Type::Number,
        num("18446744073709551615"),
    );
}

#[test]
fn floats_and_decimals() {
    golden(num("1.5"), &Type::Number, "cb 3f f8 00 00 00 00 00 00");
    golden(num("-0.25"), &Type::Number, "cb bf d0 00 00 00 00 00 00");
    golden(
        Value::Number(Number::try_from(0.1f64).unwrap()),
        &Type::Number,
        "cb 3f b9 99 99 99 99 99 9a",
    );
    // 2^64 is not an int64 but is an exact float64.
    golden(
        num("18446744073709551616"),
        &Type::Number,
        "cb 43 f0 00 00 00 00 00 00",
    );
    // Not exact in binary: decimal text.
    golden(num("0.1"), &Type::Number, "a3 30 2e 31");
    golden(
        num("18446744073709551615"),
        &Type::Number,
        "b4 31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 35",
    );
    golden(
        num("3.14159265358979323846"),
        &Type::Number,
        "b6 33 2e 31 34 31 35 39 32 36 35 33 35 38 39 37 39 33 32 33 38 34 36",
    );
    // float32, integral floats and text forms decode too.
    decodes("ca 3f c0 00 00", &Type::Number, num("1.5"));
    decodes("cb 40 00 00 00 00 00 00 00", &Type::Number, Value::int(2));
    decodes("a4 31 65 2b 32", &Type::Number, Value::int(100)); // "1e+2"
    decodes("d9 03 31 2e 30", &Type::Number, Value::int(1)); // str8 "1.0"
    assert!(matches!(
        rejects("a3 61 62 63", &Type::Number).kind,
        MsgpackDecodeErrorKind::InvalidNumber(_)
    ));
    assert_eq!(
        rejects("cb 7f f0 00 00 00 00 00 00", &Type::Number).kind,
        MsgpackDecodeErrorKind::NonFiniteNumber
    );
    assert_eq!(
        rejects("cb 7f f8 00 00 00 00 00 01", &Type::Number).kind,
        MsgpackDecodeErrorKind::NonFiniteNumber
    );
    assert!(matches!(
        rejects("c3", &Type::Number).kind,
        MsgpackDecodeErrorKind::Expected { .. }
    ));
}

#[test]
fn strings() {
    golden(Value::from("hi"), &Type::String, "a2 68 69");
    golden(Value::from(""), &Type::String, "a0");
    let s32 = "x".repeat(32);
    golden(
        Value::from(s32.as_str()),
        &Type::String,
        &format!("d9 20 {}", "78 ".repeat(32)),
    );
    let s256 = "y".repeat(256);
    golden(
        Value::from(s256.as_str()),
        &Type::String,
        &format!("da 01 00 {}", "79 ".repeat(256)),
    );
    decodes("d9 02 68 69", &Type::String, Value::from("hi"));
    decodes("db 00 00 00 02 68 69", &Type::String, Value::from("hi"));
    decodes("c4 02 68 69", &Type::String, Value::from("hi")); // bin, as cty accepts
    golden(Value::from("é"), &Type::String, "a2 c3 a9");
    assert_eq!(
        rejects("a2 c3 28", &Type::String).kind,
        MsgpackDecodeErrorKind::InvalidUtf8
    );
    assert_eq!(
        rejects("a5 68 69", &Type::String).kind,
        MsgpackDecodeErrorKind::UnexpectedEof
    );
    assert!(matches!(
        rejects("01", &Type::String).kind,
        MsgpackDecodeErrorKind::Expected {
            expected: "string",
            found: "integer"
        }
    ));
}

#[test]
fn collections() {
    golden(Value::List(vec![]), &Type::list(Type::String), "90");
    golden(Value::Set(vec![]), &Type::set(Type::String), "90");
    golden(Value::Map(BTreeMap::new()), &Type::map(Type::String), "80");
    golden(
        Value::List(vec!["a".into(), "b".into()]),
        &Type::list(Type::String),
        "92 a1 61 a1 62",
    );
    golden(
        Value::Set(vec![Value::int(1), Value::Null]),
        &Type::set(Type::Number),
        "92 01 c0",
    );
    golden(
        Value::Map(BTreeMap::from([
            ("k".to_owned(), Value::int(1)),
            ("a".to_owned(), Value::unknown()),
        ])),
        &Type::map(Type::Number),
        "82 a1 61 d4 00 00 a1 6b 01",
    );
    golden(
        Value::Tuple(vec!["a".into(), true.into()]),
        &Type::tuple([Type::String, Type::Bool]),
        "92 a1 61 c3",
    );
    golden(Value::Tuple(vec![]), &Type::tuple([]), "90");
    let sixteen: Vec<Value> = (0..16).map(Value::int).collect();
    let bytes = format!(
        "dc 00 10 {}",
        (0..16).map(|i| format!("{i:02x} ")).collect::<String>()
    );
    golden(Value::List(sixteen), &Type::list(Type::Number), &bytes);
    decodes(
        "dd 00 00 00 01 a1 61",
        &Type::list(Type::String),
        Value::List(vec!["a".into()]),
    );
    decodes(
        "de 00 01 a1 6b 01",
        &Type::map(Type::Number),
        Value::Map(BTreeMap::from([("k".into(), Value::int(1))])),
    );
    assert_eq!(
        rejects("93 a1 61 c3 c3", &Type::tuple([Type::String, Type::Bool])).kind,
        MsgpackDecodeErrorKind::TupleLength {
            expected: 2,
            found: 3
        }
    );
    assert_eq!(
        rejects("82 a1 6b 01 a1 6b 02", &Type::map(Type::Number)).kind,
        MsgpackDecodeErrorKind::DuplicateKey("k".into())
    );
    assert!(matches!(
        rejects("81 01 01", &Type::map(Type::Number)).kind,
        MsgpackDecodeErrorKind::Expected { .. }
    ));
    assert_eq!(
        rejects("93 a1 61", &Type::list(Type::String)).kind,
        MsgpackDecodeErrorKind::UnexpectedEof
    );
    // A huge declared length with no data fails cleanly instead of allocating.
    assert_eq!(
        rejects("dd ff ff ff ff", &Type::list(Type::String)).kind,
        MsgpackDecodeErrorKind::UnexpectedEof
    );
}

fn room_type() -> Type {
    Type::object([("a", Type::String), ("b", Type::Number)])
}

#[test]
fn objects() {
    golden(
        obj(&[("a", "x".into()), ("b", Value::int(2))]),
        &room_type(),
        "82 a1 61 a1 78 a1 62 02",
    );
    golden(obj(&[]), &Type::object([]), "80");
    // Keys in any order decode.
    decodes(
        "82 a1 62 02 a1 61 a1 78",
        &room_type(),
        obj(&[("a", "x".into()), ("b", Value::int(2))]),
    );
    // Nested object with a null attribute.
    let ty = Type::object([
        ("n", Type::Number),
        ("o", Type::object([("x", Type::String)])),
    ]);
    golden(
        obj(&[("n", Value::Null), ("o", obj(&[("x", "y".into())]))]),
        &ty,
        "82 a1 6e c0 a1 6f 81 a1 78 a1 79",
    );
    // Missing attribute.
    let e = rejects("81 a1 61 a1 78", &room_type());
    assert_eq!(e.kind, MsgpackDecodeErrorKind::MissingAttribute("b".into()));
    assert!(e.path.is_root());
    // An empty map is not an object with attributes (cty would accept it; Terraform never sends it).
    assert_eq!(
        rejects("80", &room_type()).kind,
        MsgpackDecodeErrorKind::MissingAttribute("a".into())
    );
    // Unknown attribute.
    assert_eq!(
        rejects("83 a1 61 a1 78 a1 62 02 a1 63 c0", &room_type()).kind,
        MsgpackDecodeErrorKind::UnexpectedAttribute("c".into())
    );
    assert_eq!(
        rejects("83 a1 61 a1 78 a1 62 02 a1 63 c0", &room_type()).path,
        Path::attr("c")
    );
    // Duplicate attribute (would otherwise hide a missing one).
    assert_eq!(
        rejects("82 a1 61 a1 78 a1 61 a1 78", &room_type()).kind,
        MsgpackDecodeErrorKind::DuplicateKey("a".into())
    );
    // Errors carry the path where they happened.
    let ty = Type::object([
        ("items", Type::list(Type::object([("a", Type::String)]))),
        ("m", Type::map(Type::Bool)),
    ]);
    let e = rejects(
        "82 a5 69 74 65 6d 73 92 81 a1 61 a1 78 81 a1 61 05 a1 6d 80",
        &ty,
    );
    assert_eq!(
        e.path,
        Path::from(vec![
            PathStep::Attribute("items".into()),
            PathStep::Index(1),
            PathStep::Attribute("a".into())
        ])
    );
    assert_eq!(
        e.to_string(),
        "at items[1].a: string is required, found integer"
    );
    let e = rejects("82 a5 69 74 65 6d 73 90 a1 6d 81 a1 6b 01", &ty);
    assert_eq!(e.path.to_string(), "m[\"k\"]");
    // Encoding checks the object against its type.
    let err = encode(&obj(&[("a", "x".into())]), &room_type()).unwrap_err();
    assert_eq!(
        err.kind,
        MsgpackEncodeErrorKind::MissingAttribute("b".into())
    );
    let err = encode(
        &obj(&[("a", "x".into()), ("b", Value::int(1)), ("c", Value::Null)]),
        &room_type(),
    )
    .unwrap_err();
    assert_eq!(
        err.kind,
        MsgpackEncodeErrorKind::UnexpectedAttribute("c".into())
    );
    let err = encode(
        &obj(&[("a", Value::int(1)), ("b", Value::int(1))]),
        &room_type(),
    )
    .unwrap_err();
    assert_eq!(err.path, Path::attr("a"));
    assert_eq!(
        err.to_string(),
        "at a: number value does not conform to type string"
    );
}

#[test]
fn dynamic_values() {
    // [type JSON as bin, value]
    golden(
        Value::Dynamic(Box::new(Type::String), Box::new("x".into())),
        &Type::Dynamic,
        "92 c4 08 22 73 74 72 69 6e 67 22 a1 78",
    );
    // Type JSON as str decodes too.
    decodes(
        "92 a8 22 73 74 72 69 6e 67 22 a1 78",
        &Type::Dynamic,
        Value::Dynamic(Box::new(Type::String), Box::new("x".into())),
    );
    // ["list","number"] with [1]
    golden(
        Value::Dynamic(
            Box::new(Type::list(Type::Number)),
            Box::new(Value::List(vec![Value::int(1)])),
        ),
        &Type::Dynamic,
        "92 c4 11 5b 22 6c 69 73 74 22 2c 22 6e 75 6d 62 65 72 22 5d 91 01",
    );
    // A typed null / unknown inside the wrapper round-trips.
    golden(
        Value::Dynamic(Box::new(Type::Bool), Box::new(Value::Null)),
        &Type::Dynamic,
        "92 c4 06 22 62 6f 6f 6c 22 c0",
    );
    // Inside an object.
    let ty = Type::object([("d", Type::Dynamic)]);
    golden(
        obj(&[(
            "d",
            Value::Dynamic(Box::new(Type::Bool), Box::new(true.into())),
        )]),
        &ty,
        "81 a1 64 92 c4 06 22 62 6f 6f 6c 22 c3",
    );
    // A plain value in a dynamic position is written with its implied type.
    assert_eq!(
        encode(&Value::from("x"), &Type::Dynamic).unwrap(),
        hex("92 c4 08 22 73 74 72 69 6e 67 22 a1 78")
    );
    assert_eq!(
        encode(
            &Value::List(vec![Value::int(1), "a".into()]),
            &Type::Dynamic
        )
        .unwrap_err()
        .kind,
        MsgpackEncodeErrorKind::CannotInferType
    );
    // A wrapper in a position of its own type is unwrapped.
    assert_eq!(
        encode(
            &Value::Dynamic(Box::new(Type::String), Box::new("x".into())),
            &Type::String
        )
        .unwrap(),
        hex("a1 78")
    );
    assert_eq!(
        rejects("91 c4 08 22 73 74 72 69 6e 67 22", &Type::Dynamic).kind,
        MsgpackDecodeErrorKind::DynamicLength(1)
    );
    assert!(matches!(
        rejects("92 c4 05 22 73 74 72 22 a1 78", &Type::Dynamic).kind,
        MsgpackDecodeErrorKind::TypeJson(_)
    ));
    assert!(matches!(
        rejects("a1 78", &Type::Dynamic).kind,
        MsgpackDecodeErrorKind::Expected { .. }
    ));
}

#[test]
fn cross_checked_with_terraform_plugin_go_vectors() {
    // The same bytes the Go SDK (tftypes) writes for these values.
    let hello = || Value::Dynamic(Box::new(Type::String), Box::new("hello".into()));
    golden(
        Value::List(vec![hello()]),
        &Type::list(Type::Dynamic),
        "91 92 c4 08 22 73 74 72 69 6e 67 22 a5 68 65 6c 6c 6f",
    );
    golden(
        Value::Map(BTreeMap::from([("greeting".to_owned(), hello())])),
        &Type::map(Type::Dynamic),
        "81 a8 67 72 65 65 74 69 6e 67 92 c4 08 22 73 74 72 69 6e 67 22 a5 68 65 6c 6c 6f",
    );
    golden(
        Value::Dynamic(
            Box::new(Type::map(Type::String)),
            Box::new(Value::Map(BTreeMap::from([(
                "hello".to_owned(),
                "hello".into(),
            )]))),
        ),
        &Type::Dynamic,
        "92 c4 10 5b 22 6d 61 70 22 2c 22 73 74 72 69 6e 67 22 5d 81 a5 68 65 6c 6c 6f a5 68 65 6c 6c 6f",
    );
    golden(
        obj(&[("a", Value::Null), ("b", Value::Null)]),
        &Type::object([("a", Type::String), ("b", Type::String)]),
        "82 a1 61 c0 a1 62 c0",
    );
    golden(
        obj(&[("a", Value::Null)]),
        &Type::object([("a", Type::Dynamic)]),
        "81 a1 61 c0",
    );
    golden(
        Value::Dynamic(Box::new(Type::String), Box::new(Value::Null)),
        &Type::Dynamic,
        "92 c4 08 22 73 74 72 69 6e 67 22 c0",
    );
    golden(num("0.8"), &Type::Number, "a3 30 2e 38");
    let nines = "9".repeat(100);
    golden(
        num(&nines),
        &Type::Number,
        &format!("d9 64 {}", "39 ".repeat(100)),
    );
}

#[test]
fn trailing_bytes_and_truncation() {
    assert_eq!(
        rejects("c0 c0", &Type::String).kind,
        MsgpackDecodeErrorKind::TrailingBytes(1)
    );
    assert_eq!(
        rejects("a1 61 00 00", &Type::String).kind,
        MsgpackDecodeErrorKind::TrailingBytes(2)
    );
    assert_eq!(
        rejects("", &Type::String).kind,
        MsgpackDecodeErrorKind::UnexpectedEof
    );
    assert_eq!(
        rejects("cd 01", &Type::Number).kind,
        MsgpackDecodeErrorKind::UnexpectedEof
    );
    assert_eq!(
        rejects("c1", &Type::String).kind,
        MsgpackDecodeErrorKind::Expected {
            expected: "string",
            found: "reserved byte 0xc1"
        }
    );
}

#[test]
fn depth_is_bounded() {
    // 200 nested dynamic wrappers of ["list","dynamic"] each holding one element.
    let mut bytes = Vec::new();
    for _ in 0..200 {
        bytes.extend_from_slice(&hex("92 c4 12"));
        bytes.extend_from_slice(br#"["list","dynamic"]"#);
        bytes.push(0x91);
    }
    bytes.push(0xc0);
    assert_eq!(
        decode(&bytes, &Type::Dynamic).unwrap_err().kind,
        MsgpackDecodeErrorKind::TooDeep
    );
    // Deep but legal.
    let mut ty = Type::String;
    let mut bytes = vec![0xa0];
    for _ in 0..100 {
        ty = Type::list(ty);
        bytes.insert(0, 0x91);
    }
    assert!(decode(&bytes, &ty).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Property tests. Generators are shared with the JSON codec's tests.

pub(crate) fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic)
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..5).prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

/// A concrete (not `dynamic`) type for the inside of a dynamic wrapper.
fn arb_concrete_type() -> impl Strategy<Value = Type> {
    arb_type().prop_filter("wrapper type must be concrete", |t| *t != Type::Dynamic)
}

pub(crate) fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        (-1000i64..1000).prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", |f| Number::try_from(f).ok()),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?(e-?[0-9]{1,3})?"
            .prop_filter_map("in range", |s| s.parse().ok()),
    ]
}

/// Numbers whose encoding is short enough for a refinement payload (at most 1 KiB in all).
fn arb_short_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<f32>().prop_filter_map("finite", |f| Number::try_from(f64::from(f)).ok()),
        "-?[0-9]{1,20}(\\.[0-9]{1,20})?".prop_filter_map("in range", |s| s.parse().ok()),
    ]
}

fn arb_refinements(ty: &Type) -> BoxedStrategy<Refinements> {
    let nullness = prop_oneof![Just(None), Just(Some(false))];
    match ty {
        Type::Dynamic => Just(Refinements::default()).boxed(),
        Type::String => (nullness, prop::option::of(".{1,8}"))
            .prop_map(|(nullness, string_prefix)| Refinements {
                nullness,
                string_prefix,
                ..Default::default()
            })
            .boxed(),
        Type::Number => (
            nullness,
            prop::option::of((arb_short_number(), any::<bool>())),
            prop::option::of((arb_short_number(), any::<bool>())),
        )
            .prop_map(|(nullness, number_lower, number_upper)| Refinements {
                nullness,
                number_lower,
                number_upper,
                ..Default::default()
            })
            .boxed(),
        Type::List(_) | Type::Set(_) | Type::Map(_) => (
            nullness,
            prop::option::of(1u64..),
            prop::option::of(any::<u64>()),
        )
            .prop_map(|(nullness, length_lower, length_upper)| Refinements {
                nullness,
                length_lower,
                length_upper,
                ..Default::default()
            })
            .boxed(),
        _ => nullness
            .prop_map(|nullness| Refinements {
                nullness,
                ..Default::default()
            })
            .boxed(),
    }
}

/// A value conforming to `ty`, with nulls (and unknowns when `unknowns`) at every level.
pub(crate) fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known = arb_known(ty, unknowns);
    if unknowns {
        prop_oneof![
            1 => Just(Value::Null),
            1 => arb_refinements(ty).prop_map(Value::Unknown),
            6 => known,
        ]
        .boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn arb_known(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Dynamic => arb_concrete_type()
            .prop_flat_map(move |t| {
                arb_value(&t, unknowns)
                    .prop_map(move |v| Value::Dynamic(Box::new(t.clone()), Box::new(v)))
            })
            .boxed(),
        Type::List(e) => prop::collection::vec(arb_value(e, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(arb_value(e, unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => prop::collection::btree_map(".{0,6}", arb_value(e, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(es) => es
            .iter()
            .map(|e| arb_value(e, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object(atys) => atys
            .iter()
            .map(|(k, t)| {
                let k = k.clone();
                arb_value(t, unknowns).prop_map(move |v| (k.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
    }
}

pub(crate) fn arb_typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| arb_value(&t, unknowns).prop_map(move |v| (t.clone(), v)))
}

/// Cases per property; `PROPTEST_CASES` overrides it.
pub(crate) fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(n)
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn roundtrip((ty, v) in arb_typed_value(true)) {
        let bytes = encode(&v, &ty).unwrap();
        let back = decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &v);
        // Re-encoding is byte-identical.
        prop_assert_eq!(encode(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn decode_never_panics(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode(&bytes, &ty);
    }

    #[test]
    fn decode_never_panics_on_mutations(
        (ty, v) in arb_typed_value(true),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = encode(&v, &ty).unwrap();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = decode(&bytes, &ty);
        let _ = decode(&bytes[..cut.index(bytes.len() + 1)], &ty);
    }

    #[test]
    fn number_text_roundtrip(n in arb_number()) {
        prop_assert_eq!(n.to_string().parse::<Number>().unwrap(), n);
    }

    #[test]
    fn number_f64_exact(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let n = Number::try_from(f).unwrap();
        prop_assert_eq!(n.to_f64_exact(), Some(f));
        prop_assert_eq!(n.to_f64(), f);
    }

    #[test]
    fn number_order_matches_i128(a in any::<i64>(), b in any::<u64>(), c in -5i64..5) {
        let (x, y) = (Number::from(a), Number::from(b));
        prop_assert_eq!(x.cmp(&y), i128::from(a).cmp(&i128::from(b)));
        let fx: Number = format!("{a}.5").parse().unwrap();
        prop_assert_eq!(fx.cmp(&x), if a >= 0 { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Less });
        prop_assert_eq!(Number::from(c).cmp(&Number::from(a)), c.cmp(&a));
    }
}
