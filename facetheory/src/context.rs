//! [`FaceContext`]: what a face or resource sees of the request.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::params::{percent_decode, FromParam, FromSegments, ParamError};

/// The request as a face sees it: method, raw path, query (multi-map), headers, cookies, request id, the matched
/// route and its raw (not decoded) parameters, and the body (resources only; faces get an empty body).
///
/// ```
/// use facetheory::FaceContext;
/// let ctx = FaceContext::builder("GET", "/blog/hello%20world?tag=a&tag=b")
///     .header("cookie", "theme=dark; lang=en")
///     .param("slug", "hello%20world")
///     .build();
/// assert_eq!(ctx.query().get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(ctx.cookie("theme"), Some("dark"));
/// assert_eq!(ctx.raw_param("slug"), Some("hello%20world"));
/// assert_eq!(ctx.param::<String>("slug").unwrap(), "hello world");
/// ```
#[derive(Debug, Clone)]
pub struct FaceContext {
    pub(crate) request: Arc<RequestInfo>,
    pub(crate) route: &'static str,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
}

/// The request data shared by every context made for one request (cloning a context does not copy headers).
#[derive(Debug)]
pub(crate) struct RequestInfo {
    pub method: Method,
    pub path: String,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub request_id: String,
    /// The app's state.
    pub state: Arc<crate::state::StateMap>,
    /// Extensions set on the request by layers around the app (an auth middleware's user).
    pub extensions: http::Extensions,
    query: OnceLock<Query>,
    cookies: OnceLock<Cookies>,
    nonce: OnceLock<String>,
}

impl RequestInfo {
    pub(crate) fn new(method: Method, path: String, raw_query: String, headers: HeaderMap, request_id: String) -> Self {
        RequestInfo {
            method,
            path,
            raw_query,
            headers,
            request_id,
            state: Arc::default(),
            extensions: http::Extensions::new(),
            query: OnceLock::new(),
            cookies: OnceLock::new(),
            nonce: OnceLock::new(),
        }
    }

    /// The same request with the app's state and the request's extensions.
    pub(crate) fn with_app(mut self, state: Arc<crate::state::StateMap>, extensions: http::Extensions) -> Self {
        self.state = state;
        self.extensions = extensions;
        self
    }

    /// This request's CSP nonce, minted on first use.
    pub(crate) fn csp_nonce(&self) -> &str {
        self.nonce.get_or_init(crate::csp::create_nonce)
    }
}

impl FaceContext {
    /// Starts a context by hand (tests, SSG). `uri` is a path with an optional query.
    pub fn builder(method: &str, uri: &str) -> FaceContextBuilder {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        FaceContextBuilder {
            request: RequestInfo::new(
                Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
                path.to_string(),
                query.to_string(),
                HeaderMap::new(),
                "facetheory-test-request".to_string(),
            ),
            params: Vec::new(),
            state: crate::state::StateMap::default(),
            body: Bytes::new(),
        }
    }

    pub(crate) fn new(request: Arc<RequestInfo>, route: &'static str, params: Vec<(&'static str, String)>) -> Self {
        FaceContext { request, route, params, body: Bytes::new() }
    }

    /// This context with only the query parameters named in `names` (an ISR face sees, and is cached by,
    /// nothing else). Cheap when nothing is removed.
    pub(crate) fn with_query_only(self, names: &[&str]) -> FaceContext {
        let raw = &self.request.raw_query;
        if raw.is_empty() {
            return self;
        }
        let kept: Vec<&str> = raw
            .split('&')
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                !pair.is_empty() && names.contains(&decode_form(name).as_str())
            })
            .collect();
        let kept = kept.join("&");
        if kept.len() == raw.len() {
            return self;
        }
        let r = &self.request;
        let request = RequestInfo::new(r.method.clone(), r.path.clone(), kept, r.headers.clone(), r.request_id.clone())
            .with_app(Arc::clone(&r.state), r.extensions.clone());
        FaceContext { request: Arc::new(request), ..self }
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.request.method
    }

    /// A value of the app's state ([`AppBuilder::state`](crate::AppBuilder::state)); faces and resources can
    /// also take it as an argument, `db: &State<Db>`, which is checked when the app starts.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// struct Db;
    /// let ctx = FaceContext::builder("GET", "/").state(Db).build();
    /// assert!(ctx.state::<Db>().is_some());
    /// assert!(ctx.state::<String>().is_none());
    /// ```
    pub fn state<T: 'static>(&self) -> Option<&crate::State<T>> {
        self.request.state.get::<T>()
    }

    /// Extensions tower layers around the app set on the request (an authentication middleware's user).
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(Clone)]
    /// struct User(&'static str);
    /// let ctx = FaceContext::builder("GET", "/").extension(User("ada")).build();
    /// assert_eq!(ctx.extensions().get::<User>().map(|u| u.0), Some("ada"));
    /// ```
    pub fn extensions(&self) -> &http::Extensions {
        &self.request.extensions
    }

    /// The body as an HTML form (`application/x-www-form-urlencoded`), deserialized with serde. Another
    /// content type is `415` (a request with none is read as a form, as `curl -d` sends), a body that does not
    /// fit `T` is `400` saying which field failed; `?` turns either into that response.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(serde::Deserialize)]
    /// struct Comment { name: String, stars: u8 }
    /// let ctx = FaceContext::builder("POST", "/c")
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body("name=Ada+L&stars=5")
    ///     .build();
    /// let c: Comment = ctx.form().unwrap();
    /// assert_eq!((c.name.as_str(), c.stars), ("Ada L", 5));
    /// ```
    pub fn form<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::Error> {
        if self.header("content-type").is_some() {
            self.expect_content_type("application/x-www-form-urlencoded")?;
        }
        serde_urlencoded::from_bytes(&self.body)
            .map_err(|e| crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the form does not fit: {e}")))
    }

    /// The body as JSON (`application/json`), deserialized with serde: `415` for another content type, `400`
    /// saying where the JSON does not fit `T`.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(serde::Deserialize)]
    /// struct Post { title: String }
    /// let ctx = FaceContext::builder("POST", "/p").header("content-type", "application/json").body(r#"{"title":"Hi"}"#).build();
    /// assert_eq!(ctx.json::<Post>().unwrap().title, "Hi");
    /// let bad = FaceContext::builder("POST", "/p").header("content-type", "application/json").body("{").build();
    /// assert!(bad.json::<Post>().is_err());
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::Error> {
        self.expect_content_type("application/json")?;
        serde_json::from_slice(&self.body).map_err(|e| {
            crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the JSON body does not fit: {e}"))
        })
    }

    /// The query string deserialized with serde (`?page=2&sort=new` into a struct): `400` when it does not fit.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(serde::Deserialize)]
    /// struct Paging { page: u32 }
    /// let ctx = FaceContext::builder("GET", "/list?page=2").build();
    /// assert_eq!(ctx.query_as::<Paging>().unwrap().page, 2);
    /// ```
    pub fn query_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::Error> {
        serde_urlencoded::from_str(&self.request.raw_query)
            .map_err(|e| crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the query does not fit: {e}")))
    }

    fn expect_content_type(&self, expected: &str) -> Result<(), crate::Error> {
        let got = self.header("content-type").unwrap_or("");
        let essence = got.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case(expected) {
            return Ok(());
        }
        Err(crate::Error::client(
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected content-type {expected}, got {:?}", if got.is_empty() { "none" } else { got }),
        ))
    }

    /// The raw request path (not decoded), without the query.
    pub fn path(&self) -> &str {
        &self.request.path
    }

    /// The raw query string (without `?`).
    pub fn raw_query(&self) -> &str {
        &self.request.raw_query
    }

    /// The decoded query string (parsed on first use).
    pub fn query(&self) -> &Query {
        self.request.query.get_or_init(|| Query::parse(&self.request.raw_query))
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.request.headers
    }

    /// First value of a header as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A cookie value (the last one wins when a name repeats).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies().get(name)
    }

    /// All cookies (parsed on first use).
    pub fn cookies(&self) -> &Cookies {
        self.request.cookies.get_or_init(|| Cookies::from_headers(&self.request.headers))
    }

    /// The request id (from `x-request-id`, the Lambda request context, or a fresh UUID); echoed on the response.
    pub fn request_id(&self) -> &str {
        &self.request.request_id
    }

    /// This request's CSP nonce (16 random bytes, base64), minted on first use. Strict SSR pages carry it in
    /// their header and on their script and style tags.
    pub fn csp_nonce(&self) -> &str {
        self.request.csp_nonce()
    }

    /// The matched route pattern (`/blog/<slug>`).
    pub fn route(&self) -> &'static str {
        self.route
    }

    /// The raw captured text of a route parameter. A catch-all gives its segments joined by `/`.
    pub fn raw_param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// All raw route parameters in route order.
    pub fn raw_params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// A route parameter, percent-decoded and parsed.
    pub fn param<T: FromParam>(&self, name: &str) -> Result<T, ParamError> {
        let raw = self.raw_param(name).ok_or_else(|| ParamError::new(name, "a parameter of this route"))?;
        T::from_param(&percent_decode(raw)?)
    }

    /// A catch-all parameter, split into segments, each percent-decoded, then parsed.
    pub fn segments<T: FromSegments>(&self, name: &str) -> Result<T, ParamError> {
        let raw = self.raw_param(name).unwrap_or("");
        let decoded = split_segments(raw)?;
        T::from_segments(&decoded)
    }

    /// The request body (resource routes; empty for faces).
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// Splits a raw catch-all capture into decoded segments (`""` → none).
pub(crate) fn split_segments(raw: &str) -> Result<Vec<String>, ParamError> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split('/').map(|s| percent_decode(s).map(|c| c.into_owned())).collect()
}

/// Builds a [`FaceContext`] by hand.
pub struct FaceContextBuilder {
    request: RequestInfo,
    params: Vec<(&'static str, String)>,
    state: crate::state::StateMap,
    body: Bytes,
}

impl FaceContextBuilder {
    /// Adds a header (invalid names or values are ignored).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(value)) {
            self.request.headers.append(n, v);
        }
        self
    }

    /// Sets a raw route parameter.
    pub fn param(mut self, name: &'static str, raw: &str) -> Self {
        self.params.push((name, raw.to_string()));
        self
    }

    /// Sets the request id.
    pub fn request_id(mut self, id: &str) -> Self {
        self.request.request_id = id.to_string();
        self
    }

    /// Adds a value of the app's state (what `AppBuilder::state` registers), for testing a face alone.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Sets the request body (resources receive it; faces get an empty body).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Adds a request extension (what a tower layer would set).
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.request.extensions.insert(value);
        self
    }

    /// Finishes.
    pub fn build(self) -> FaceContext {
        let mut request = self.request;
        request.state = Arc::new(self.state);
        let mut ctx = FaceContext::new(Arc::new(request), "", self.params);
        ctx.body = self.body;
        ctx
    }
}

/// Decoded query parameters, in order, repeated keys kept (`URLSearchParams` semantics: `+` is a space).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string (without `?`). Undecodable escapes are kept as written.
    pub fn parse(raw: &str) -> Self {
        let pairs = raw
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_form(k), decode_form(v))
            })
            .collect();
        Query(pairs)
    }

    /// The first value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value for `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// All pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn decode_form(s: &str) -> String {
    let spaced = s.replace('+', " ");
    match percent_decode(&spaced) {
        Ok(d) => d.into_owned(),
        Err(_) => spaced,
    }
}

/// Most cookies read from one request (Chrome's per-site limit); later ones are ignored.
pub(crate) const MAX_COOKIES: usize = 180;
/// Longest `name=value` pair read (browsers' per-cookie limit); longer pairs are ignored.
pub(crate) const MAX_COOKIE_BYTES: usize = 4096;
/// Most `cookie` header text read from one request; the rest is ignored.
pub(crate) const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// Request cookies parsed from every `cookie` header (the TypeScript runtime's rules: `name=value` pairs split
/// on `;`, surrounding quotes stripped, values percent-decoded when valid, later duplicates win), in linear time
/// and within browser limits: at most 180 (`MAX_COOKIES`) pairs of at most 4096 bytes (`MAX_COOKIE_BYTES`) each, from the first
/// 64 KiB (`MAX_COOKIE_HEADER_BYTES`) of header text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cookies(Vec<(String, String)>);

impl Cookies {
    /// Parses all `cookie` headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut budget = MAX_COOKIE_HEADER_BYTES;
        'headers: for value in headers.get_all(http::header::COOKIE) {
            // Only the part within the budget is looked at (validating a 1 MiB header would cost as much as
            // parsing it); over the budget, only whole pairs up to the last `;` before the cut are kept.
            let bytes = value.as_bytes();
            let (head, cut) = if bytes.len() <= budget { (bytes, false) } else { (&bytes[..budget], true) };
            let Ok(head) = std::str::from_utf8(head) else { continue };
            budget -= head.len();
            let text = if cut { head.rfind(';').map_or("", |i| &head[..i]) } else { head };
            for part in text.split(';') {
                if pairs.len() == MAX_COOKIES {
                    break 'headers;
                }
                let part = part.trim();
                if part.len() > MAX_COOKIE_BYTES {
                    continue;
                }
                let Some(eq) = part.find('=').filter(|i| *i > 0) else { continue };
                pairs.push((part[..eq].trim(), part[eq + 1..].trim()));
            }
            if budget == 0 {
                break;
            }
        }
        // Later duplicates win, in the position of their last occurrence: one pass to find it, one to keep it.
        let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::with_capacity(pairs.len());
        for (i, (name, _)) in pairs.iter().enumerate() {
            last.insert(name, i);
        }
        let out = pairs
            .iter()
            .enumerate()
            .filter(|(i, (name, _))| last.get(name) == Some(i))
            .map(|(_, (name, val))| {
                let val = match val.len() >= 2 && val.starts_with('"') && val.ends_with('"') {
                    true => &val[1..val.len() - 1],
                    false => val,
                };
                let val = percent_decode(val).map(|c| c.into_owned()).unwrap_or_else(|_| val.to_string());
                (name.to_string(), val)
            })
            .collect();
        Cookies(out)
    }

    /// A cookie's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// All cookies as (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(values: &[&str]) -> Cookies {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(http::header::COOKIE, http::HeaderValue::from_str(v).unwrap());
        }
        Cookies::from_headers(&headers)
    }

    #[test]
    fn rules_and_later_duplicates_win() {
        let c = cookies(&["a=1; b=\"two\"; =x; junk; c=caf%C3%A9", "a=3; d=%zz"]);
        let all: Vec<(&str, &str)> = c.iter().collect();
        assert_eq!(all, [("b", "two"), ("c", "café"), ("a", "3"), ("d", "%zz")]);
    }

    #[test]
    fn limits_follow_browsers() {
        // More cookies than a browser keeps: the first 180 count, the rest are ignored.
        let many: String = (0..500).map(|i| format!("c{i}=v; ")).collect();
        let c = cookies(&[&many]);
        assert_eq!(c.iter().count(), MAX_COOKIES);
        assert_eq!(c.get("c179"), Some("v"));
        assert_eq!(c.get("c180"), None);
        // A pair over 4 KiB is ignored, its neighbours are not.
        let big = format!("a=1; big={}; b=2", "x".repeat(MAX_COOKIE_BYTES));
        let c = cookies(&[&big]);
        assert_eq!((c.get("a"), c.get("big"), c.get("b")), (Some("1"), None, Some("2")));
        // Past 64 KiB of header text only whole pairs before the cut are read.
        let filler = format!("f={}; ", "y".repeat(4000));
        let long: String = filler.repeat(20) + "late=1";
        let c = cookies(&[&long]);
        assert_eq!(c.get("late"), None);
        assert_eq!(c.get("f").map(str::len), Some(4000));
    }

    #[test]
    fn a_huge_header_is_parsed_in_linear_time() {
        // 45k distinct cookies (the measured attack): bounded by the caps, so the work is the scan alone.
        let header: String = (0..45_000).map(|i| format!("k{i}=v; ")).collect();
        let mut headers = HeaderMap::new();
        headers.insert(http::header::COOKIE, http::HeaderValue::from_str(&header).unwrap());
        let c = Cookies::from_headers(&headers);
        assert_eq!(c.iter().count(), MAX_COOKIES);
    }
}
