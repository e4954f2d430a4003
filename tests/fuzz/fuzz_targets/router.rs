//! Route grammar + router against a brute-force reference: for routes and a path made from the input, the
//! router's answer is the best match by the precedence rule among all routes that match (or none).
#![no_main]

use facetheory::testing::Router;
use facetheory_codegen::precedence::compare;
use facetheory_codegen::route::{CatchAll, RoutePattern, Segment};
use libfuzzer_sys::fuzz_target;

/// Does `pattern` match `path` (raw, starting with `/`)? The grammar's rules: statics byte for byte, a param
/// one non-empty segment, `+` one or more clean segments, `*` zero or more.
fn matches(pattern: &RoutePattern, path: &str) -> bool {
    let segs: Vec<&str> = if path == "/" { Vec::new() } else { path[1..].split('/').collect() };
    let mut i = 0;
    for seg in pattern.segments() {
        match seg {
            Segment::Static(s) => {
                if segs.get(i) != Some(&s.as_str()) {
                    return false;
                }
                i += 1;
            }
            Segment::Param(_) => {
                if segs.get(i).is_none_or(|s| s.is_empty()) {
                    return false;
                }
                i += 1;
            }
            Segment::CatchAll { kind, .. } => {
                let rest = &segs[i.min(segs.len())..];
                return match kind {
                    CatchAll::OneOrMore => !rest.is_empty() && rest.iter().all(|s| !s.is_empty()),
                    CatchAll::ZeroOrMore => rest.iter().all(|s| !s.is_empty()),
                };
            }
        }
    }
    i == segs.len() && segs.iter().all(|s| !s.is_empty())
}

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
    let best = (0..patterns.len())
        .filter(|&i| matches(&patterns[i], path))
        .min_by(|&a, &b| compare(&patterns[a], &patterns[b]));
    assert_eq!(found, best, "path {path:?}, routes {:?}", patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>());
});
