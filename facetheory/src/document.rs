//! Assembling a page into an HTML document:
//! `<!doctype html><html{attrs}><head>{head}</head><body{attrs}>{body}</body></html>`, no newlines.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::escape::escape_html_into;
use crate::head::{AttrValue, Attrs, Normalized};
use crate::hydration::HydrationTags;
use crate::page::{MarkupStream, PageParts};

/// The end of every document.
pub(crate) const DOCUMENT_END: &str = "</body></html>";

/// Renders everything before the body: `<!doctype html><html…><head>…</head><body…>`. Head = page head tags,
/// then the title, then hydration tags, normalised. The body itself is sent as is, after this prefix, so it is
/// never copied.
pub(crate) fn render_document_start(parts: &PageParts, hydration_tags: &HydrationTags) -> String {
    Normalized::with(parts.head.refs().chain(hydration_tags.refs()), |head| {
        // Sized once: a head that outgrows its buffer is copied on every doubling.
        let mut out = String::with_capacity(256 + head.size_hint());
        out.push_str("<!doctype html><html");
        match parts.more() {
            None => out.push_str(" lang=\"en\""),
            Some(more) => html_attrs_into(&mut out, more),
        }
        out.push_str("><head>");
        head.for_each(|tag| tag.render_into(&mut out));
        out.push_str("</head><body");
        if let Some(more) = parts.more() {
            more.body_attrs.render_into(&mut out);
        }
        out.push('>');
        out
    })
}

/// `<html>`'s attributes: the page's own, with `lang` (the page's, else its `lang` attribute, else `en`).
fn html_attrs_into(out: &mut String, more: &crate::page::PageMore) {
    let lang = more.lang.as_deref().filter(|l| !l.is_empty());
    let attr_lang = more.html_attrs.get("lang").filter(|l| !l.is_empty());
    if lang.is_none() && attr_lang.is_some() {
        more.html_attrs.render_into(out);
    } else if more.html_attrs == Attrs::new() {
        out.push_str(" lang=\"");
        escape_html_into(out, lang.unwrap_or("en"));
        out.push('"');
    } else {
        let mut html_attrs = more.html_attrs.clone();
        html_attrs.insert("lang", AttrValue::Text(lang.unwrap_or("en").to_string().into()));
        html_attrs.render_into(out);
    }
}

/// Marks a document whose streamed body failed after the response had started.
pub(crate) const STREAM_ERROR_MARKER: &str = "<template data-facetheory-stream-error=\"true\"></template>";

/// The rest of a streamed document after its first chunk: each markup chunk as produced, then the end tags.
/// A failing chunk is logged and replaced by [`STREAM_ERROR_MARKER`] before the end tags; the error text is
/// never sent.
pub(crate) struct DocumentTail {
    chunks: Option<MarkupStream>,
    done: bool,
    route: &'static str,
    request: std::sync::Arc<crate::context::RequestInfo>,
}

impl DocumentTail {
    pub(crate) fn new(
        chunks: MarkupStream,
        route: &'static str,
        request: std::sync::Arc<crate::context::RequestInfo>,
    ) -> Self {
        DocumentTail { chunks: Some(chunks), done: false, route, request }
    }
}

impl Stream for DocumentTail {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if self.done {
            return Poll::Ready(None);
        }
        let Some(chunks) = self.chunks.as_mut() else {
            self.done = true;
            return Poll::Ready(Some(Bytes::from_static(DOCUMENT_END.as_bytes())));
        };
        // A panic in the page's stream ends the document like an error does.
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| chunks.as_mut().poll_next(cx)))
            .unwrap_or_else(|payload| {
                let panic = crate::unwind::message(payload.as_ref());
                Poll::Ready(Some(Err(crate::Error::msg(format!("the stream panicked: {panic}")))))
            });
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(markup))) => Poll::Ready(Some(Bytes::from(markup.into_string()))),
            Poll::Ready(None) => {
                self.chunks = None;
                self.done = true;
                Poll::Ready(Some(Bytes::from_static(DOCUMENT_END.as_bytes())))
            }
            Poll::Ready(Some(Err(err))) if section_failure(&err).is_some() => {
                // One deferred section failed: its fallback stays; the others keep streaming.
                let failed = section_failure(&err).expect("checked");
                tracing::error!(
                    target: "facetheory::request",
                    route = self.route,
                    request_id = %self.request.request_id,
                    section = %failed.id,
                    error = %failed.error,
                    "deferred section failed; its fallback stays"
                );
                self.request.report(
                    crate::observe::Phase::Stream,
                    crate::observe::error_class(&failed.error),
                    &failed.error,
                );
                Poll::Ready(Some(Bytes::from(crate::sections::failed_markup(&failed.id))))
            }
            Poll::Ready(Some(Err(err))) => {
                tracing::error!(
                    target: "facetheory::request",
                    route = self.route,
                    request_id = %self.request.request_id,
                    error = %err,
                    "streamed body failed after the response started"
                );
                self.request.report(crate::observe::Phase::Stream, crate::observe::error_class(&err), &err);
                self.chunks = None;
                self.done = true;
                let mut tail = String::with_capacity(STREAM_ERROR_MARKER.len() + DOCUMENT_END.len());
                tail.push_str(STREAM_ERROR_MARKER);
                tail.push_str(DOCUMENT_END);
                Poll::Ready(Some(Bytes::from(tail)))
            }
        }
    }
}

fn section_failure(err: &crate::Error) -> Option<&crate::sections::SectionFailed> {
    match err.kind() {
        crate::ErrorKind::Internal(source) => source.downcast_ref(),
        _ => None,
    }
}

/// The fixed 500 page: it never contains the error text.
pub(crate) const INTERNAL_ERROR_HTML: &str = "<!doctype html><html lang=\"en\"><head><title>Internal Server Error</title></head><body><h1>Internal Server Error</h1><template data-facetheory-error=\"true\"></template></body></html>";

#[cfg(test)]
mod tests {
    use crate::{head, html, Page};

    fn document(page: Page<impl serde::Serialize>) -> String {
        let erased = page.into_erased().unwrap();
        let start = super::render_document_start(&erased.parts, &erased.hydration_tags);
        let crate::page::PageBody::Markup(body) = &erased.parts.body else { panic!("buffered page expected") };
        format!("{start}{body}{}", super::DOCUMENT_END)
    }

    #[test]
    fn document_shape_matches_facetheory() {
        let doc = document(Page::new(html! { p { "x" } }).title("T").head(head::charset("utf-8")));
        assert_eq!(
            doc,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>T</title></head><body><p>x</p></body></html>"
        );
    }

    #[test]
    fn lang_and_attributes() {
        let doc = document(Page::new(html! {}).lang("fr").html_attr("data-theme", "dark").body_attr("class", "a\"b"));
        assert!(
            doc.starts_with(
                "<!doctype html><html data-theme=\"dark\" lang=\"fr\"><head></head><body class=\"a&quot;b\">"
            ),
            "{doc}"
        );
        // No explicit lang: an html attribute lang is kept; an empty one falls back to en.
        let doc = document(Page::new(html! {}).html_attr("lang", "de"));
        assert!(doc.contains("<html lang=\"de\">"), "{doc}");
        let doc = document(Page::new(html! {}).lang(""));
        assert!(doc.contains("<html lang=\"en\">"), "{doc}");
    }

    #[test]
    fn hydration_tags_come_last_and_are_escaped() {
        #[derive(serde::Serialize)]
        struct Data {
            text: &'static str,
        }
        let doc = document(
            Page::new(html! {})
                .head(head::module_script("/assets/other.js"))
                .title("T")
                .hydrate(Data { text: "</script>&\u{2028}" }, "/assets/island.js"),
        );
        assert!(doc.contains(
            "<title>T</title><script src=\"/assets/other.js\" type=\"module\"></script><script id=\"__FACETHEORY_DATA__\" type=\"application/json\">{\"text\":\"\\u003c/script\\u003e\\u0026\\u2028\"}</script><script src=\"/assets/island.js\" type=\"module\"></script></head>"
        ), "{doc}");
        let bad = Page::new(html! {}).hydrate(1, "javascript:x").into_erased();
        assert!(bad.is_err());
    }

    #[test]
    fn page_head_methods_make_the_tags_the_helpers_make() {
        let og =
            head::OpenGraph { title: Some("T".into()), url: Some("https://x.example/a".into()), ..Default::default() };
        let tc = head::TwitterCard { card: Some("summary".into()), ..Default::default() };
        let with_methods = document(
            Page::new(html! {})
                .meta("author", "A & B")
                .description("first")
                .canonical("https://x.example/a")
                .open_graph(&og)
                .twitter_card(&tc)
                .meta_property("og:title", "T2")
                .json_ld(&serde_json::json!({"a": "</script>"}))
                .description("second"),
        );
        let with_tags = document(
            Page::new(html! {})
                .head(head::meta("author", "A & B"))
                .head(head::meta("description", "first"))
                .head(head::canonical("https://x.example/a").unwrap())
                .head_tags(head::open_graph(&og))
                .head_tags(head::twitter_card(&tc))
                .head(head::meta_property("og:title", "T2"))
                .head(head::json_ld(&serde_json::json!({"a": "</script>"})).unwrap())
                .head(head::meta("description", "second")),
        );
        assert_eq!(with_methods, with_tags);
        assert!(with_methods.contains("<meta content=\"T2\" property=\"og:title\">"), "{with_methods}");
        assert!(!with_methods.contains("first"), "the later description wins: {with_methods}");
        // A canonical href that is not http(s) or same-origin makes the page invalid (a 500 when served).
        let bad = Page::new(html! {}).canonical("javascript:alert(1)").into_erased().unwrap();
        assert!(bad.parts.invalid.as_deref().is_some_and(|p| p.contains("canonical")));
    }

    #[test]
    fn internal_error_page_is_fixed() {
        assert!(super::INTERNAL_ERROR_HTML.contains("<template data-facetheory-error=\"true\"></template>"));
    }
}
