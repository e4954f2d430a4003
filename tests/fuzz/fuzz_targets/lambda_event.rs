//! Lambda event → request: whatever bytes arrive, checking and converting them never panics — events
//! lambda_http would panic on are rewritten first (and answered 400).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = match facetheory::lambda::normalize_event(data) {
        Ok(None) => data.to_vec(),
        Ok(Some(normalized)) => normalized,
        Err((fixed, _reason)) => fixed,
    };
    if let Ok(text) = std::str::from_utf8(&body) {
        let _ = lambda_http::request::from_str(text).map(facetheory::lambda::prepare_request);
    }
});
