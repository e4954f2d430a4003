//! Small response builders shared by the request path: plain text, JSON, redirects and the fixed error page.
//! Each sets its content type and length once, here.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};

use crate::body::Body;
use crate::cache_control;
use crate::document::INTERNAL_ERROR_HTML;

/// A `content-length` value in one allocation (`HeaderValue::from(usize)` makes two: its buffer, then the
/// shared header it is frozen into).
pub(crate) fn content_length(len: usize) -> HeaderValue {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = len;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    HeaderValue::from_bytes(&digits[at..]).expect("ASCII digits are a valid header value")
}

/// `text/plain` with a fixed text.
pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::full(text));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::CONTENT_LENGTH, content_length(text.len()));
    r
}

/// A client error: the status and what was wrong, as plain text, never cached.
pub(crate) fn client_error(status: StatusCode, message: &str) -> Response<Body> {
    let text = format!("{}: {message}\n", status.canonical_reason().unwrap_or("Bad Request"));
    let len = text.len();
    let mut r = Response::new(Body::full(text));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control::NO_STORE));
    h.insert(header::CONTENT_LENGTH, content_length(len));
    r
}

/// A plain `404 Not Found` that no cache keeps (reserved endpoints refusing a request).
pub(crate) fn not_found_no_store() -> Response<Body> {
    let mut r = plain(StatusCode::NOT_FOUND, "Not Found");
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control::NO_STORE));
    r
}

/// JSON bytes with an explicit `cache-control`.
pub(crate) fn json_bytes(status: StatusCode, body: Bytes, cache: &'static str) -> Response<Body> {
    bytes_with(status, "application/json; charset=utf-8", cache, body)
}

/// Bytes with a content type and `cache-control`.
pub(crate) fn bytes_with(
    status: StatusCode,
    content_type: &'static str,
    cache: &'static str,
    body: Bytes,
) -> Response<Body> {
    let len = body.len();
    let mut r = Response::new(Body::full(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::CONTENT_LENGTH, content_length(len));
    r
}

/// A JSON value, `no-store`.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    json_bytes(status, Bytes::from(value.to_string()), cache_control::NO_STORE)
}

/// A redirect to `location` with an optional plain-text body (an empty `text` sends no content type).
pub(crate) fn redirect(status: StatusCode, location: &str, text: &'static str) -> Response<Body> {
    let Ok(value) = HeaderValue::from_str(location) else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let mut r = plain(status, text);
    r.headers_mut().insert(header::LOCATION, value);
    if text.is_empty() {
        r.headers_mut().remove(header::CONTENT_TYPE);
    }
    r
}

/// The fixed 500 page, after logging `err` with the route and request id (the page never shows the error).
pub(crate) fn internal_error(
    route: &str,
    function: &str,
    request_id: &str,
    err: &dyn std::fmt::Display,
) -> Response<Body> {
    tracing::error!(
        target: "facetheory::request",
        route,
        function,
        request_id,
        error = %err,
        "route failed"
    );
    html(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_ERROR_HTML)
}

/// A fixed HTML document.
pub(crate) fn html(status: StatusCode, document: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::full(document));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r.headers_mut().insert(header::CONTENT_LENGTH, content_length(document.len()));
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn content_length_is_the_decimal_length() {
        for n in [0usize, 7, 10, 4096, 10975, usize::MAX] {
            assert_eq!(super::content_length(n), n.to_string().as_str());
        }
    }
}
