//! A brute-force route matcher: the grammar's rules applied pattern by pattern, with no trie. The router is
//! tested (unit tests, fuzzing) against it; it is not used to serve requests.

use std::cmp::Ordering;

use facetheory_codegen::precedence::compare;
use facetheory_codegen::route::{CatchAll, RoutePattern, Segment};

/// Does `pattern` match `path` (raw, starting with `/`)? Statics byte for byte, a param one non-empty
/// segment, `+` one or more non-empty segments, `*` zero or more.
pub fn matches(pattern: &RoutePattern, path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else { return false };
    let segs: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.split('/').collect() };
    let mut i = 0;
    for seg in pattern.segments() {
        match seg {
            Segment::Static(v) => {
                if segs.get(i) != Some(&v.as_str()) {
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
                let remaining = &segs[i.min(segs.len())..];
                if remaining.iter().any(|s| s.is_empty()) {
                    return false;
                }
                return match kind {
                    CatchAll::OneOrMore => !remaining.is_empty(),
                    CatchAll::ZeroOrMore => true,
                };
            }
        }
    }
    i == segs.len()
}

/// The index of the best pattern for `path` by the precedence rule among all that match (what the router must
/// answer), or `None`.
pub fn best(patterns: &[RoutePattern], path: &str) -> Option<usize> {
    (0..patterns.len()).filter(|&i| matches(&patterns[i], path)).min_by(|&a, &b| {
        match compare(&patterns[a], &patterns[b]) {
            Ordering::Equal => a.cmp(&b),
            other => other,
        }
    })
}
