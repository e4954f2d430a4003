//! Resource routes: raw responses (JSON, text, empty, 405) with the TypeScript runtime's defaults — `cache-control:
//! no-store` unless set, JSON escaped for HTML contexts.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::error::{Error, Result};
use crate::escape::safe_json;
use crate::redirect::Redirect;

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
    kind: Kind,
}

/// Which helper made the response: the headers that define that kind cannot be changed afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Json,
    Empty,
    MethodNotAllowed,
    Redirect,
    Other,
}

impl ResourceResponse {
    fn with(status: StatusCode, content_type: Option<HeaderValue>, body: Bytes, kind: Kind) -> Self {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(http::header::CONTENT_TYPE, ct);
        }
        headers.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        ResourceResponse { status, headers, body, invalid: None, kind }
    }

    /// `200 application/json; charset=utf-8`; `<`, `>`, `&`, U+2028/9 are escaped. The content type cannot be
    /// changed afterwards (use [`bytes`](Self::bytes) for another JSON flavour).
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self> {
        let body = safe_json(value).map_err(|e| Error::msg(format!("JSON response does not serialize: {e}")))?;
        let ct = HeaderValue::from_static("application/json; charset=utf-8");
        Ok(Self::with(StatusCode::OK, Some(ct), Bytes::from(body), Kind::Json))
    }

    /// `200 text/plain; charset=utf-8`.
    pub fn text(text: impl Into<String>) -> Self {
        let ct = HeaderValue::from_static("text/plain; charset=utf-8");
        Self::with(StatusCode::OK, Some(ct), Bytes::from(text.into()), Kind::Other)
    }

    /// `200` with any content type and body (an image, CSV, a feed). An invalid content type makes the
    /// response a 500 with the problem logged.
    ///
    /// ```
    /// let r = facetheory::ResourceResponse::bytes("text/csv; charset=utf-8", "a,b\n1,2\n");
    /// assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    /// ```
    pub fn bytes(content_type: &str, body: impl Into<Bytes>) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) if !content_type.trim().is_empty() => Self::with(StatusCode::OK, Some(ct), body.into(), Kind::Other),
            _ => {
                let mut r = Self::with(StatusCode::OK, None, body.into(), Kind::Other);
                r.invalid = Some(format!("invalid content type {content_type:?}"));
                r
            }
        }
    }

    /// `204 No Content` with no content type (none can be added).
    pub fn empty() -> Self {
        Self::with(StatusCode::NO_CONTENT, None, Bytes::new(), Kind::Empty)
    }

    /// A redirect with no body (`303` after a form post: [`Redirect::see_other`]).
    pub fn redirect(redirect: Redirect) -> Self {
        let mut r = Self::with(redirect.status(), None, Bytes::new(), Kind::Redirect);
        match HeaderValue::from_str(redirect.location()) {
            Ok(v) => {
                r.headers.insert(http::header::LOCATION, v);
            }
            Err(_) => r.invalid = Some(format!("invalid redirect location {:?}", redirect.location())),
        }
        r
    }

    /// `405 Method Not Allowed` with `allow` = the methods, upper-cased, deduplicated, sorted, joined by `, `.
    /// A name that is not an HTTP method token makes the response a 500 with the problem logged; `allow` and
    /// `cache-control` cannot be changed afterwards.
    ///
    /// ```
    /// use facetheory::ResourceResponse;
    /// assert_eq!(ResourceResponse::method_not_allowed(&["post", "GET"]).headers()["allow"], "GET, POST");
    /// assert!(ResourceResponse::method_not_allowed(&["GET, POST"]).problem().unwrap().contains("invalid method"));
    /// ```
    pub fn method_not_allowed(methods: &[&str]) -> Self {
        let mut list: Vec<String> = methods.iter().map(|m| m.trim().to_ascii_uppercase()).collect();
        list.sort();
        list.dedup();
        let mut r = Self::with(
            StatusCode::METHOD_NOT_ALLOWED,
            Some(HeaderValue::from_static("text/plain; charset=utf-8")),
            Bytes::from_static(b"Method Not Allowed"),
            Kind::MethodNotAllowed,
        );
        // A method is an HTTP token: `http::Method` refuses anything else (spaces, commas, control bytes).
        if let Some(bad) = list.iter().find(|m| m.is_empty() || http::Method::from_bytes(m.as_bytes()).is_err()) {
            r.invalid = Some(format!("invalid method name {bad:?} in an allow list"));
        } else if let Ok(v) = HeaderValue::from_str(&list.join(", ")) {
            r.headers.insert(http::header::ALLOW, v);
        }
        r
    }

    /// Sets the status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Sets (replaces) a header. An invalid name or value, a `set-cookie` (use [`cookie`](Self::cookie)), or
    /// a header that defines the response's kind (the content type of [`json`](Self::json) and
    /// [`empty`](Self::empty), `allow`/`cache-control` of [`method_not_allowed`](Self::method_not_allowed),
    /// `location` of a redirect) makes the response a 500 with the problem logged.
    ///
    /// ```
    /// use facetheory::ResourceResponse;
    /// let ok = ResourceResponse::text("hi").header("cache-control", "public, max-age=60");
    /// assert_eq!(ok.headers()["cache-control"], "public, max-age=60");
    /// let json = ResourceResponse::json(&1).unwrap().header("content-type", "text/html");
    /// assert!(json.problem().is_some(), "answered 500");
    /// assert_eq!(json.headers()["content-type"], "application/json; charset=utf-8");
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) else {
            return self.refuse(format!("invalid response header {name:?}: {value:?}"));
        };
        use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
        let protected = match self.kind {
            Kind::Json | Kind::Empty => n == CONTENT_TYPE,
            Kind::MethodNotAllowed => n == ALLOW || n == CACHE_CONTROL,
            Kind::Redirect => n == LOCATION,
            Kind::Other => false,
        };
        if protected {
            let problem = format!("the {n} header of this {:?} response is set by its helper", self.kind);
            return self.refuse(problem);
        }
        if n == SET_COOKIE {
            return self.refuse("set cookies with ResourceResponse::cookie, which keeps every one".into());
        }
        self.headers.insert(n, v);
        self
    }

    /// Appends a `Set-Cookie` (each call adds one; none replaces another). An invalid value makes the response
    /// a 500 with the problem logged.
    ///
    /// ```
    /// let r = facetheory::ResourceResponse::empty().cookie("a=1; Path=/").cookie("b=2; HttpOnly");
    /// assert_eq!(r.headers().get_all("set-cookie").iter().count(), 2);
    /// ```
    pub fn cookie(mut self, set_cookie: impl AsRef<str>) -> Self {
        match HeaderValue::from_str(set_cookie.as_ref()) {
            Ok(v) => {
                self.headers.append(http::header::SET_COOKIE, v);
                self
            }
            Err(_) => {
                let text = set_cookie.as_ref().to_string();
                self.refuse(format!("invalid set-cookie value {text:?}"))
            }
        }
    }

    /// Records the first problem: the response is answered 500 and the problem logged.
    fn refuse(mut self, problem: String) -> Self {
        self.invalid.get_or_insert(problem);
        self
    }

    /// Why the app will answer this response `500` instead (logged with the route), if a helper refused
    /// something: an invalid header, a protected header, an invalid method name.
    pub fn problem(&self) -> Option<&str> {
        self.invalid.as_deref()
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

/// A JSON body: as an argument, the request body deserialized (`415` for another content type, `400` saying
/// where it does not fit); as a resource's return value, `200 application/json` (escaped for HTML contexts).
///
/// ```
/// use facetheory::{Json, ResourceResponse};
/// #[derive(serde::Serialize)]
/// struct Likes { count: u32 }
/// let r: ResourceResponse = Json(Likes { count: 3 }).into_response().unwrap();
/// assert_eq!(r.body().as_ref(), br#"{"count":3}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> Json<T> {
    /// The response: [`ResourceResponse::json`] of the value.
    pub fn into_response(self) -> Result<ResourceResponse> {
        ResourceResponse::json(&self.0)
    }
}

/// What a resource function may return: [`ResourceResponse`], [`Json<T>`], [`Redirect`], `Option` of those
/// (`None` is the 404 page), or `Result` of any of them.
#[diagnostic::on_unimplemented(
    message = "a resource cannot return `{Self}`",
    note = "return `ResourceResponse`, `Json<T>`, `Redirect`, an `Option` of those (None answers 404), or a `Result` of any of them"
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

impl<T: serde::Serialize> IntoResourceResult for Json<T> {
    fn into_resource_result(self) -> Result<ResourceResponse> {
        self.into_response()
    }
}

impl IntoResourceResult for Redirect {
    fn into_resource_result(self) -> Result<ResourceResponse> {
        Ok(ResourceResponse::redirect(self))
    }
}

impl<R: IntoResourceResult> IntoResourceResult for Option<R> {
    fn into_resource_result(self) -> Result<ResourceResponse> {
        self.ok_or_else(Error::not_found)?.into_resource_result()
    }
}

impl<R: IntoResourceResult, E: Into<Error>> IntoResourceResult for std::result::Result<R, E> {
    fn into_resource_result(self) -> Result<ResourceResponse> {
        self.map_err(Into::into)?.into_resource_result()
    }
}
