//! Assembling a page into an HTML document (FaceTheory D1):
//! `<!doctype html><html{attrs}><head>{head}</head><body{attrs}>{body}</body></html>`, no newlines.

use crate::escape::escape_html_into;
use crate::head::{render_head_into, AttrValue, Attrs, HeadTag};
use crate::page::PageParts;

/// The end of every document.
pub(crate) const DOCUMENT_END: &str = "</body></html>";

/// Renders everything before the body: `<!doctype html><html…><head>…</head><body…>`. Head = page head tags,
/// then the title, then hydration tags, normalised. The body itself is sent as is, after this prefix, so it is
/// never copied.
pub(crate) fn render_document_start(parts: &PageParts, hydration_tags: &[HeadTag]) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("<!doctype html><html");
    let lang = parts.lang.as_deref().filter(|l| !l.is_empty());
    let attr_lang = parts.html_attrs.get("lang").filter(|l| !l.is_empty());
    if lang.is_none() && attr_lang.is_some() {
        parts.html_attrs.render_into(&mut out);
    } else if parts.html_attrs == Attrs::new() {
        out.push_str(" lang=\"");
        escape_html_into(&mut out, lang.unwrap_or("en"));
        out.push('"');
    } else {
        let mut html_attrs = parts.html_attrs.clone();
        html_attrs.insert("lang", AttrValue::Text(lang.unwrap_or("en").to_string()));
        html_attrs.render_into(&mut out);
    }
    out.push_str("><head>");
    render_head_into(&mut out, parts.head.iter().chain(parts.title.iter()).chain(hydration_tags.iter()));
    out.push_str("</head><body");
    parts.body_attrs.render_into(&mut out);
    out.push('>');
    out
}

/// The fixed 500 page (FaceTheory A9): it never contains the error text.
pub(crate) const INTERNAL_ERROR_HTML: &str = "<!doctype html><html lang=\"en\"><head><title>Internal Server Error</title></head><body><h1>Internal Server Error</h1><template data-facetheory-error=\"true\"></template></body></html>";
