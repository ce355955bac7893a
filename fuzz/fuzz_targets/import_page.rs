//! The page importer never panics on a broken or hostile page: it returns records or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = dorama_search::import::import_page(&text);
});
