//! The NDJSON record parser never panics, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dorama_search::record::parse_ndjson_bytes("fuzz", data);
});
