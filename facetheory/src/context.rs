//! [`FaceContext`]: what a face or resource sees of the request.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::cookies::Cookies;
use crate::params::{percent_decode, FromParam, FromSegments, ParamError};
use crate::query::{decode_form, Query};
use crate::request_id::RequestId;

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
    pub(crate) params: Vec<(&'static str, RawParam)>,
    pub(crate) body: Bytes,
}

/// A route parameter's raw text: where the router found it in the request's path (no copy), or given by hand.
#[derive(Debug, Clone)]
pub(crate) enum RawParam {
    /// Bytes of [`RequestInfo::path`], the path the route was matched on.
    InPath(std::ops::Range<usize>),
    /// A context built by hand ([`FaceContextBuilder::param`]).
    Given(String),
}

/// The request data shared by every context made for one request (cloning a context does not copy headers).
#[derive(Debug)]
pub(crate) struct RequestInfo {
    pub method: Method,
    pub path: crate::request_path::RequestPath,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub request_id: RequestId,
    /// The app's state and ISR runtime.
    pub app: Arc<crate::state::AppScope>,
    /// Extensions set on the request by layers around the app (an auth middleware's user).
    pub extensions: http::Extensions,
    /// The adapter's own id for the invocation (the Lambda request id), logged beside the request id.
    pub invocation_id: Option<String>,
    /// What the request's steps learned, for the log and metrics.
    recording: Recording,
    query: OnceLock<Query>,
    cookies: OnceLock<Cookies>,
    nonce: OnceLock<String>,
}

/// Where a request's facts are recorded: in the request itself, or (a request derived from another, such as an
/// ISR page's with only its cache-key query) in the one it comes from.
#[derive(Debug)]
enum Recording {
    Own(crate::observe::Recorder),
    Parent(Arc<RequestInfo>),
}

impl RequestInfo {
    /// The recorder of what the request's steps learn (one per request, shared with requests derived from it).
    pub(crate) fn recorder(&self) -> &crate::observe::Recorder {
        match &self.recording {
            Recording::Own(recorder) => recorder,
            Recording::Parent(parent) => parent.recorder(),
        }
    }

    pub(crate) fn new(
        method: Method,
        path: impl Into<crate::request_path::RequestPath>,
        raw_query: String,
        headers: HeaderMap,
        request_id: RequestId,
    ) -> Self {
        Self::built(method, path.into(), raw_query, headers, request_id, no_app(), http::Extensions::new(), None)
    }

    /// A request as the app receives it, built in one piece (the value is large, and moving it through
    /// builder calls showed in the profile).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn built(
        method: Method,
        path: crate::request_path::RequestPath,
        raw_query: String,
        headers: HeaderMap,
        request_id: RequestId,
        app: Arc<crate::state::AppScope>,
        extensions: http::Extensions,
        invocation_id: Option<String>,
    ) -> Self {
        RequestInfo {
            method,
            path,
            raw_query,
            headers,
            request_id,
            app,
            extensions,
            invocation_id,
            recording: Recording::Own(crate::observe::Recorder::default()),
            query: OnceLock::new(),
            cookies: OnceLock::new(),
            nonce: OnceLock::new(),
        }
    }

    /// The same request with the app's state and the request's extensions (replacing [`no_app`]).
    pub(crate) fn with_app(mut self, app: Arc<crate::state::AppScope>, extensions: http::Extensions) -> Self {
        self.app = app;
        self.extensions = extensions;
        self
    }

    /// The matched route pattern, as the router recorded it (`""` before a match or for none).
    pub(crate) fn route(&self) -> &'static str {
        let mut route = "";
        self.recorder().note(|f| route = f.route);
        route
    }

    /// Reports a failure: the request's error class for the log and metrics, and the app's `on_error` hook.
    pub(crate) fn report(&self, phase: crate::observe::Phase, class: &'static str, message: &dyn std::fmt::Display) {
        let (route, mode) = {
            let mut seen = ("", None);
            self.recorder().note(|f| seen = (f.route, f.mode));
            seen
        };
        let ctx = crate::observe::HookContext {
            request_id: self.request_id.as_str(),
            method: self.method.as_str(),
            path: &self.path,
            route,
            mode: crate::observe::mode_name(mode),
        };
        self.recorder().failure(self.app.on_error.as_ref(), phase, class, &message.to_string(), ctx);
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
                RequestId::given("facetheory-test-request"),
            ),
            params: Vec::new(),
            app: crate::state::AppScope::default(),
            body: Bytes::new(),
        }
    }

    pub(crate) fn new(request: Arc<RequestInfo>, route: &'static str, params: Vec<(&'static str, RawParam)>) -> Self {
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
        let mut request =
            RequestInfo::new(r.method.clone(), r.path.clone(), kept, r.headers.clone(), r.request_id.clone())
                .with_app(Arc::clone(&r.app), r.extensions.clone());
        // The same request: what its steps learn goes to one recorder.
        request.recording = Recording::Parent(Arc::clone(r));
        request.invocation_id = r.invocation_id.clone();
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
        self.request.app.state.get::<T>()
    }

    /// Marks stale every cached ISR page tagged `tag` (see [`IsrRuntime::revalidate_tag`](crate::isr::IsrRuntime::revalidate_tag)):
    /// after a resource saves content, the pages that show it regenerate on their next request. Returns how
    /// many cached pages were marked (0 when the app has no ISR). An invalid tag or a store failure is an
    /// internal error (logged; `?` answers 500).
    ///
    /// ```no_run
    /// # use facetheory::prelude::*;
    /// #[resource(route = "/api/posts/<slug>", methods = ["PUT"])]
    /// async fn save(slug: String, ctx: &FaceContext) -> Result<ResourceResponse> {
    ///     // … store the post …
    ///     ctx.revalidate_path(&format!("/blog/{slug}")).await?;
    ///     ctx.revalidate_tag("posts").await?;
    ///     Ok(ResourceResponse::empty())
    /// }
    /// ```
    pub async fn revalidate_tag(&self, tag: &str) -> Result<u64, crate::Error> {
        match &self.request.app.isr {
            Some(isr) => isr.revalidate_tag(tag).await.map_err(crate::Error::from),
            None => Ok(0),
        }
    }

    /// Marks stale every cached variant of the ISR page at `path` (`/blog/hello`); see
    /// [`revalidate_tag`](Self::revalidate_tag).
    pub async fn revalidate_path(&self, path: &str) -> Result<u64, crate::Error> {
        match &self.request.app.isr {
            Some(isr) => isr.revalidate_path(path).await.map_err(crate::Error::from),
            None => Ok(0),
        }
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
        self.request.request_id.as_str()
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
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| self.raw_text(v))
    }

    /// All raw route parameters in route order.
    pub fn raw_params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (*n, self.raw_text(v)))
    }

    fn raw_text<'s>(&'s self, param: &'s RawParam) -> &'s str {
        match param {
            // The router's ranges are of this same path: `get` cannot miss, and would give "" rather than panic.
            RawParam::InPath(range) => self.request.path.get(range.clone()).unwrap_or(""),
            RawParam::Given(text) => text,
        }
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
    params: Vec<(&'static str, RawParam)>,
    app: crate::state::AppScope,
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
        self.params.push((name, RawParam::Given(raw.to_string())));
        self
    }

    /// Sets the request id (visible ASCII; anything else is replaced by a fresh UUID).
    pub fn request_id(mut self, id: &str) -> Self {
        self.request.request_id = RequestId::given(id);
        self
    }

    /// Adds a value of the app's state (what `AppBuilder::state` registers), for testing a face alone.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.app.state.insert(value);
        self
    }

    /// Gives the context an ISR runtime (what [`FaceContext::revalidate_tag`] reaches), for testing a resource
    /// alone.
    pub fn isr(mut self, runtime: crate::isr::IsrRuntime) -> Self {
        self.app.isr = Some(runtime);
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
        request.app = Arc::new(self.app);
        let mut ctx = FaceContext::new(Arc::new(request), "", self.params);
        ctx.body = self.body;
        ctx
    }
}

/// The scope of a request made outside an app (tests, builders): shared, so making one allocates nothing.
fn no_app() -> Arc<crate::state::AppScope> {
    static EMPTY: std::sync::LazyLock<Arc<crate::state::AppScope>> = std::sync::LazyLock::new(Arc::default);
    Arc::clone(&EMPTY)
}
