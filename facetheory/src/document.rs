//! Assembling a page into an HTML document (FaceTheory D1):
//! `<!doctype html><html{attrs}><head>{head}</head><body{attrs}>{body}</body></html>`, no newlines.

use crate::head::{render_head, AttrValue, HeadTag};
use crate::page::PageParts;

/// Renders the full document. Head = page head tags, then the title, then hydration tags, normalised.
pub(crate) fn render_document(parts: &PageParts, hydration_tags: &[HeadTag]) -> String {
    let mut tags: Vec<HeadTag> = parts.head.clone();
    if let Some(t) = &parts.title {
        tags.push(HeadTag::Title(t.clone()));
    }
    tags.extend(hydration_tags.iter().cloned());
    let head = render_head(&tags);

    let mut html_attrs = parts.html_attrs.clone();
    let lang = parts
        .lang
        .clone()
        .filter(|l| !l.is_empty())
        .or_else(|| html_attrs.get("lang").filter(|l| !l.is_empty()).map(str::to_string))
        .unwrap_or_else(|| "en".to_string());
    html_attrs.insert("lang", AttrValue::Text(lang));

    let mut out = String::with_capacity(parts.body.len() + head.len() + 96);
    out.push_str("<!doctype html><html");
    out.push_str(&html_attrs.render());
    out.push_str("><head>");
    out.push_str(&head);
    out.push_str("</head><body");
    out.push_str(&parts.body_attrs.render());
    out.push('>');
    out.push_str(&parts.body);
    out.push_str("</body></html>");
    out
}

/// The fixed 500 page (FaceTheory A9): it never contains the error text.
pub(crate) const INTERNAL_ERROR_HTML: &str = "<!doctype html><html lang=\"en\"><head><title>Internal Server Error</title></head><body><h1>Internal Server Error</h1><template data-facetheory-error=\"true\"></template></body></html>";
