//! The route grammar: the one place where a route string becomes a [`RoutePattern`].
//!
//! Syntax (one segment between slashes):
//!
//! | written | also accepted | matches |
//! |---|---|---|
//! | `about` | | exactly `about` (case-sensitive, raw bytes) |
//! | `<id>` | `{id}` | one non-empty segment |
//! | `<rest+>` | `{rest+}`, `{proxy+}` | one or more segments (last position only) |
//! | `<rest*>` | `{rest*}`, `{proxy*}` | zero or more segments (last position only) |
//!
//! ```
//! use facetheory_codegen::route::{RoutePattern, Segment};
//! let p = RoutePattern::parse("/blog/{slug}").unwrap();
//! assert_eq!(p.to_string(), "/blog/<slug>");
//! assert!(matches!(p.segments()[1], Segment::Param(ref n) if n == "slug"));
//! ```

use std::fmt;

/// The most parameters one route may declare (captures live in a fixed array on the lookup path).
pub const MAX_PARAMS: usize = 16;

/// How many path segments a catch-all accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CatchAll {
    /// `<name+>`: one or more segments.
    OneOrMore,
    /// `<name*>`: zero or more segments.
    ZeroOrMore,
}

/// One segment of a parsed route.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A literal segment, matched byte for byte.
    Static(String),
    /// `<name>`: exactly one non-empty segment.
    Param(String),
    /// `<name+>` / `<name*>`: the rest of the path; always the last segment.
    CatchAll { name: String, kind: CatchAll },
}

impl Segment {
    /// The parameter name, if this segment captures one.
    pub fn param_name(&self) -> Option<&str> {
        match self {
            Segment::Static(_) => None,
            Segment::Param(n) | Segment::CatchAll { name: n, .. } => Some(n),
        }
    }
}

/// What kind of value a route parameter carries (decides which parsing trait a typed argument needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// One segment (`<id>`).
    Single,
    /// A list of segments (`<rest+>` or `<rest*>`).
    Segments(CatchAll),
}

/// A validated route: a list of segments in canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoutePattern {
    segments: Vec<Segment>,
}

/// Why a route string was rejected, with the byte range inside the string that is at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the offending part inside the route string.
    pub offset: usize,
    /// Byte length of the offending part (at least 1 when the string is non-empty).
    pub len: usize,
}

impl RouteError {
    fn new(message: impl Into<String>, offset: usize, len: usize) -> Self {
        RouteError { message: message.into(), offset, len: len.max(1) }
    }

    /// Renders the error with the route and a caret line under the offending part, for places where a span
    /// cannot point inside a string literal (askama style).
    ///
    /// ```
    /// use facetheory_codegen::route::RoutePattern;
    /// let err = RoutePattern::parse("/a/<1x>").unwrap_err();
    /// assert_eq!(err.render("/a/<1x>"), "invalid route \"/a/<1x>\": parameter name `1x` is not a Rust identifier\n  /a/<1x>\n      ^^");
    /// ```
    pub fn render(&self, route: &str) -> String {
        let pad = route.get(..self.offset).map_or(self.offset, |s| s.chars().count());
        let width = route
            .get(self.offset..(self.offset + self.len).min(route.len()))
            .map_or(self.len, |s| s.chars().count().max(1));
        format!("invalid route {route:?}: {}\n  {route}\n  {}{}", self.message, " ".repeat(pad), "^".repeat(width))
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for RouteError {}

impl RoutePattern {
    /// Parses and validates a route string. Accepts the `{…}` aliases and normalises them to `<…>`.
    pub fn parse(src: &str) -> Result<Self, RouteError> {
        if src.is_empty() {
            return Err(RouteError::new("route is empty; the root route is \"/\"", 0, 0));
        }
        if !src.starts_with('/') {
            return Err(RouteError::new("route must start with `/`", 0, 1));
        }
        if src == "/" {
            return Ok(RoutePattern { segments: Vec::new() });
        }
        if src.ends_with('/') {
            return Err(RouteError::new(
                "route must not end with `/` (the trailing-slash policy decides how `/x/` is served)",
                src.len() - 1,
                1,
            ));
        }
        let mut segments: Vec<Segment> = Vec::new();
        let mut offset = 1;
        let mut prev = (0, 0);
        for raw in src[1..].split('/') {
            if let Some(Segment::CatchAll { name, .. }) = segments.last() {
                return Err(RouteError::new(format!("catch-all `{name}` must be the last segment"), prev.0, prev.1));
            }
            let seg = parse_segment(raw, offset)?;
            if let Some(name) = seg.param_name() {
                if segments.iter().any(|s| s.param_name() == Some(name)) {
                    return Err(RouteError::new(
                        format!("parameter name `{name}` is used twice in this route"),
                        offset,
                        raw.len(),
                    ));
                }
            }
            segments.push(seg);
            prev = (offset, raw.len());
            offset += raw.len() + 1;
        }
        let params = segments.iter().filter(|s| s.param_name().is_some()).count();
        if params > MAX_PARAMS {
            return Err(RouteError::new(
                format!("a route may declare at most {MAX_PARAMS} parameters, this one declares {params}"),
                0,
                src.len(),
            ));
        }
        Ok(RoutePattern { segments })
    }

    /// The segments, left to right (the root route has none).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The parameters in declaration order with their kind.
    pub fn params(&self) -> impl Iterator<Item = (&str, ParamKind)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Static(_) => None,
            Segment::Param(n) => Some((n.as_str(), ParamKind::Single)),
            Segment::CatchAll { name, kind } => Some((name.as_str(), ParamKind::Segments(*kind))),
        })
    }

    /// True when the route has no parameters (one path only).
    pub fn is_static(&self) -> bool {
        self.segments.iter().all(|s| matches!(s, Segment::Static(_)))
    }
}

fn parse_segment(raw: &str, offset: usize) -> Result<Segment, RouteError> {
    if raw.is_empty() {
        return Err(RouteError::new("empty segment (`//`) in route", offset.saturating_sub(1), 2));
    }
    let (open, close) = match raw.as_bytes()[0] {
        b'<' => ('<', '>'),
        b'{' => ('{', '}'),
        _ => return parse_static(raw, offset),
    };
    if !raw.ends_with(close) || raw.len() < 2 {
        return Err(RouteError::new(
            format!("parameter segment starting with `{open}` must end with `{close}` and fill the whole segment"),
            offset,
            raw.len(),
        ));
    }
    let inner = &raw[1..raw.len() - 1];
    let (name, kind) = if let Some(n) = inner.strip_suffix('+') {
        (n, Some(CatchAll::OneOrMore))
    } else if let Some(n) = inner.strip_suffix('*') {
        (n, Some(CatchAll::ZeroOrMore))
    } else {
        (inner, None)
    };
    let name_offset = offset + 1;
    if name.is_empty() {
        return Err(RouteError::new("parameter name is empty", offset, raw.len()));
    }
    if !is_identifier(name) {
        return Err(RouteError::new(
            format!("parameter name `{name}` is not a Rust identifier"),
            name_offset,
            name.len(),
        ));
    }
    if is_keyword(name) {
        return Err(RouteError::new(
            format!("parameter name `{name}` is a Rust keyword and cannot name a function argument"),
            name_offset,
            name.len(),
        ));
    }
    let name = name.to_string();
    Ok(match kind {
        None => Segment::Param(name),
        Some(kind) => Segment::CatchAll { name, kind },
    })
}

fn parse_static(raw: &str, offset: usize) -> Result<Segment, RouteError> {
    if raw == "." || raw == ".." {
        return Err(RouteError::new("dot segments (`.` and `..`) are not allowed in routes", offset, raw.len()));
    }
    for (i, c) in raw.char_indices() {
        let allowed = c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c);
        if !allowed {
            let hint = match c {
                '<' | '>' | '{' | '}' => " (a parameter must fill a whole segment, e.g. `/<id>`)",
                '%' => " (write the character itself, not its percent-encoding)",
                _ => "",
            };
            return Err(RouteError::new(
                format!("character {c:?} is not allowed in a static segment{hint}"),
                offset + i,
                c.len_utf8(),
            ));
        }
    }
    Ok(Segment::Static(raw.to_string()))
}

/// `[A-Za-z_][A-Za-z0-9_]*`, not a lone `_`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    s != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// True for a Rust keyword (strict, reserved or weak): not usable as a parameter or module name.
pub fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
        "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
        "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
        "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&s)
}

impl fmt::Display for RoutePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for s in &self.segments {
            match s {
                Segment::Static(v) => write!(f, "/{v}")?,
                Segment::Param(n) => write!(f, "/<{n}>")?,
                Segment::CatchAll { name, kind: CatchAll::OneOrMore } => write!(f, "/<{name}+>")?,
                Segment::CatchAll { name, kind: CatchAll::ZeroOrMore } => write!(f, "/<{name}*>")?,
            }
        }
        Ok(())
    }
}
