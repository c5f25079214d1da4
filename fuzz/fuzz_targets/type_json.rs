//! Type JSON parsing never panics, and parsed types round-trip through `to_json`.
#![no_main]

use ivschat_value_fuzz::value::Type;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(ty) = Type::from_json(data) else {
        return;
    };
    let json = ty.to_json();
    assert_eq!(
        Type::from_json(&json).as_ref(),
        Ok(&ty),
        "{}",
        String::from_utf8_lossy(&json)
    );
});
