//! The runtime router: a segment trie built from parsed [`RoutePattern`]s, searched depth-first in precedence
//! order (static, `<param>`, `<rest+>`, end of route, `<rest*>`), so the first hit is the best route for the
//! path whatever the declaration order. Lookup does not allocate: captures are byte ranges into the path.
//! (`Router::new(&patterns).find(path)` gives the index of the best pattern and its captures.)

// The router is public through `facetheory::testing` (benchmarks) and crate-private otherwise.
#![cfg_attr(not(feature = "testing"), allow(unreachable_pub))]

use facetheory_codegen::route::{CatchAll, RoutePattern, Segment};

/// How a path with a trailing slash (other than `/`) is treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TrailingSlash {
    /// `/docs/` is a different path from `/docs` and matches no route (404).
    Strict,
    /// `/docs/` answers `308 Permanent Redirect` to `/docs` (query kept) when `/docs` matches a route.
    #[default]
    Redirect,
    /// `/docs/` is served as `/docs`, without a redirect.
    Normalize,
}

#[derive(Default, Debug)]
struct Node {
    /// Static child keys, parallel to `children`; kept apart so a scan touches only the keys.
    keys: Vec<Box<str>>,
    /// First byte of each key (keys are sorted, so equal first bytes are adjacent): a dense byte scan finds
    /// the few candidates before any key is compared.
    firsts: Vec<u8>,
    children: Vec<Node>,
    param: Option<Box<Node>>,
    one_or_more: Option<usize>,
    end: Option<usize>,
    zero_or_more: Option<usize>,
}

/// A trie over route patterns; route ids are the indices of the patterns given to [`Router::new`].
#[derive(Debug)]
pub struct Router {
    root: Node,
    /// Per route, the kind of each segment; captures are recovered from it after a match, so the search
    /// itself records nothing.
    shapes: Vec<Vec<Shape>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// A static segment of this many bytes: skipped without scanning.
    Static(u32),
    Param,
    CatchAll,
}

/// A successful lookup: the route id; captured parameters are computed on demand.
#[derive(Debug, Clone, Copy)]
pub struct RouteMatch<'r, 'p> {
    route: usize,
    path: &'p str,
    shape: &'r [Shape],
}

impl<'p> RouteMatch<'_, 'p> {
    /// Index of the matched route.
    pub fn route(&self) -> usize {
        self.route
    }

    /// The raw (not decoded) text captured for the route's `i`-th parameter. A catch-all gives the rest of the
    /// path joined with `/`, and `Some("")` when a `<rest*>` matched nothing.
    pub fn capture(&self, i: usize) -> Option<&'p str> {
        self.capture_range(i).map(|r| self.path.get(r).unwrap_or(""))
    }

    /// Where [`RouteMatch::capture`]'s text is in the matched path (what a context keeps instead of a copy).
    pub fn capture_range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let mut param = 0;
        let mut pos = 1; // after the leading `/`
        for kind in self.shape {
            match kind {
                Shape::Static(len) => pos += *len as usize + 1,
                Shape::Param => {
                    let rest = self.path.get(pos..)?;
                    let len = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
                    if param == i {
                        return Some(pos..pos + len);
                    }
                    param += 1;
                    pos += len + 1;
                }
                // `<rest*>` matching nothing ends before its slash: an empty range at the path's end.
                Shape::CatchAll => return (param == i).then(|| pos.min(self.path.len())..self.path.len()),
            }
        }
        None
    }

    /// Number of captures.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shape.iter().filter(|s| !matches!(s, Shape::Static(_))).count()
    }
}

impl Router {
    /// Builds the trie. Patterns that conflict (see `facetheory_codegen::precedence`) must have been rejected
    /// before; if two do slip in, the first one given wins.
    pub fn new(patterns: &[RoutePattern]) -> Self {
        let mut root = Node::default();
        for (id, p) in patterns.iter().enumerate() {
            let mut node = &mut root;
            for seg in p.segments() {
                node = match seg {
                    Segment::Static(v) => {
                        let pos = node.keys.iter().position(|k| **k == **v);
                        let pos = pos.unwrap_or_else(|| {
                            node.keys.push(v.clone().into_boxed_str());
                            node.children.push(Node::default());
                            node.keys.len() - 1
                        });
                        &mut node.children[pos]
                    }
                    Segment::Param(_) => node.param.get_or_insert_with(Default::default),
                    Segment::CatchAll { kind: CatchAll::OneOrMore, .. } => {
                        node.one_or_more.get_or_insert(id);
                        break;
                    }
                    Segment::CatchAll { kind: CatchAll::ZeroOrMore, .. } => {
                        node.zero_or_more.get_or_insert(id);
                        break;
                    }
                };
            }
            if !matches!(p.segments().last(), Some(Segment::CatchAll { .. })) {
                node.end.get_or_insert(id);
            }
        }
        sort_statics(&mut root);
        let shapes = patterns
            .iter()
            .map(|p| {
                p.segments()
                    .iter()
                    .map(|s| match s {
                        Segment::Static(v) => Shape::Static(v.len() as u32),
                        Segment::Param(_) => Shape::Param,
                        Segment::CatchAll { .. } => Shape::CatchAll,
                    })
                    .collect()
            })
            .collect();
        Router { root, shapes }
    }

    /// Finds the best route for a raw path (which must start with `/`; anything else matches nothing).
    pub fn find<'r, 'p>(&'r self, path: &'p str) -> Option<RouteMatch<'r, 'p>> {
        if !path.starts_with('/') {
            return None;
        }
        let start = if path.len() == 1 { None } else { Some(1) };
        let route = find_in(&self.root, path, start)?;
        Some(RouteMatch { route, path, shape: &self.shapes[route] })
    }
}

fn sort_statics(node: &mut Node) {
    let mut pairs: Vec<(Box<str>, Node)> =
        std::mem::take(&mut node.keys).into_iter().zip(std::mem::take(&mut node.children)).collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    node.firsts.clear();
    for (k, mut child) in pairs {
        sort_statics(&mut child);
        node.firsts.push(k.as_bytes()[0]);
        node.keys.push(k);
        node.children.push(child);
    }
    if let Some(p) = &mut node.param {
        sort_statics(p);
    }
}

/// A catch-all accepts the rest of the path only when it has no empty segment (`/a//b`, `/a/`).
fn rest_is_clean(rest: &str) -> bool {
    let b = rest.as_bytes();
    // One pass, no substring search: the rest is non-empty, does not start or end with `/`, and has no `//`.
    let mut prev_slash = true;
    for &c in b {
        let slash = c == b'/';
        if slash && prev_slash {
            return false;
        }
        prev_slash = slash;
    }
    !prev_slash
}

fn find_in(node: &Node, path: &str, pos: Option<usize>) -> Option<usize> {
    let Some(pos) = pos else {
        return node.end.or(node.zero_or_more);
    };
    let rest = &path[pos..];
    let seg_len = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
    let seg = &rest[..seg_len];
    let next = if seg_len == rest.len() { None } else { Some(pos + seg_len + 1) };
    if !seg.is_empty() {
        if let Some(child) = find_static(node, seg) {
            if let Some(id) = find_in(child, path, next) {
                return Some(id);
            }
        }
        if let Some(child) = &node.param {
            if let Some(id) = find_in(child, path, next) {
                return Some(id);
            }
        }
    }
    match node.one_or_more.or(node.zero_or_more) {
        Some(id) if rest_is_clean(rest) => Some(id),
        _ => None,
    }
}

#[inline]
fn find_static<'n>(node: &'n Node, seg: &str) -> Option<&'n Node> {
    let first = seg.as_bytes()[0];
    let start = node.firsts.iter().position(|b| *b == first)?;
    let mut i = start;
    while i < node.keys.len() && node.firsts[i] == first {
        if node.keys[i].as_bytes() == seg.as_bytes() {
            return node.children.get(i);
        }
        i += 1;
    }
    None
}

/// Strips trailing slashes from a non-root path (`/docs//` → `/docs`); `None` if there were none.
pub(crate) fn strip_trailing_slashes(path: &str) -> Option<&str> {
    if path.len() > 1 && path.ends_with('/') {
        let stripped = path.trim_end_matches('/');
        Some(if stripped.is_empty() { "/" } else { stripped })
    } else {
        None
    }
}

#[cfg(any(test, feature = "testing"))]
pub mod reference;
#[cfg(test)]
mod tests;
