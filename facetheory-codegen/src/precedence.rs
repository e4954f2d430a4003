//! Route precedence and conflicts.
//!
//! Precedence is decided segment by segment, left to right: `static > <param> > <rest+> > <rest*>`, and a route
//! that ends at a position beats a `<rest*>` that would match zero segments there. Declaration order never
//! matters. Two routes conflict exactly when this comparison cannot tell them apart: same kinds and same static
//! values at every position (`/users/<id>` vs `/users/<slug>`) — they would match the same paths.
//!
//! ```
//! use facetheory_codegen::{precedence::compare, route::RoutePattern};
//! use std::cmp::Ordering;
//! let p = |s| RoutePattern::parse(s).unwrap();
//! assert_eq!(compare(&p("/blog/new"), &p("/blog/<slug>")), Ordering::Less); // static wins
//! assert_eq!(compare(&p("/x"), &p("/x/<q*>")), Ordering::Less);             // ending wins over zero-length rest
//! assert_eq!(compare(&p("/users/<id>"), &p("/users/<slug>")), Ordering::Equal); // a conflict
//! ```

use crate::route::{CatchAll, RoutePattern, Segment};
use std::cmp::Ordering;

/// Position rank, lower wins. `End` sits between `+` and `*`: only a `*` can still match where a path ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Static,
    Param,
    OneOrMore,
    End,
    ZeroOrMore,
}

fn rank_at(p: &RoutePattern, i: usize) -> (Rank, &str) {
    match p.segments().get(i) {
        None => (Rank::End, ""),
        Some(Segment::Static(v)) => (Rank::Static, v.as_str()),
        Some(Segment::Param(_)) => (Rank::Param, ""),
        Some(Segment::CatchAll { kind: CatchAll::OneOrMore, .. }) => (Rank::OneOrMore, ""),
        Some(Segment::CatchAll { kind: CatchAll::ZeroOrMore, .. }) => (Rank::ZeroOrMore, ""),
    }
}

/// Total precedence order: `Less` means `a` is tried before `b`. `Equal` means the two routes conflict.
pub fn compare(a: &RoutePattern, b: &RoutePattern) -> Ordering {
    let n = a.segments().len().max(b.segments().len());
    for i in 0..=n {
        let (ra, sa) = rank_at(a, i);
        let (rb, sb) = rank_at(b, i);
        match ra.cmp(&rb).then_with(|| sa.as_bytes().cmp(sb.as_bytes())) {
            Ordering::Equal if matches!(ra, Rank::End | Rank::OneOrMore | Rank::ZeroOrMore) => return Ordering::Equal,
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// True when some path would be matched equally well by both routes.
pub fn conflicts(a: &RoutePattern, b: &RoutePattern) -> bool {
    compare(a, b) == Ordering::Equal
}

/// Sorts items by route precedence (stable) and returns every conflicting pair as indices into the sorted
/// slice, first occurrence first. Conflicting routes sort next to each other, so one pass finds them all.
pub fn sort_and_find_conflicts<T>(items: &mut [T], pattern: impl Fn(&T) -> &RoutePattern) -> Vec<(usize, usize)> {
    sort_and_find_conflicts_by(items, pattern, |_, _| true)
}

/// Like [`sort_and_find_conflicts`], for routes that may share paths when `clash` says they do not compete
/// (e.g. disjoint HTTP methods): among routes matching the same paths, every pair for which `clash` is true is
/// returned. Routes matching the same paths form small groups (at most one per method), so the pairwise check
/// stays cheap.
pub fn sort_and_find_conflicts_by<T>(
    items: &mut [T],
    pattern: impl Fn(&T) -> &RoutePattern,
    clash: impl Fn(&T, &T) -> bool,
) -> Vec<(usize, usize)> {
    items.sort_by(|a, b| compare(pattern(a), pattern(b)));
    let mut pairs = Vec::new();
    for group in same_paths_groups(items, &pattern) {
        for i in group.clone() {
            for j in i + 1..group.end {
                if clash(&items[i], &items[j]) {
                    pairs.push((i, j));
                }
            }
        }
    }
    pairs
}

/// The runs of adjacent items (sorted by [`compare`]) that match exactly the same paths, as index ranges; every
/// item is in one run.
pub fn same_paths_groups<T>(items: &[T], pattern: impl Fn(&T) -> &RoutePattern) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=items.len() {
        if i == items.len() || !conflicts(pattern(&items[start]), pattern(&items[i])) {
            groups.push(start..i);
            start = i;
        }
    }
    groups
}
