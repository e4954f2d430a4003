//! How a cached page is stored: the HTML blob with its status and shareable headers as metadata, and the
//! hydration sidecar beside it. What is read back is checked like input: only shareable headers that parse
//! are restored, and a status outside 100–599 falls back to 200.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};

use super::key;
use crate::cache_control;
use crate::render::Rendered;
use crate::store::Blob;

const STATUS: &str = "facetheory-status";
const CONTENT_TYPE: &str = "facetheory-content-type";
const CSP: &str = "facetheory-content-security-policy";
const HEADER_PREFIX: &str = "facetheory-header-";

/// `….html` → `….hydration.json`.
pub(super) fn hydration_pointer(html_pointer: &str) -> String {
    format!("{}.hydration.json", html_pointer.strip_suffix(".html").unwrap_or(html_pointer))
}

/// A strong ETag from a body's digest (the same bytes give the same tag on every store).
pub(super) fn body_etag(body: &[u8]) -> String {
    format!("\"{}\"", key::digest24(&String::from_utf8_lossy(body)))
}

/// The sidecar blob: the data, newline-terminated, never cached by a CDN.
pub(super) fn hydration_blob(data: &Bytes) -> Blob {
    let mut body = data.to_vec();
    body.push(b'\n');
    Blob {
        body: Bytes::from(body),
        content_type: "application/json; charset=utf-8".into(),
        cache_control: Some(cache_control::NO_STORE.into()),
        metadata: BTreeMap::new(),
    }
}

/// The HTML blob of a page.
pub(super) fn to_blob(page: &Rendered<Bytes>, revalidate_seconds: u64) -> Blob {
    let content_type = page.content_type().unwrap_or("text/html; charset=utf-8").to_string();
    let mut metadata = BTreeMap::from([
        (STATUS.to_string(), page.status.as_u16().to_string()),
        (CONTENT_TYPE.to_string(), content_type.clone()),
    ]);
    for (name, value) in &page.headers {
        let Ok(value) = value.to_str() else { continue };
        match name.as_str() {
            "content-type" => {}
            "content-security-policy" => {
                metadata.insert(CSP.into(), value.to_string());
            }
            n if super::is_shareable_header(n) => {
                metadata.insert(format!("{HEADER_PREFIX}{n}"), value.to_string());
            }
            _ => {}
        }
    }
    Blob {
        body: page.body.clone(),
        content_type,
        cache_control: Some(cache_control::isr(revalidate_seconds)),
        metadata,
    }
}

/// A page read back from its blob.
pub(super) fn from_blob(blob: Blob) -> Rendered<Bytes> {
    let status = blob
        .metadata
        .get(STATUS)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..600).contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut headers = HeaderMap::new();
    let content_type = blob.metadata.get(CONTENT_TYPE).unwrap_or(&blob.content_type);
    let content_type =
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Some(v) = blob.metadata.get(CSP).and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    for (k, v) in &blob.metadata {
        let Some(name) = k.strip_prefix(HEADER_PREFIX) else { continue };
        if !super::KEPT_HEADERS.contains(&name) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(v)) {
            headers.insert(n, v);
        }
    }
    Rendered { status, headers, body: blob.body, tags: Vec::new(), sidecar: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_headers_are_checked_on_read() {
        let mut blob = to_blob(&Rendered::html(StatusCode::OK, "<p>x</p>"), 60);
        blob.metadata.insert(format!("{HEADER_PREFIX}set-cookie"), "session=stolen".into());
        blob.metadata.insert(format!("{HEADER_PREFIX}link"), "</a.css>; rel=preload".into());
        blob.metadata.insert(STATUS.into(), "9999".into());
        let page = from_blob(blob);
        assert!(page.headers.get("set-cookie").is_none(), "a foreign header in a stored record is dropped");
        assert_eq!(page.headers["link"], "</a.css>; rel=preload");
        assert_eq!(page.status, StatusCode::OK);
    }
}
