//! msgpack decoding never panics, and whatever decodes re-encodes stably.
#![no_main]

use ivschat_value_fuzz::{split, value::msgpack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((ty, bytes)) = split(data) else {
        return;
    };
    let Ok(v) = msgpack::decode(bytes, &ty) else {
        return;
    };
    // A decoded value conforms to its type, so it must encode; the encoding must decode to a
    // value that encodes identically (refinements the encoder drops make a byte-for-byte
    // comparison with the input itself too strict).
    let once = msgpack::encode(&v, &ty).expect("decoded value re-encodes");
    let back = msgpack::decode(&once, &ty).expect("encoding decodes");
    let twice = msgpack::encode(&back, &ty).expect("re-decoded value re-encodes");
    assert_eq!(once, twice, "unstable encoding of {v:?}");
});
