//! Fuzzes the CBOR decoder: deterministic input re-encodes to the same bytes, and any decoded value
//! re-encodes to bytes that decode to the same value (maps compared in encoding order).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pora_core::cbor::Value;

/// The value with every map's entries in deterministic (encoded key) order.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        Value::Map(m) => {
            let mut m: Vec<(Value, Value)> = m
                .iter()
                .map(|(k, v)| (canonical(k), canonical(v)))
                .collect();
            m.sort_by_key(|(k, _)| k.to_vec());
            Value::Map(m)
        }
        Value::Tag(t, inner) => Value::Tag(*t, Box::new(canonical(inner))),
        other => other.clone(),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(v) = Value::from_slice(bytes) else {
        return;
    };
    let encoded = v.to_vec();
    if Value::is_deterministic(bytes) {
        assert_eq!(
            encoded, bytes,
            "deterministic input must re-encode to itself"
        );
    }
    let again = Value::from_slice(&encoded).expect("the encoding of a decoded value must decode");
    assert_eq!(again, canonical(&v), "re-decoded value differs");
    assert!(
        Value::is_deterministic(&encoded),
        "the encoder's output must be deterministic"
    );
});
