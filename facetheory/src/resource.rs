//! Resource routes: raw responses (JSON, text, empty, 405) with the TypeScript runtime's defaults — `cache-control:
//! no-store` unless set, JSON escaped for HTML contexts.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::error::{Error, Result};
use crate::escape::safe_json;

/// The response of a `#[resource]` function.
///
/// ```
/// use facetheory::ResourceResponse;
/// let r = ResourceResponse::json(&serde_json::json!({"ok": true})).unwrap();
/// assert_eq!(r.status(), http::StatusCode::OK);
/// assert_eq!(ResourceResponse::empty().status(), http::StatusCode::NO_CONTENT);
/// ```
#[derive(Debug, Clone)]
pub struct ResourceResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) invalid: Option<String>,
}

impl ResourceResponse {
    fn with(status: StatusCode, content_type: Option<&'static str>, body: Bytes) -> Self {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        headers.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        ResourceResponse { status, headers, body, invalid: None }
    }

    /// `200 application/json; charset=utf-8`; `<`, `>`, `&`, U+2028/9 are escaped.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self> {
        let body = safe_json(value).map_err(|e| Error::msg(format!("JSON response does not serialize: {e}")))?;
        Ok(Self::with(StatusCode::OK, Some("application/json; charset=utf-8"), Bytes::from(body)))
    }

    /// `200 text/plain; charset=utf-8`.
    pub fn text(text: impl Into<String>) -> Self {
        Self::with(StatusCode::OK, Some("text/plain; charset=utf-8"), Bytes::from(text.into()))
    }

    /// `204 No Content` with no content type.
    pub fn empty() -> Self {
        Self::with(StatusCode::NO_CONTENT, None, Bytes::new())
    }

    /// `405 Method Not Allowed` with `allow` = the methods, upper-cased, deduplicated, sorted, joined by `, `.
    pub fn method_not_allowed(methods: &[&str]) -> Self {
        let mut list: Vec<String> = methods.iter().map(|m| m.trim().to_ascii_uppercase()).collect();
        list.sort();
        list.dedup();
        let mut r = Self::with(
            StatusCode::METHOD_NOT_ALLOWED,
            Some("text/plain; charset=utf-8"),
            Bytes::from_static(b"Method Not Allowed"),
        );
        if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
            r.headers.insert(http::header::ALLOW, v);
        }
        r
    }

    /// Sets the status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Sets (replaces) a header; an invalid name or value makes the response a 500 with the problem logged.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => {
                self.invalid.get_or_insert_with(|| format!("invalid response header {name:?}: {value:?}"));
            }
        }
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// What a resource function may return: `ResourceResponse` or `Result<ResourceResponse, E>`.
#[diagnostic::on_unimplemented(
    message = "a resource must return `ResourceResponse` or `Result<ResourceResponse, E>`, not `{Self}`"
)]
pub trait IntoResourceResult {
    /// Converts.
    fn into_resource_result(self) -> Result<ResourceResponse>;
}

impl IntoResourceResult for ResourceResponse {
    fn into_resource_result(self) -> Result<ResourceResponse> {
        Ok(self)
    }
}

impl<E: Into<Error>> IntoResourceResult for std::result::Result<ResourceResponse, E> {
    fn into_resource_result(self) -> Result<ResourceResponse> {
        self.map_err(Into::into)
    }
}
