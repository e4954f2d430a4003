//! Head tags: deduplication, ordering and rendering exactly as FaceTheory does it, plus helpers
//! for titles, meta, Open Graph, Twitter cards, canonical links and JSON-LD.
//!
//! ```
//! use facetheory::head::{self, render_head};
//! let tags = vec![
//!     head::meta("description", "first"),
//!     head::title("Blog"),
//!     head::meta("description", "second"),   // replaces the first, at its own position
//!     head::charset("utf-8"),                  // charset metas always come first, then titles
//! ];
//! assert_eq!(
//!     render_head(&tags),
//!     r#"<meta charset="utf-8"><title>Blog</title><meta content="second" name="description">"#
//! );
//! ```

use std::borrow::Cow;

use crate::escape::escape_html_into;

mod block;
mod helpers;
mod list;
mod normalize;

pub use block::{HeadBlock, IntoHead, MAX_VALUES};
#[doc(hidden)]
pub use block::{HeadWriter, StaticBlock, StaticElement, StaticKey, StaticTag, StaticValue};
pub use helpers::*;
pub(crate) use list::{HeadList, HeadRef, MetaAttr};
#[cfg(test)]
pub(crate) use normalize::render_refs_into;
pub(crate) use normalize::Normalized;
pub use normalize::{normalize_head, render_head, render_head_into};

/// An attribute value: text, or a bare boolean attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrValue {
    /// `name="value"` (escaped); literals are kept without copying.
    Text(Cow<'static, str>),
    /// A bare attribute (`crossorigin`).
    Flag,
}

impl AttrValue {
    fn text_len(&self) -> usize {
        match self {
            AttrValue::Text(t) => t.len(),
            AttrValue::Flag => 0,
        }
    }
}

/// Attributes of a tag, kept sorted by name (byte order), which is also the rendering order. Names are
/// almost always literals: they are kept without copying.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attrs(Vec<(Cow<'static, str>, AttrValue)>);

impl Attrs {
    /// No attributes.
    pub fn new() -> Self {
        Attrs(Vec::new())
    }

    /// Sets a text attribute (replacing one of the same name).
    ///
    /// ```
    /// use facetheory::head::Attrs;
    /// assert_eq!(Attrs::new().set("rel", "icon").set("href", "/a.svg").render(), r#" href="/a.svg" rel="icon""#);
    /// ```
    pub fn set(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Cow<'static, str>>) -> Self {
        self.insert(name, AttrValue::Text(value.into()));
        self
    }

    /// Sets a bare boolean attribute.
    pub fn flag(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.insert(name, AttrValue::Flag);
        self
    }

    /// Inserts or replaces, keeping names sorted.
    pub fn insert(&mut self, name: impl Into<Cow<'static, str>>, value: AttrValue) {
        let name = name.into();
        match self.0.binary_search_by(|(n, _)| n.as_bytes().cmp(name.as_bytes())) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }

    /// A text attribute's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find_map(|(n, v)| match v {
            AttrValue::Text(t) if n.as_ref() == name => Some(t.as_ref()),
            _ => None,
        })
    }

    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.as_ref() == name)
    }

    /// The attribute names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_ref())
    }

    /// Renders ` a="x" b` with names sorted (byte order) and everything escaped.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    /// [`Attrs::render`] appending to `out`.
    pub fn render_into(&self, out: &mut String) {
        for (name, value) in &self.0 {
            out.push(' ');
            escape_html_into(out, name);
            if let AttrValue::Text(v) = value {
                out.push_str("=\"");
                escape_html_into(out, v);
                out.push('"');
            }
        }
    }
}

/// One tag in the document head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadTag {
    /// `<title>`.
    Title(String),
    /// `<meta>`.
    Meta(Attrs),
    /// `<link>`.
    Link(Attrs),
    /// `<script>` with an optional body.
    Script {
        /// Its attributes.
        attrs: Attrs,
        /// Its inline body (empty for `src` scripts).
        body: String,
    },
    /// `<style>`.
    Style {
        /// Its attributes.
        attrs: Attrs,
        /// The stylesheet text.
        css: String,
    },
    /// Raw HTML, emitted verbatim and never deduplicated.
    Raw(String),
}

impl HeadTag {
    /// Renders the tag: `</script` / `</style` inside bodies are neutralised.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    /// [`HeadTag::render`] appending to `out`.
    pub fn render_into(&self, out: &mut String) {
        match self {
            HeadTag::Title(t) => {
                out.push_str("<title>");
                escape_html_into(out, t);
                out.push_str("</title>");
            }
            HeadTag::Meta(a) => {
                out.push_str("<meta");
                a.render_into(out);
                out.push('>');
            }
            HeadTag::Link(a) => {
                out.push_str("<link");
                a.render_into(out);
                out.push('>');
            }
            HeadTag::Script { attrs, body } => {
                out.push_str("<script");
                attrs.render_into(out);
                out.push('>');
                push_neutralised(out, body, "</script");
                out.push_str("</script>");
            }
            HeadTag::Style { attrs, css } => {
                out.push_str("<style");
                attrs.render_into(out);
                out.push('>');
                push_neutralised(out, css, "</style");
                out.push_str("</style>");
            }
            HeadTag::Raw(html) => out.push_str(html),
        }
    }

    /// About how many bytes the tag renders to (before escaping), to size the document's buffer once.
    pub(crate) fn size_hint(&self) -> usize {
        let attrs = |a: &Attrs| a.0.iter().map(|(n, v)| n.len() + 4 + v.text_len()).sum::<usize>();
        match self {
            HeadTag::Title(t) => t.len() + 15,
            HeadTag::Meta(a) | HeadTag::Link(a) => attrs(a) + 8,
            HeadTag::Script { attrs: a, body } => attrs(a) + body.len() + 17,
            HeadTag::Style { attrs: a, css } => attrs(a) + css.len() + 15,
            HeadTag::Raw(html) => html.len(),
        }
    }
}

/// The `type` of a JSON-LD block.
pub(crate) const JSON_LD_TYPE: &str = "application/ld+json";

pub(crate) fn push_neutralised(out: &mut String, body: &str, close: &str) {
    // Case-insensitive replace of `</script` (or `</style`) with `<\/script`, keeping the original case.
    if !body.contains("</") {
        out.push_str(body);
        return;
    }
    let lower = body.to_ascii_lowercase();
    let mut last = 0;
    for (i, _) in lower.match_indices(close) {
        out.push_str(&body[last..i]);
        out.push_str("<\\/");
        last = i + 2;
    }
    out.push_str(&body[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_escapes_and_neutralises() {
        assert_eq!(title("<A & 'B'>").render(), "<title>&lt;A &amp; &#39;B&#39;&gt;</title>");
        let s = HeadTag::Script { attrs: Attrs::new().set("type", "text/plain"), body: "a</SCRIPT>b".into() };
        assert_eq!(s.render(), "<script type=\"text/plain\">a<\\/SCRIPT>b</script>");
        let l =
            HeadTag::Link(Attrs::new().set("rel", "modulepreload").set("href", "/x?a=1&b=\"2\"").flag("crossorigin"));
        assert_eq!(l.render(), "<link crossorigin href=\"/x?a=1&amp;b=&quot;2&quot;\" rel=\"modulepreload\">");
        let st = HeadTag::Style { attrs: Attrs::new(), css: "a{}</style><script>".into() };
        assert_eq!(st.render(), "<style>a{}<\\/style><script></style>");
    }
}
