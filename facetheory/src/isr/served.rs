//! A served ISR page's response headers: the page's own (content type, CSP, the kept ones), `content-length`,
//! `cache-control` for its freshness, `x-facetheory-isr` and its `ETag`. Built here once per served page, so the
//! app turns the page into a response as is; a hit's headers are memoised beside its cached body
//! ([`super::cache::BodyCache::hit`]).

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue};

use super::IsrState;
use crate::render::Rendered;

/// `x-facetheory-isr: hit | miss | stale | …`.
pub(crate) static ISR_STATE_HEADER: http::HeaderName = http::HeaderName::from_static("x-facetheory-isr");

/// Headers a served page gets beyond its own, plus the two every response gets (request id, `nosniff`): the
/// map is sized once for all of them.
const ADDED: usize = 6;

/// `page` as served in `state`: its headers completed as [the module](self) says.
pub(crate) fn served(
    mut page: Rendered<Bytes>,
    state: IsrState,
    etag: Option<&str>,
    revalidate_seconds: u64,
) -> Rendered<Bytes> {
    page.headers = served_headers(&page.headers, page.body.len(), state, etag, revalidate_seconds);
    page
}

/// The served headers of a page with `headers` and a body of `len` bytes.
pub(crate) fn served_headers(
    headers: &HeaderMap,
    len: usize,
    state: IsrState,
    etag: Option<&str>,
    revalidate_seconds: u64,
) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(headers.len() + ADDED);
    for (name, value) in headers {
        out.append(name.clone(), value.clone());
    }
    out.insert(header::CONTENT_LENGTH, crate::response::content_length(len));
    out.insert(header::CACHE_CONTROL, crate::cache_control::isr_header(revalidate_seconds));
    out.insert(ISR_STATE_HEADER.clone(), HeaderValue::from_static(state.as_str()));
    // An ETag that is not a valid header value (a corrupt record) is left out rather than failing the page.
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        out.insert(header::ETAG, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_headers_complete_the_page_and_keep_its_own() {
        let mut page = Rendered::html(http::StatusCode::OK, "<p>hi</p>");
        page.headers.append(header::LINK, HeaderValue::from_static("</a.css>; rel=preload"));
        page.headers.append(header::LINK, HeaderValue::from_static("</b.css>; rel=preload"));
        let served = served(page, IsrState::Hit, Some("\"abc\""), 60);
        let h = &served.headers;
        assert_eq!(h["content-type"], "text/html; charset=utf-8");
        assert_eq!(h.get_all(header::LINK).iter().count(), 2, "repeated headers stay repeated");
        assert_eq!(h["content-length"], "9");
        assert_eq!(h["cache-control"], crate::cache_control::isr(60));
        assert_eq!(h["x-facetheory-isr"], "hit");
        assert_eq!(h["etag"], "\"abc\"");
    }

    #[test]
    fn an_invalid_etag_is_left_out() {
        let page = Rendered::html(http::StatusCode::OK, "x");
        let served = served(page, IsrState::Stale, Some("bad\netag"), 5);
        assert!(served.headers.get(header::ETAG).is_none());
        assert_eq!(served.headers["x-facetheory-isr"], "stale");
    }
}
