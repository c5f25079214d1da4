//! JSON decoding (strict and lenient) never panics, and whatever decodes re-encodes stably.
#![no_main]

use ivschat_value_fuzz::{split, value::json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((ty, bytes)) = split(data) else {
        return;
    };
    let strict = json::decode(bytes, &ty);
    let Ok(v) = json::decode_lenient(bytes, &ty) else {
        assert!(
            strict.is_err(),
            "strict decode accepted what lenient refused"
        );
        return;
    };
    if let Ok(s) = &strict {
        assert_eq!(s, &v, "strict and lenient disagree");
    }
    let once = json::encode(&v, &ty).expect("decoded value re-encodes");
    let back = json::decode(&once, &ty).expect("encoding decodes");
    assert_eq!(back, v, "JSON round trip changed the value");
    let twice = json::encode(&back, &ty).expect("re-decoded value re-encodes");
    assert_eq!(once, twice);
});
