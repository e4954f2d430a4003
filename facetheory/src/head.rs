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

use crate::escape::{escape_html_into, safe_json};

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

/// What two head tags must share to be duplicates; borrowed, so computing it allocates only when a
/// value needs lower-casing.
#[derive(PartialEq, Eq)]
enum DedupeKey<'a> {
    Title,
    Charset,
    MetaName(Cow<'a, str>),
    MetaProperty(Cow<'a, str>),
    MetaHttpEquiv(Cow<'a, str>),
    Link(Cow<'a, str>, &'a str, Cow<'a, str>),
    ScriptSrc(&'a str, Cow<'a, str>),
    ScriptId(&'a str),
    StyleId(&'a str),
    StyleEmotion(&'a str),
    /// No identifying attribute: only identical tags collapse.
    Whole(&'a HeadTag),
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
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

    /// The deduplication key; `None` for raw tags.
    fn dedupe_key(&self) -> Option<DedupeKey<'_>> {
        Some(match self {
            HeadTag::Title(_) => DedupeKey::Title,
            HeadTag::Meta(a) => {
                if a.contains("charset") {
                    DedupeKey::Charset
                } else if let Some(n) = a.get("name") {
                    DedupeKey::MetaName(lower(n))
                } else if let Some(p) = a.get("property") {
                    DedupeKey::MetaProperty(lower(p))
                } else if let Some(h) = a.get("http-equiv") {
                    DedupeKey::MetaHttpEquiv(lower(h))
                } else {
                    DedupeKey::Whole(self)
                }
            }
            HeadTag::Link(a) => match (a.get("rel"), a.get("href")) {
                (Some(rel), Some(href)) => DedupeKey::Link(lower(rel), href, lower(a.get("as").unwrap_or(""))),
                _ => DedupeKey::Whole(self),
            },
            HeadTag::Script { attrs, .. } => {
                if let Some(src) = attrs.get("src") {
                    DedupeKey::ScriptSrc(src, lower(attrs.get("type").unwrap_or("")))
                } else if let Some(id) = attrs.get("id") {
                    DedupeKey::ScriptId(id)
                } else {
                    DedupeKey::Whole(self)
                }
            }
            HeadTag::Style { attrs, .. } => {
                if let Some(id) = attrs.get("id") {
                    DedupeKey::StyleId(id)
                } else if let Some(e) = attrs.get("data-emotion") {
                    DedupeKey::StyleEmotion(e)
                } else {
                    DedupeKey::Whole(self)
                }
            }
            HeadTag::Raw(_) => return None,
        })
    }

    fn is_charset(&self) -> bool {
        matches!(self, HeadTag::Meta(a) if a.contains("charset"))
    }
}

fn push_neutralised(out: &mut String, body: &str, close: &str) {
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

/// Deduplicates (last occurrence wins, kept at its own position) and orders: charset metas, titles, the rest.
pub fn normalize_head<'a>(tags: impl IntoIterator<Item = &'a HeadTag>) -> Vec<&'a HeadTag> {
    let mut ordered = Vec::new();
    for_each_normalized(tags, |t| ordered.push(t));
    ordered
}

/// Calls `f` with each tag [`normalize_head`] keeps, in its order, without building the ordered list.
fn for_each_normalized<'a>(tags: impl IntoIterator<Item = &'a HeadTag>, mut f: impl FnMut(&'a HeadTag)) {
    // Each tag with its key and whether it is kept: a tag is dropped when a later one has its key. Keys are
    // compared, never copied.
    let mut all: Vec<(&HeadTag, Option<DedupeKey<'a>>, bool)> =
        tags.into_iter().map(|t| (t, t.dedupe_key(), true)).collect();
    for i in (0..all.len()).rev() {
        let (before, after) = all.split_at_mut(i + 1);
        let this = &mut before[i];
        if this.1.is_some() && after.iter().any(|later| later.1.is_some() && later.1 == this.1) {
            this.2 = false;
        }
    }
    let kept = || all.iter().filter(|(_, _, keep)| *keep).map(|(t, _, _)| *t);
    let is_title = |t: &HeadTag| matches!(t, HeadTag::Title(_));
    kept().filter(|t| t.is_charset()).for_each(&mut f);
    kept().filter(|t| is_title(t)).for_each(&mut f);
    kept().filter(|t| !t.is_charset() && !is_title(t)).for_each(&mut f);
}

/// Normalises and renders head tags with no separator.
pub fn render_head(tags: &[HeadTag]) -> String {
    let mut out = String::new();
    render_head_into(&mut out, tags);
    out
}

/// [`render_head`] over any tags, appending to `out`.
pub fn render_head_into<'a>(out: &mut String, tags: impl IntoIterator<Item = &'a HeadTag>) {
    for_each_normalized(tags, |tag| tag.render_into(out));
}

/// `<title>`.
pub fn title(text: impl Into<String>) -> HeadTag {
    HeadTag::Title(text.into())
}

/// `<title>` from a template containing `%s` (every `%s` is replaced by the trimmed title).
///
/// ```
/// assert_eq!(facetheory::head::title_template(" Post ", "%s · Blog").unwrap(), facetheory::head::title("Post · Blog"));
/// assert!(facetheory::head::title_template("Post", "Blog").is_err());
/// ```
pub fn title_template(text: &str, template: &str) -> Result<HeadTag, HeadError> {
    if !template.contains("%s") {
        return Err(HeadError("a title template must include a %s placeholder".into()));
    }
    Ok(title(template.replace("%s", text.trim())))
}

/// `<meta charset>`.
pub fn charset(charset: impl Into<Cow<'static, str>>) -> HeadTag {
    HeadTag::Meta(Attrs::new().set("charset", charset))
}

/// `<meta name content>`.
pub fn meta(name: impl Into<Cow<'static, str>>, content: impl Into<String>) -> HeadTag {
    HeadTag::Meta(Attrs::new().set("name", name).set("content", content.into()))
}

/// `<meta property content>` (Open Graph style).
pub fn meta_property(property: impl Into<Cow<'static, str>>, content: impl Into<String>) -> HeadTag {
    HeadTag::Meta(Attrs::new().set("property", property).set("content", content.into()))
}

/// `<link rel href>`.
pub fn link(rel: impl Into<Cow<'static, str>>, href: impl Into<String>) -> HeadTag {
    HeadTag::Link(Attrs::new().set("rel", rel).set("href", href.into()))
}

/// `<link rel="stylesheet" href>`.
pub fn stylesheet(href: impl Into<String>) -> HeadTag {
    link("stylesheet", href)
}

/// `<script type="module" src>`.
pub fn module_script(src: impl Into<String>) -> HeadTag {
    HeadTag::Script { attrs: Attrs::new().set("src", src.into()).set("type", "module"), body: String::new() }
}

/// A head helper was given a value it cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("head: {0}")]
pub struct HeadError(pub String);

/// `<link rel="canonical">`; the href must be http(s) or same-origin (relative).
///
/// ```
/// assert!(facetheory::head::canonical("https://example.com/a").is_ok());
/// assert!(facetheory::head::canonical("/a").is_ok());
/// assert!(facetheory::head::canonical("javascript:alert(1)").is_err());
/// ```
pub fn canonical(href: &str) -> Result<HeadTag, HeadError> {
    if !is_http_or_relative(href) {
        return Err(HeadError(format!("canonical href must be an http(s) or same-origin URL, got {href:?}")));
    }
    Ok(link("canonical", href))
}

/// True for an http(s) URL or a same-origin (relative) one.
pub(crate) fn is_http_or_relative(url: &str) -> bool {
    let url = url.trim();
    if url.is_empty() || url.chars().any(|c| c.is_control()) {
        return false;
    }
    match url.find(':') {
        Some(colon) if !url[..colon].contains(['/', '?', '#']) => {
            let scheme = &url[..colon];
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
        }
        _ => true,
    }
}

/// A JSON-LD block: `<script type="application/ld+json">` with the data safely escaped.
pub fn json_ld<T: serde::Serialize + ?Sized>(data: &T) -> Result<HeadTag, HeadError> {
    let body = safe_json(data).map_err(|e| HeadError(format!("JSON-LD data does not serialize: {e}")))?;
    Ok(HeadTag::Script { attrs: Attrs::new().set("type", "application/ld+json"), body })
}

/// Open Graph properties, emitted in FaceTheory's fixed order, then `additional` sorted by key.
#[derive(Clone, Debug, Default)]
pub struct OpenGraph {
    /// The page title.
    pub title: Option<String>,
    /// `og:type`.
    pub kind: Option<String>,
    /// The canonical URL.
    pub url: Option<String>,
    /// An image URL.
    pub image: Option<String>,
    /// A short description.
    pub description: Option<String>,
    /// The site name.
    pub site_name: Option<String>,
    /// The locale (`en_GB`).
    pub locale: Option<String>,
    /// `og:determiner`.
    pub determiner: Option<String>,
    /// More `og:*` properties (name without the prefix, value).
    pub additional: Vec<(String, String)>,
}

/// `og:*` meta tags.
pub fn open_graph(og: &OpenGraph) -> Vec<HeadTag> {
    let fixed = [
        ("og:title", &og.title),
        ("og:type", &og.kind),
        ("og:url", &og.url),
        ("og:image", &og.image),
        ("og:description", &og.description),
        ("og:site_name", &og.site_name),
        ("og:locale", &og.locale),
        ("og:determiner", &og.determiner),
    ];
    let mut out: Vec<HeadTag> =
        fixed.iter().filter_map(|(k, v)| v.as_ref().map(|v| meta_property(*k, v.clone()))).collect();
    let mut extra: Vec<&(String, String)> = og.additional.iter().collect();
    extra.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.extend(extra.into_iter().map(|(k, v)| meta_property(format!("og:{k}"), v.clone())));
    out
}

/// Twitter card fields, emitted in FaceTheory's fixed order, then `additional` sorted by key.
#[derive(Clone, Debug, Default)]
pub struct TwitterCard {
    /// `summary`, `summary_large_image`, …
    pub card: Option<String>,
    /// The site's handle.
    pub site: Option<String>,
    /// The author's handle.
    pub creator: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// A short description.
    pub description: Option<String>,
    /// An image URL.
    pub image: Option<String>,
    /// The image's alt text.
    pub image_alt: Option<String>,
    /// More `twitter:*` fields (name without the prefix, value).
    pub additional: Vec<(String, String)>,
}

/// `twitter:*` meta tags.
pub fn twitter_card(tc: &TwitterCard) -> Vec<HeadTag> {
    let fixed = [
        ("twitter:card", &tc.card),
        ("twitter:site", &tc.site),
        ("twitter:creator", &tc.creator),
        ("twitter:title", &tc.title),
        ("twitter:description", &tc.description),
        ("twitter:image", &tc.image),
        ("twitter:image:alt", &tc.image_alt),
    ];
    let mut out: Vec<HeadTag> = fixed.iter().filter_map(|(k, v)| v.as_ref().map(|v| meta(*k, v.clone()))).collect();
    let mut extra: Vec<&(String, String)> = tc.additional.iter().collect();
    extra.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.extend(extra.into_iter().map(|(k, v)| meta(format!("twitter:{k}"), v.clone())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_duplicate_wins_at_its_own_position_and_order_is_charset_title_rest() {
        let tags = vec![
            link("stylesheet", "/a.css"),
            meta("Description", "one"),
            HeadTag::Raw("<!-- raw -->".into()),
            title("first"),
            meta("description", "two"),
            charset("utf-8"),
            HeadTag::Raw("<!-- raw -->".into()),
            title("second"),
            link("stylesheet", "/a.css"),
        ];
        assert_eq!(
            render_head(&tags),
            "<meta charset=\"utf-8\"><title>second</title><!-- raw --><meta content=\"two\" name=\"description\"><!-- raw --><link href=\"/a.css\" rel=\"stylesheet\">"
        );
    }

    #[test]
    fn dedupe_keys_follow_facetheory() {
        // Same rel+href but a different `as` are distinct; scripts by src+type, then id; structs only if identical.
        let tags = vec![
            HeadTag::Link(Attrs::new().set("rel", "preload").set("href", "/f.woff2").set("as", "font")),
            HeadTag::Link(Attrs::new().set("rel", "preload").set("href", "/f.woff2").set("as", "style")),
            module_script("/a.js"),
            module_script("/a.js"),
            HeadTag::Script { attrs: Attrs::new().set("id", "x"), body: "1".into() },
            HeadTag::Script { attrs: Attrs::new().set("id", "x"), body: "2".into() },
            HeadTag::Meta(Attrs::new().set("itemprop", "a")),
            HeadTag::Meta(Attrs::new().set("itemprop", "a")),
            HeadTag::Meta(Attrs::new().set("itemprop", "b")),
            meta_property("og:title", "T"),
            HeadTag::Meta(Attrs::new().set("http-equiv", "X-UA-Compatible").set("content", "1")),
            HeadTag::Meta(Attrs::new().set("http-equiv", "x-ua-compatible").set("content", "2")),
        ];
        let out = render_head(&tags);
        assert_eq!(out.matches("rel=\"preload\"").count(), 2, "{out}");
        assert_eq!(out.matches("src=\"/a.js\"").count(), 1, "{out}");
        assert!(out.contains("<script id=\"x\">2</script>") && !out.contains(">1<"), "{out}");
        assert_eq!(out.matches("itemprop=\"a\"").count(), 1, "{out}");
        assert_eq!(out.matches("itemprop=\"b\"").count(), 1, "{out}");
        assert_eq!(out.matches("http-equiv").count(), 1, "{out}");
        assert!(out.contains("content=\"2\""), "{out}");
    }

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

    #[test]
    fn helpers() {
        assert_eq!(title_template("  Post ", "%s | %s").unwrap(), title("Post | Post"));
        assert!(title_template("x", "no placeholder").is_err());
        let og = open_graph(&OpenGraph {
            description: Some("d".into()),
            title: Some("t".into()),
            additional: vec![("z".into(), "1".into()), ("a".into(), "2".into())],
            ..Default::default()
        });
        let keys: Vec<String> = og
            .iter()
            .map(|t| match t {
                HeadTag::Meta(a) => a.get("property").unwrap().to_string(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(keys, ["og:title", "og:description", "og:a", "og:z"]);
        let tc = twitter_card(&TwitterCard {
            card: Some("summary".into()),
            image_alt: Some("x".into()),
            ..Default::default()
        });
        assert_eq!(tc.len(), 2);
        assert!(tc[1].render().contains("name=\"twitter:image:alt\""));
        assert!(canonical("HTTPS://example.com").is_ok());
        assert!(canonical("/relative?x").is_ok());
        assert!(canonical("javascript:alert(1)").is_err());
        assert!(canonical("data:text/html,x").is_err());
        assert!(canonical("").is_err());
        let ld = json_ld(&serde_json::json!({"name": "</script><b>"})).unwrap().render();
        assert_eq!(
            ld,
            "<script type=\"application/ld+json\">{\"name\":\"\\u003c/script\\u003e\\u003cb\\u003e\"}</script>"
        );
    }
}
