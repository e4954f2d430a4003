//! Helpers that build head tags: title, meta, links, scripts, canonical, JSON-LD, Open Graph, Twitter cards.

use std::borrow::Cow;

use super::{Attrs, HeadTag};
use crate::escape::safe_json;

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

/// True for an http(s) URL or a same-origin (relative) one (the rule the `head!` macro checks literals with).
pub(crate) use facetheory_codegen::head_key::is_http_or_relative;

/// A JSON-LD block: `<script type="application/ld+json">` with the data safely escaped.
pub fn json_ld<T: serde::Serialize + ?Sized>(data: &T) -> Result<HeadTag, HeadError> {
    let body = safe_json(data).map_err(|e| HeadError(format!("JSON-LD data does not serialize: {e}")))?;
    Ok(HeadTag::Script { attrs: Attrs::new().set("type", super::JSON_LD_TYPE), body })
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
    let mut out = Vec::new();
    open_graph_pairs(og, |k, v| out.push(meta_property(k, v)));
    out
}

/// Each `og:*` property and value, in FaceTheory's order.
pub(crate) fn open_graph_pairs(og: &OpenGraph, mut f: impl FnMut(Cow<'static, str>, &str)) {
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
    for (k, v) in fixed {
        if let Some(v) = v {
            f(k.into(), v);
        }
    }
    let mut extra: Vec<&(String, String)> = og.additional.iter().collect();
    extra.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (k, v) in extra {
        f(format!("og:{k}").into(), v);
    }
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
    let mut out = Vec::new();
    twitter_card_pairs(tc, |k, v| out.push(meta(k, v)));
    out
}

/// Each `twitter:*` name and value, in FaceTheory's order.
pub(crate) fn twitter_card_pairs(tc: &TwitterCard, mut f: impl FnMut(Cow<'static, str>, &str)) {
    let fixed = [
        ("twitter:card", &tc.card),
        ("twitter:site", &tc.site),
        ("twitter:creator", &tc.creator),
        ("twitter:title", &tc.title),
        ("twitter:description", &tc.description),
        ("twitter:image", &tc.image),
        ("twitter:image:alt", &tc.image_alt),
    ];
    for (k, v) in fixed {
        if let Some(v) = v {
            f(k.into(), v);
        }
    }
    let mut extra: Vec<&(String, String)> = tc.additional.iter().collect();
    extra.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (k, v) in extra {
        f(format!("twitter:{k}").into(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

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
        for control in ["/a\nb", "/a\u{7f}", "/a\u{85}b", "/a\u{9f}"] {
            assert!(canonical(control).is_err(), "{control:?}");
        }
        assert!(canonical("/caf\u{e9}/\u{a0}").is_ok(), "0xC2 starts non-control characters too");
        let ld = json_ld(&serde_json::json!({"name": "</script><b>"})).unwrap().render();
        assert_eq!(
            ld,
            "<script type=\"application/ld+json\">{\"name\":\"\\u003c/script\\u003e\\u003cb\\u003e\"}</script>"
        );
    }
}
