//! The runtime router: a segment trie built from parsed [`RoutePattern`]s, searched depth-first in precedence
//! order (static, `<param>`, `<rest+>`, end of route, `<rest*>`), so the first hit is the best route for the
//! path whatever the declaration order. Lookup does not allocate: captures are byte ranges into the path.
//!
//! ```
//! use facetheory::route::Router;
//! use facetheory_codegen::route::RoutePattern;
//! let routes: Vec<_> = ["/blog/<slug>", "/blog/new", "/<rest*>"].iter().map(|r| RoutePattern::parse(r).unwrap()).collect();
//! let router = Router::new(&routes);
//! assert_eq!(router.find("/blog/new").unwrap().route(), 1);
//! let m = router.find("/blog/hello").unwrap();
//! assert_eq!((m.route(), m.capture(0)), (0, Some("hello")));
//! assert_eq!(router.find("/").unwrap().route(), 2);
//! ```

use facetheory_codegen::route::{CatchAll, RoutePattern, Segment, MAX_PARAMS};

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
    statics: Vec<(Box<str>, Node)>,
    param: Option<Box<Node>>,
    one_or_more: Option<usize>,
    end: Option<usize>,
    zero_or_more: Option<usize>,
}

/// A trie over route patterns; route ids are the indices of the patterns given to [`Router::new`].
#[derive(Debug)]
pub struct Router {
    root: Node,
}

/// A successful lookup: the route id and its captured parameters (in the route's parameter order).
#[derive(Debug, Clone, Copy)]
pub struct RouteMatch<'p> {
    route: usize,
    path: &'p str,
    spans: [(u32, u32); MAX_PARAMS],
    len: usize,
}

impl<'p> RouteMatch<'p> {
    /// Index of the matched route.
    pub fn route(&self) -> usize {
        self.route
    }

    /// The raw (not decoded) text captured for the route's `i`-th parameter. A catch-all gives the rest of the
    /// path joined with `/`, and `Some("")` when a `<rest*>` matched nothing.
    pub fn capture(&self, i: usize) -> Option<&'p str> {
        if i >= self.len {
            return None;
        }
        let (s, e) = self.spans[i];
        self.path.get(s as usize..e as usize)
    }

    /// Number of captures.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the route has no parameters.
    pub fn is_empty(&self) -> bool {
        self.len == 0
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
                        let pos = node.statics.iter().position(|(k, _)| **k == **v);
                        let pos = pos.unwrap_or_else(|| {
                            node.statics.push((v.clone().into_boxed_str(), Node::default()));
                            node.statics.len() - 1
                        });
                        &mut node.statics[pos].1
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
        Router { root }
    }

    /// Finds the best route for a raw path (which must start with `/`; anything else matches nothing).
    pub fn find<'p>(&self, path: &'p str) -> Option<RouteMatch<'p>> {
        if !path.starts_with('/') || path.len() > u32::MAX as usize {
            return None;
        }
        let mut m = RouteMatch { route: 0, path, spans: [(0, 0); MAX_PARAMS], len: 0 };
        let start = if path.len() == 1 { None } else { Some(1) };
        find_in(&self.root, path, start, &mut m).then_some(m)
    }
}

fn sort_statics(node: &mut Node) {
    node.statics.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (_, child) in &mut node.statics {
        sort_statics(child);
    }
    if let Some(p) = &mut node.param {
        sort_statics(p);
    }
}

/// A catch-all accepts the rest of the path only when it has no empty segment (`/a//b`, `/a/`).
fn rest_is_clean(rest: &str) -> bool {
    !rest.is_empty() && !rest.starts_with('/') && !rest.ends_with('/') && !rest.contains("//")
}

fn find_in(node: &Node, path: &str, pos: Option<usize>, m: &mut RouteMatch<'_>) -> bool {
    let Some(pos) = pos else {
        if let Some(id) = node.end {
            m.route = id;
            return true;
        }
        if let Some(id) = node.zero_or_more {
            m.route = id;
            push(m, path.len(), path.len());
            return true;
        }
        return false;
    };
    let rest = &path[pos..];
    let seg_len = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
    let seg = &rest[..seg_len];
    let next = if seg_len == rest.len() { None } else { Some(pos + seg_len + 1) };
    if !seg.is_empty() {
        if let Some(child) = find_static(&node.statics, seg) {
            if find_in(child, path, next, m) {
                return true;
            }
        }
        if let Some(child) = &node.param {
            let saved = m.len;
            push(m, pos, pos + seg_len);
            if find_in(child, path, next, m) {
                return true;
            }
            m.len = saved;
        }
    }
    let catch_all = node.one_or_more.or(node.zero_or_more);
    if let Some(id) = catch_all {
        if rest_is_clean(rest) {
            m.route = id;
            push(m, pos, path.len());
            return true;
        }
    }
    false
}

#[inline]
fn find_static<'n>(statics: &'n [(Box<str>, Node)], seg: &str) -> Option<&'n Node> {
    if statics.len() <= 8 {
        statics.iter().find(|(k, _)| k.len() == seg.len() && **k == *seg).map(|(_, n)| n)
    } else {
        statics.binary_search_by(|(k, _)| k.as_bytes().cmp(seg.as_bytes())).ok().map(|i| &statics[i].1)
    }
}

#[inline]
fn push(m: &mut RouteMatch<'_>, start: usize, end: usize) {
    // Patterns have at most MAX_PARAMS parameters (checked by the grammar), so this never overflows.
    if m.len < MAX_PARAMS {
        m.spans[m.len] = (start as u32, end as u32);
        m.len += 1;
    }
}

/// Strips trailing slashes from a non-root path (`/docs//` → `/docs`); `None` if there were none.
pub fn strip_trailing_slashes(path: &str) -> Option<&str> {
    if path.len() > 1 && path.ends_with('/') {
        let stripped = path.trim_end_matches('/');
        Some(if stripped.is_empty() { "/" } else { stripped })
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
