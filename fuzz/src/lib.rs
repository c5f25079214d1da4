//! The provider's value module, compiled on its own for fuzzing (same source files).

#[path = "../../src/value/mod.rs"]
pub mod value;

use value::Type;

/// Types the decoders are fuzzed against, chosen by the first input byte. `dynamic` positions
/// let the input bring its own (arbitrarily nested) types.
pub fn fuzz_types() -> Vec<Type> {
    let room = Type::object([
        ("arn", Type::String),
        ("id", Type::String),
        ("name", Type::String),
        ("maximum_message_length", Type::Number),
        ("maximum_message_rate_per_second", Type::Number),
        ("logging_configuration_identifiers", Type::set(Type::String)),
        ("tags", Type::map(Type::String)),
        ("tags_all", Type::map(Type::String)),
        (
            "message_review_handler",
            Type::list(Type::object([
                ("fallback_result", Type::String),
                ("uri", Type::String),
            ])),
        ),
        (
            "timeouts",
            Type::object([("create", Type::String), ("delete", Type::String)]),
        ),
        ("create_time", Type::String),
        ("region", Type::String),
    ]);
    vec![
        Type::Dynamic,
        room,
        Type::String,
        Type::Number,
        Type::Bool,
        Type::list(Type::Dynamic),
        Type::map(Type::Number),
        Type::set(Type::object([
            ("a", Type::String),
            ("b", Type::list(Type::Number)),
        ])),
        Type::tuple([Type::String, Type::Number, Type::Bool, Type::Dynamic]),
        Type::object([
            ("d", Type::Dynamic),
            ("m", Type::map(Type::list(Type::String))),
        ]),
        Type::list(Type::list(Type::list(Type::Number))),
        Type::map(Type::Dynamic),
    ]
}

/// Splits a fuzz input into the type to decode against and the payload.
pub fn split(data: &[u8]) -> Option<(Type, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let types = fuzz_types();
    let ty = types.get(usize::from(selector) % types.len())?.clone();
    Some((ty, rest))
}
