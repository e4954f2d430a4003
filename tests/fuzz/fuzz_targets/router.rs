//! Route grammar + router against a brute-force reference: for routes and a path made from the input, the
//! router's answer is the best match by the precedence rule among all routes that match (or none).
#![no_main]

use facetheory::testing::{reference_router, Router};
use facetheory_codegen::precedence::compare;
use facetheory_codegen::route::RoutePattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.lines();
    let Some(path) = lines.next() else { return };
    let mut patterns: Vec<RoutePattern> = Vec::new();
    for line in lines.take(16) {
        // Invalid routes are errors, never panics; conflicting ones are left out (the app refuses them).
        if let Ok(p) = RoutePattern::parse(line) {
            if !patterns.iter().any(|q| compare(q, &p) == std::cmp::Ordering::Equal) {
                patterns.push(p);
            }
        }
    }
    let router = Router::new(&patterns);
    let found = router.find(path).map(|m| m.route());
    if !path.starts_with('/') {
        assert_eq!(found, None);
        return;
    }
    let best = reference_router::best(&patterns, path);
    assert_eq!(found, best, "path {path:?}, routes {:?}", patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>());
});
