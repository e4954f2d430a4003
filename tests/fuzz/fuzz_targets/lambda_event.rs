//! Lambda event → request: whatever bytes arrive, checking and converting them never panics — events
//! lambda_http would panic on are rewritten first (and answered 400), and the fast path agrees with the full one.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The fast path (a borrowed probe of the common event) never disagrees with the full check.
    let fast = facetheory::lambda::normalize_event(data);
    let full = facetheory::lambda::normalize_event_in_full(data);
    assert_eq!(format!("{fast:?}"), format!("{full:?}"), "fast and full normalisation disagree");
    let body = match fast {
        Ok(None) => data.to_vec(),
        Ok(Some(normalized)) => normalized,
        Err((fixed, _reason)) => fixed,
    };
    // The fast event path, where it takes an event, builds exactly the full path's request.
    if let Err(difference) = facetheory::lambda::fast_path_agrees(data) {
        panic!("{difference}");
    }
    if let Ok(text) = std::str::from_utf8(&body) {
        let _ = lambda_http::request::from_str(text).map(facetheory::lambda::prepare_request);
    }
});
