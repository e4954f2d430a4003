//! [`App`]: the route table plus configuration, served as a `tower::Service` over `http` types. The request
//! path runs one way: normalise → match → face or resource → document → response.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;

use facetheory_codegen::precedence::sort_and_find_conflicts;
use facetheory_codegen::route::RoutePattern;

use crate::after_response::AfterResponse;
use crate::body::Body;
use crate::context::{FaceContext, RequestInfo};
use crate::csp::{
    apply_nonce, build_strict_csp_header, validate_document, validate_head, CspError, CspPolicy, CspSources,
};
use crate::document::{render_document_start, DocumentTail, DOCUMENT_END, INTERNAL_ERROR_HTML};
use crate::error::{AppError, Error, ErrorKind};
use crate::face::Mode;
use crate::face::{BoxFuture, Handler, Registered, RouteDescriptor, RouteKind};
use crate::head::HeadTag;
use crate::isr::{blocking_cache_control, Generation, IsrOutcome, IsrRuntime, Rendered, HYDRATION_PARAM};
use crate::page::{ErasedPage, PageBody, PageParts};
use crate::resource::ResourceResponse;
use crate::route::{strip_trailing_slashes, Router, TrailingSlash};
use crate::sidecar::SsrSidecars;
use crate::static_files::StaticDir;

/// Largest request body a resource route accepts (the Lambda Function URL payload limit).
pub const MAX_REQUEST_BODY: usize = 6 * 1024 * 1024;

/// A request id supplied by an adapter (e.g. the Lambda request context), used when no `x-request-id` header
/// is present.
#[derive(Clone, Debug)]
pub struct AdapterRequestId(pub String);

/// A facetheory application: cheap to clone, shareable across tasks.
///
/// ```
/// # async fn demo() {
/// use facetheory::App;
/// let app = App::builder().build().unwrap();
/// let res = app.handle(http::Request::get("/nowhere").body(String::new()).unwrap()).await;
/// assert_eq!(res.status(), 404);
/// assert!(res.headers().contains_key("x-request-id"));
/// # }
/// ```
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    isr: Option<IsrRuntime>,
    revalidate_secret: Option<String>,
    after_response: AfterResponse,
    sidecars: Option<SsrSidecars>,
    static_dirs: Vec<StaticDir>,
    routes: Vec<CompiledRoute>,
    router: Router,
    trailing_slash: TrailingSlash,
    not_found: Option<usize>,
}

struct CompiledRoute {
    desc: &'static RouteDescriptor,
    param_names: Vec<&'static str>,
}

/// Assembles an [`App`].
#[derive(Default)]
pub struct AppBuilder {
    isr: Option<IsrRuntime>,
    revalidate_secret: Option<String>,
    sidecars: Option<SsrSidecars>,
    static_dirs: Vec<StaticDir>,
    descriptors: Vec<&'static RouteDescriptor>,
    registered: bool,
    trailing_slash: TrailingSlash,
}

impl AppBuilder {
    /// Adds a route table (usually the generated `faces::ROUTES`).
    pub fn routes(mut self, table: &[&'static RouteDescriptor]) -> Self {
        self.descriptors.extend_from_slice(table);
        self
    }

    /// Adds one route.
    pub fn route(mut self, route: &'static RouteDescriptor) -> Self {
        self.descriptors.push(route);
        self
    }

    /// Also adds every `#[face]` / `#[resource]` linked into the binary (faces declared outside `faces/`,
    /// e.g. in libraries). They join the table with the same conflict check.
    pub fn with_registered(mut self) -> Self {
        self.registered = true;
        self
    }

    /// Serves files from `dir` under the URL `prefix` (e.g. Vite's `dist/assets` under `/assets`) — for local
    /// runs; in production these paths go to S3 through CloudFront. A missing directory serves 404s.
    pub fn static_dir(mut self, prefix: &str, dir: impl Into<std::path::PathBuf>) -> Self {
        self.static_dirs.push(StaticDir::new(prefix, dir));
        self
    }

    /// Sets the ISR stores and policies. Without this, an app with ISR faces uses the embedded local default:
    /// HTML and metadata under `$FACETHEORY_ISR_DIR`, or `.facetheory/isr` in the working directory.
    pub fn isr(mut self, runtime: IsrRuntime) -> Self {
        self.isr = Some(runtime);
        self
    }

    /// True when an ISR runtime was set explicitly.
    pub fn has_isr(&self) -> bool {
        self.isr.is_some()
    }

    /// Enables `POST /_facetheory/revalidate` (on-demand ISR revalidation), protected by this secret, sent as
    /// `authorization: Bearer <secret>`. The body is JSON: `{"tags": ["posts"], "paths": ["/blog/hello"]}`.
    /// Without a secret the route does not exist. Secrets shorter than 16 bytes are refused at `build()`.
    pub fn revalidate_secret(mut self, secret: impl Into<String>) -> Self {
        self.revalidate_secret = Some(secret.into());
        self
    }

    /// Enables signed SSR hydration sidecars: strict-CSP SSR pages that hydrate inline get their data stored
    /// and referenced by a signed URL under `/_facetheory/ssr-data/`, which the app answers.
    pub fn ssr_hydration_sidecars(mut self, sidecars: SsrSidecars) -> Self {
        self.sidecars = Some(sidecars);
        self
    }

    /// Sets the trailing-slash policy (default [`TrailingSlash::Redirect`]).
    pub fn trailing_slash(mut self, policy: TrailingSlash) -> Self {
        self.trailing_slash = policy;
        self
    }

    /// Validates and builds: every route parsed, sorted by precedence, conflicts rejected.
    pub fn build(self) -> Result<App, AppError> {
        let mut all = self.descriptors;
        if self.registered {
            all.extend(inventory::iter::<Registered>.into_iter().map(|r| r.0));
        }
        let mut unique: Vec<&'static RouteDescriptor> = Vec::with_capacity(all.len());
        for d in all {
            if !unique.iter().any(|u| std::ptr::eq(*u, d)) {
                unique.push(d);
            }
        }
        let mut parsed = Vec::with_capacity(unique.len());
        for desc in unique {
            let pattern = RoutePattern::parse(desc.pattern).map_err(|e| AppError::InvalidRoute {
                file: desc.file,
                line: desc.line,
                function: desc.name,
                message: e.render(desc.pattern),
            })?;
            parsed.push((pattern, desc));
        }
        let conflicts = sort_and_find_conflicts(&mut parsed, |(p, _)| p);
        if let Some(&(a, b)) = conflicts.first() {
            let (a, b) = (&parsed[a], &parsed[b]);
            return Err(AppError::Conflict {
                first: a.0.to_string(),
                first_at: a.1.location(),
                second: b.0.to_string(),
                second_at: b.1.location(),
            });
        }
        let patterns: Vec<RoutePattern> = parsed.iter().map(|(p, _)| p.clone()).collect();
        let routes: Vec<CompiledRoute> =
            parsed.iter().map(|(_, desc)| CompiledRoute { desc, param_names: param_names(desc.pattern) }).collect();
        let not_found =
            routes.iter().position(|r| r.desc.pattern == "/404" && matches!(r.desc.kind, RouteKind::Face { .. }));
        let has_isr = routes.iter().any(|r| r.desc.mode() == Some(Mode::Isr));
        if let Some(secret) = &self.revalidate_secret {
            if secret.len() < crate::revalidate::MIN_SECRET_LEN {
                return Err(AppError::Config(format!(
                    "the revalidation secret must be at least {} bytes long",
                    crate::revalidate::MIN_SECRET_LEN
                )));
            }
        }
        Ok(App {
            inner: Arc::new(Inner {
                isr: self.isr.or_else(|| has_isr.then(default_isr)),
                revalidate_secret: self.revalidate_secret,
                after_response: AfterResponse::default(),
                sidecars: self.sidecars,
                static_dirs: self.static_dirs,
                router: Router::new(&patterns),
                routes,
                trailing_slash: self.trailing_slash,
                not_found,
            }),
        })
    }
}

fn default_isr() -> IsrRuntime {
    let dir = std::env::var_os("FACETHEORY_ISR_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(".facetheory/isr"));
    IsrRuntime::local(dir)
}

/// Parameter names as slices of the static pattern (so contexts borrow them instead of allocating).
fn param_names(pattern: &'static str) -> Vec<&'static str> {
    pattern
        .split('/')
        .filter(|s| s.starts_with('<') || s.starts_with('{'))
        .map(|s| s[1..s.len() - 1].trim_end_matches(['+', '*']))
        .collect()
}

/// Where a path leads.
enum Resolution<'p> {
    Route(usize, crate::route::RouteMatch<'p, 'p>),
    Redirect(String),
    NotFound,
}

impl App {
    /// Starts a builder.
    pub fn builder() -> AppBuilder {
        AppBuilder::default()
    }

    /// The static directories: (URL prefix, directory).
    pub fn static_dir_sources(&self) -> impl Iterator<Item = (&str, &std::path::Path)> + '_ {
        self.inner.static_dirs.iter().map(|d| (d.prefix(), d.dir()))
    }

    /// The ISR runtime (present when the app has ISR faces or was given one), e.g. to revalidate from code:
    ///
    /// ```no_run
    /// # async fn f(app: facetheory::App) -> facetheory::Result<()> {
    /// if let Some(isr) = app.isr() {
    ///     isr.revalidate_tag("posts").await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn isr(&self) -> Option<&IsrRuntime> {
        self.inner.isr.as_ref()
    }

    /// Work scheduled to run after responses are sent (stale-while-revalidate regenerations). Adapters other
    /// than the built-in server and Lambda runtime can `drain()` it where their platform needs it.
    pub fn after_response(&self) -> &AfterResponse {
        &self.inner.after_response
    }

    /// The routes in precedence order.
    pub fn routes(&self) -> impl Iterator<Item = &'static RouteDescriptor> + '_ {
        self.inner.routes.iter().map(|r| r.desc)
    }

    /// The trailing-slash policy in force.
    pub fn trailing_slash(&self) -> TrailingSlash {
        self.inner.trailing_slash
    }

    /// Handles one request. Never fails: errors become 404 / 405 / 500 responses. Every response carries
    /// `x-request-id`; HEAD responses carry the headers of GET and no body.
    pub async fn handle<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        let request_id = request_id(&parts);
        let http::request::Parts { method, uri, headers, .. } = parts;
        let path = original_uri(&headers).unwrap_or(uri.path()).to_string();
        let request =
            Arc::new(RequestInfo::new(method, path, uri.query().unwrap_or("").to_string(), headers, request_id));
        let (mut res, route) = self.dispatch(&request, body).await;
        let id_value =
            HeaderValue::from_str(&request.request_id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
        res.headers_mut().insert("x-request-id", id_value);
        if request.method == Method::HEAD {
            *res.body_mut() = Body::empty();
        }
        tracing::info!(
            target: "facetheory::request",
            method = %request.method,
            route,
            status = res.status().as_u16(),
            request_id = %request.request_id,
            duration_us = started.elapsed().as_micros() as u64,
            "request completed"
        );
        res
    }

    fn resolve<'p>(&'p self, path: &'p str) -> Resolution<'p> {
        let router = &self.inner.router;
        let stripped = strip_trailing_slashes(path);
        let found = match (self.inner.trailing_slash, stripped) {
            (TrailingSlash::Redirect, Some(s)) => {
                return match router.find(s) {
                    Some(_) => Resolution::Redirect(s.to_string()),
                    None => Resolution::NotFound,
                }
            }
            (TrailingSlash::Normalize, Some(s)) => router.find(s),
            _ => router.find(path),
        };
        match found {
            Some(m) => Resolution::Route(m.route(), m),
            None => Resolution::NotFound,
        }
    }

    async fn dispatch<B>(&self, request: &Arc<RequestInfo>, body: B) -> (Response<Body>, &'static str)
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if let Some(sidecars) = &self.inner.sidecars {
            if let Some(token) = sidecars.token_in(&request.path) {
                return (sidecar_response(sidecars, request, token).await, "");
            }
        }
        if let (Some(secret), true) =
            (&self.inner.revalidate_secret, request.path == crate::revalidate::REVALIDATE_PATH)
        {
            return (crate::revalidate::respond(self.inner.isr.as_ref(), secret, request, body).await, "");
        }
        if let Some(page_path) = ssg_data_page(&request.path) {
            if matches!(request.method, Method::GET | Method::HEAD) {
                return (self.ssg_data_response(request, page_path).await, "");
            }
        }
        if matches!(request.method, Method::GET | Method::HEAD) {
            for dir in &self.inner.static_dirs {
                if let Some(res) = dir.respond(&request.path).await {
                    return (res, "");
                }
            }
        }
        let (index, params) = match self.resolve(&request.path) {
            Resolution::NotFound => return (self.not_found(request).await, ""),
            Resolution::Redirect(target) => {
                let location =
                    if request.raw_query.is_empty() { target } else { format!("{target}?{}", request.raw_query) };
                return (redirect(StatusCode::PERMANENT_REDIRECT, &location, "Permanent Redirect"), "");
            }
            Resolution::Route(i, m) => {
                let names = &self.inner.routes[i].param_names;
                let params: Vec<(&'static str, String)> =
                    names.iter().enumerate().map(|(k, n)| (*n, m.capture(k).unwrap_or("").to_string())).collect();
                (i, params)
            }
        };
        let desc = self.inner.routes[index].desc;
        let mut ctx = FaceContext::new(Arc::clone(request), desc.pattern, params);
        let method = &request.method;
        let request_id = request.request_id.as_str();
        let res = match (desc.kind, desc.handler) {
            (RouteKind::Resource { methods }, Handler::Resource(handler)) => {
                let allowed = methods.iter().any(|m| *m == method.as_str())
                    || (*method == Method::HEAD && methods.contains(&"GET"));
                if !allowed {
                    let mut list: Vec<&str> = methods.to_vec();
                    if list.contains(&"GET") && !list.contains(&"HEAD") {
                        list.push("HEAD");
                    }
                    return (resource_response(ResourceResponse::method_not_allowed(&list)), desc.pattern);
                }
                match collect_body(body).await {
                    Ok(bytes) => ctx.body = bytes,
                    Err(status) => return (plain(status, status.canonical_reason().unwrap_or("Error")), desc.pattern),
                }
                match handler(ctx).await {
                    Ok(r) => match r.invalid.clone() {
                        None => resource_response(r),
                        Some(problem) => internal_error(desc, request_id, &problem),
                    },
                    Err(e) => self.error_response(e, desc, request).await,
                }
            }
            (RouteKind::Face { .. }, Handler::Face(handler)) => {
                if *method != Method::GET && *method != Method::HEAD {
                    let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
                    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
                    return (r, desc.pattern);
                }
                if let (RouteKind::Face { mode: Mode::Isr, revalidate, .. }, Some(isr)) = (desc.kind, &self.inner.isr) {
                    return (
                        self.isr_response(isr, handler, ctx, desc, request, revalidate.unwrap_or(60)).await,
                        desc.pattern,
                    );
                }
                let status = (Some(index) == self.inner.not_found).then_some(StatusCode::NOT_FOUND);
                match handler(ctx).await {
                    Ok(page) => page_response(page, status, desc, request, self.inner.sidecars.as_ref(), None).await,
                    Err(e) => self.error_response(e, desc, request).await,
                }
            }
            _ => internal_error(desc, request_id, &"descriptor kind and handler disagree"),
        };
        (res, desc.pattern)
    }

    /// An ISR face: served from the cache, regenerated through the normal page path when needed; requests
    /// carrying the hydration sidecar parameter get the sidecar (or 404), never a render.
    async fn isr_response(
        &self,
        isr: &IsrRuntime,
        handler: crate::face::FaceFn,
        ctx: FaceContext,
        desc: &'static RouteDescriptor,
        request: &Arc<RequestInfo>,
        revalidate: u64,
    ) -> Response<Body> {
        let mut sidecar_params = ctx.query().get_all(HYDRATION_PARAM);
        if let Some(first) = sidecar_params.next() {
            let once = sidecar_params.next().is_none() && !first.is_empty();
            let found = if once { isr.hydration(&ctx, desc.pattern, first).await } else { None };
            return isr_hydration_response(found);
        }
        let app = self.clone();
        let request_for_render = Arc::clone(request);
        let render_ctx = ctx.clone();
        let face_tags = match desc.kind {
            RouteKind::Face { tags, .. } => tags,
            RouteKind::Resource { .. } => &[],
        };
        let render = move |generation: Generation| async move {
            let page = handler(render_ctx).await?;
            let sidecars = app.inner.sidecars.as_ref();
            let res = page_response(page, None, desc, &request_for_render, sidecars, Some(&generation)).await;
            let mut rendered = rendered_from(res).await?;
            let page_tags = std::mem::take(&mut rendered.tags);
            rendered.tags = face_tags.iter().map(|t| t.to_string()).chain(page_tags).collect();
            Ok(rendered)
        };
        match isr.serve(&ctx, desc.pattern, revalidate, render).await {
            Ok(IsrOutcome::Served { state, page, etag, revalidate_seconds, background }) => {
                let mut r = rendered_response(page);
                let h = r.headers_mut();
                if let Ok(v) = HeaderValue::from_str(&blocking_cache_control(revalidate_seconds)) {
                    h.insert(header::CACHE_CONTROL, v);
                }
                h.insert("x-facetheory-isr", HeaderValue::from_static(state.as_str()));
                if let Some(v) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
                    h.insert(header::ETAG, v);
                }
                if let Some(work) = background {
                    self.inner.after_response.schedule(r.body_mut(), work.0);
                }
                r
            }
            Ok(IsrOutcome::Uncached(page)) => {
                let mut r = rendered_response(page);
                r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
                r
            }
            Err(e) => self.error_response(e, desc, request).await,
        }
    }

    /// `/_facetheory/data/<p>.json` when serving locally (on AWS the file from `build` is on S3): renders the
    /// SSG page at `<p>` and answers its hydration data.
    async fn ssg_data_response(&self, request: &Arc<RequestInfo>, page_path: String) -> Response<Body> {
        let not_found = || {
            let mut r = plain(StatusCode::NOT_FOUND, "Not Found");
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        };
        let Resolution::Route(i, m) = self.resolve(&page_path) else { return not_found() };
        let route = &self.inner.routes[i];
        let (desc, Handler::Face(handler)) = (route.desc, route.desc.handler) else { return not_found() };
        if desc.mode() != Some(Mode::Ssg) {
            return not_found();
        }
        let params =
            route.param_names.iter().enumerate().map(|(k, n)| (*n, m.capture(k).unwrap_or("").to_string())).collect();
        let page_request = Arc::new(RequestInfo::new(
            Method::GET,
            page_path,
            String::new(),
            request.headers.clone(),
            request.request_id.clone(),
        ));
        let ctx = FaceContext::new(Arc::clone(&page_request), desc.pattern, params);
        let Ok(page) = handler(ctx).await else { return not_found() };
        let res = page_response(page, None, desc, &page_request, None, None).await;
        let Some(SsgHydration(data)) = res.extensions().get::<SsgHydration>().cloned() else { return not_found() };
        let mut body = data.to_vec();
        body.push(b'\n');
        let len = body.len();
        let mut r = Response::new(Body::full(body));
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(crate::ssg::SSG_CACHE_CONTROL));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        r
    }

    async fn error_response(
        &self,
        err: Error,
        desc: &'static RouteDescriptor,
        request: &Arc<RequestInfo>,
    ) -> Response<Body> {
        match err.kind() {
            ErrorKind::NotFound => self.not_found(request).await,
            ErrorKind::Redirect { status, location } => redirect(*status, location, ""),
            ErrorKind::Internal(_) => internal_error(desc, &request.request_id, &err),
        }
    }

    /// 404: the `/404` face when there is one (rendered with status 404), else plain `Not Found`.
    fn not_found<'a>(&'a self, request: &'a Arc<RequestInfo>) -> BoxFuture404<'a> {
        Box::pin(async move {
            let Some(i) = self.inner.not_found else {
                return plain(StatusCode::NOT_FOUND, "Not Found");
            };
            let desc = self.inner.routes[i].desc;
            let Handler::Face(handler) = desc.handler else { return plain(StatusCode::NOT_FOUND, "Not Found") };
            let ctx = FaceContext::new(Arc::clone(request), desc.pattern, Vec::new());
            match handler(ctx).await {
                Ok(page) => {
                    page_response(page, Some(StatusCode::NOT_FOUND), desc, request, self.inner.sidecars.as_ref(), None)
                        .await
                }
                Err(e) if e.is_not_found() => plain(StatusCode::NOT_FOUND, "Not Found"),
                Err(e) => internal_error(desc, &request.request_id, &e),
            }
        })
    }
}

type BoxFuture404<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Response<Body>> + Send + 'a>>;

/// The viewer's path as CloudFront's viewer-request function recorded it (`x-facetheory-original-uri`): on
/// origin-group failover the request reaching Lambda carries the S3 key shape (`/about/index.html`), and the
/// app must route the URL the viewer asked for. Only a plain absolute path is accepted; anything else is
/// ignored (and logged).
fn original_uri(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(ORIGINAL_URI_HEADER)?;
    let text = value.to_str().ok().filter(|v| {
        v.starts_with('/')
            && !v.starts_with("//")
            && v.len() <= 4096
            && v.bytes().all(|b| b > 0x20 && b < 0x7f && b != b'?' && b != b'#')
    });
    if text.is_none() {
        tracing::warn!(target: "facetheory::request", "ignoring an invalid {ORIGINAL_URI_HEADER} header");
    }
    text
}

/// Header CloudFront's viewer-request function sets to the viewer's original path.
pub const ORIGINAL_URI_HEADER: &str = "x-facetheory-original-uri";

fn request_id(parts: &http::request::Parts) -> String {
    let from_header = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200);
    if let Some(id) = from_header {
        return id.to_string();
    }
    if let Some(AdapterRequestId(id)) = parts.extensions.get::<AdapterRequestId>() {
        if !id.is_empty() && HeaderValue::from_str(id).is_ok() {
            return id.clone();
        }
    }
    crate::request_id::fresh()
}

async fn collect_body<B>(body: B) -> Result<Bytes, StatusCode>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limited = http_body_util::Limited::new(body, MAX_REQUEST_BODY);
    match limited.collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(StatusCode::PAYLOAD_TOO_LARGE),
        Err(_) => Err(StatusCode::BAD_REQUEST),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::full(text));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
    r
}

fn redirect(status: StatusCode, location: &str, text: &'static str) -> Response<Body> {
    let mut r = plain(status, text);
    match HeaderValue::from_str(location) {
        Ok(v) => {
            r.headers_mut().insert(header::LOCATION, v);
        }
        Err(_) => return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
    if text.is_empty() {
        r.headers_mut().remove(header::CONTENT_TYPE);
    }
    r
}

fn internal_error(desc: &RouteDescriptor, request_id: &str, err: &dyn std::fmt::Display) -> Response<Body> {
    tracing::error!(
        target: "facetheory::request",
        route = desc.pattern,
        function = desc.name,
        request_id,
        error = %err,
        "route failed"
    );
    let mut r = Response::new(Body::full(INTERNAL_ERROR_HTML));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(INTERNAL_ERROR_HTML.len()));
    r
}

/// Largest streamed body a strict page may collect for validation (FaceTheory D3).
pub const MAX_STRICT_STREAM_BYTES: usize = 5 * 1024 * 1024;

const PAYLOAD_TOO_LARGE_HTML: &str = "<!doctype html><html lang=\"en\"><head><title>Payload Too Large</title></head><body><h1>Payload Too Large</h1><template data-facetheory-error=\"strict-csp-stream-body-too-large\"></template></body></html>";

async fn page_response(
    page: ErasedPage,
    status: Option<StatusCode>,
    desc: &'static RouteDescriptor,
    request: &Arc<RequestInfo>,
    sidecars: Option<&SsrSidecars>,
    isr: Option<&Generation>,
) -> Response<Body> {
    let request_id = request.request_id.as_str();
    let ErasedPage { mut parts, mut hydration_tags } = page;
    let tags = std::mem::take(&mut parts.tags);
    let mut isr_hydration = None;
    if let Some(problem) = &parts.invalid {
        return internal_error(desc, request_id, problem);
    }
    let mut headers = std::mem::take(&mut parts.headers);
    for cookie in &parts.cookies {
        match HeaderValue::from_str(cookie) {
            Ok(v) => {
                headers.append(header::SET_COOKIE, v);
            }
            Err(_) => return internal_error(desc, request_id, &format!("invalid set-cookie value {cookie:?}")),
        }
    }
    headers.entry(header::CONTENT_TYPE).or_insert(HeaderValue::from_static("text/html; charset=utf-8"));
    let strict = parts.csp.filter(CspPolicy::is_strict);
    if let (Some(policy), Some(sidecars), Some(Mode::Ssr)) = (strict, sidecars, desc.mode()) {
        if !policy.inline_scripts {
            if let Err(e) = externalize_hydration(&mut hydration_tags, sidecars, request, desc).await {
                return internal_error(desc, request_id, &e);
            }
        }
    }
    if let (Some(policy), Some(generation)) = (strict, isr) {
        if !policy.inline_scripts {
            isr_hydration = externalize_isr_hydration(&mut hydration_tags, generation, request);
        }
    }
    let mut ssg_hydration = None;
    if let (Some(policy), Some(Mode::Ssg)) = (strict, desc.mode()) {
        if !policy.inline_scripts {
            ssg_hydration = externalize_ssg_hydration(&mut hydration_tags, request);
        }
    }
    match desc.mode() {
        Some(Mode::Ssr) => {
            headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static(crate::ssg::SSR_CACHE_CONTROL));
        }
        Some(Mode::Ssg) => {
            headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static(crate::ssg::SSG_CACHE_CONTROL));
        }
        _ => {}
    }
    let own_csp = headers.contains_key(header::CONTENT_SECURITY_POLICY);
    let sources = match strict {
        None => None,
        Some(policy) => match prepare_strict(&mut parts, &mut hydration_tags, &policy, desc, request, own_csp) {
            Ok((sources, header_value)) => {
                if let Some(v) = header_value {
                    headers.insert(header::CONTENT_SECURITY_POLICY, v);
                }
                Some((policy, sources))
            }
            Err(e) => return internal_error(desc, request_id, &e),
        },
    };
    let start = render_document_start(&parts, &hydration_tags);
    let body = match (std::mem::take(&mut parts.body), &sources) {
        (PageBody::Markup(body), _) => {
            if let Some((policy, sources)) = &sources {
                let doc = format!("{start}{body}{DOCUMENT_END}");
                if let Err(e) = validate_document(&doc, policy, sources) {
                    return internal_error(desc, request_id, &e);
                }
            }
            let len = start.len() + body.len() + DOCUMENT_END.len();
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            Body::chunks([Bytes::from(start), Bytes::from(body), Bytes::from_static(DOCUMENT_END.as_bytes())])
        }
        (PageBody::Stream(mut chunks), Some((policy, sources))) => {
            // A strict page cannot be checked until it is whole: collect (bounded), validate, send buffered.
            let mut body = String::new();
            while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
                match chunk {
                    Ok(markup) => body.push_str(&markup.into_string()),
                    Err(e) => return internal_error(desc, request_id, &e),
                }
                if body.len() > MAX_STRICT_STREAM_BYTES {
                    tracing::error!(
                        route = desc.pattern,
                        request_id,
                        "strict streamed body over {MAX_STRICT_STREAM_BYTES} bytes"
                    );
                    let mut r = Response::new(Body::full(PAYLOAD_TOO_LARGE_HTML));
                    *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                    return r;
                }
            }
            let doc = format!("{start}{body}{DOCUMENT_END}");
            if let Err(e) = validate_document(&doc, policy, sources) {
                return internal_error(desc, request_id, &e);
            }
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(doc.len()));
            Body::full(doc)
        }
        (PageBody::Stream(mut chunks), None) => {
            // Preflight: status and headers are final once the first chunk exists; a failure before it is a
            // clean 500. The head goes out together with the first chunk.
            let first = match futures_util::StreamExt::next(&mut chunks).await {
                Some(Ok(markup)) => Bytes::from(markup.into_string()),
                Some(Err(e)) => return internal_error(desc, request_id, &e),
                None => Bytes::new(),
            };
            headers.remove(header::CONTENT_LENGTH);
            let tail = DocumentTail::new(chunks, desc.pattern, request_id);
            Body::streaming([Bytes::from(start), first], Box::pin(tail))
        }
    };
    let mut r = Response::new(body);
    *r.status_mut() = status.unwrap_or(parts.status.unwrap_or(StatusCode::OK));
    *r.headers_mut() = headers;
    if !tags.is_empty() {
        r.extensions_mut().insert(PageTags(tags));
    }
    if let Some(data) = isr_hydration {
        r.extensions_mut().insert(IsrHydration(data));
    }
    if let Some(data) = ssg_hydration {
        r.extensions_mut().insert(SsgHydration(data));
    }
    r
}

/// Hydration data of a strict SSG page, written to `_facetheory/data/<p>.json` by `build`.
#[derive(Clone)]
pub(crate) struct SsgHydration(pub(crate) Bytes);

/// Strict SSG pages: the inline hydration data moves to `/_facetheory/data/<p>.json` (FaceTheory's SSG sidecar
/// layout), a static file beside the HTML.
fn externalize_ssg_hydration(tags: &mut [HeadTag], request: &RequestInfo) -> Option<Bytes> {
    let (tag, data) = take_inline_data(tags)?;
    *tag = hydration_link(format!("/{}", crate::sidecar::ssg_data_path(&request.path)));
    Some(data)
}

/// `/_facetheory/data/<p>.json` → the page path `/<p>` (`index` → `/`).
fn ssg_data_page(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/_facetheory/data/")?.strip_suffix(".json")?;
    if rest.is_empty() || rest.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return None;
    }
    Some(if rest == "index" { "/".into() } else { format!("/{rest}") })
}

/// Cache tags of a rendered page, carried to the ISR engine.
#[derive(Clone)]
struct PageTags(Vec<String>);

/// Hydration data of a strict ISR page, stored beside its HTML.
#[derive(Clone)]
struct IsrHydration(Bytes);

/// Strict ISR pages (FaceTheory E9): the inline hydration data moves to a sidecar stored with the generation,
/// and the page points at it with `<path>?<query>&__facetheory_isr_hydration=<base64url(pointer)>`.
fn externalize_isr_hydration(tags: &mut [HeadTag], generation: &Generation, request: &RequestInfo) -> Option<Bytes> {
    let (tag, data) = take_inline_data(tags)?;
    let mut query: Vec<&str> = request
        .raw_query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !pair.is_empty() && crate::params::percent_decode(name).ok().as_deref() != Some(HYDRATION_PARAM)
        })
        .collect();
    let param = format!("{HYDRATION_PARAM}={}", generation.hydration_param());
    query.push(&param);
    let url = format!("{}?{}", request.path, query.join("&"));
    *tag = hydration_link(url);
    Some(data)
}

/// The inline hydration data script (`#__FACETHEORY_DATA__`, non-empty) and its JSON, taken out of the tag so
/// that the caller can replace the tag with a link to where the data now lives.
fn take_inline_data(tags: &mut [HeadTag]) -> Option<(&mut HeadTag, Bytes)> {
    let tag = tags.iter_mut().find(|t| {
        matches!(t, HeadTag::Script { attrs, body } if attrs.get("id") == Some("__FACETHEORY_DATA__") && !body.is_empty())
    })?;
    let HeadTag::Script { body, .. } = tag else { return None };
    let data = Bytes::from(std::mem::take(body));
    Some((tag, data))
}

fn hydration_link(url: String) -> HeadTag {
    HeadTag::Link(
        crate::head::Attrs::new()
            .set("href", url)
            .set("id", "__FACETHEORY_DATA_URL__")
            .set("rel", "facetheory-hydration")
            .set("type", "application/json"),
    )
}

fn isr_hydration_response(found: Option<(Bytes, Option<String>)>) -> Response<Body> {
    let Some((body, etag)) = found else {
        let mut r = plain(StatusCode::NOT_FOUND, "Not Found");
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return r;
    };
    let len = body.len();
    let mut r = Response::new(Body::full(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        h.insert(header::ETAG, v);
    }
    r
}

/// Collects a rendered page response for the ISR store: the document, its status, content type, CSP and the
/// render headers that may be shared ([`crate::isr::KEPT_HEADERS`]).
async fn rendered_from(res: Response<Body>) -> Result<Rendered, Error> {
    let (mut parts, body) = res.into_parts();
    let body = body.collect().await.map_err(|e| Error::msg(format!("collecting the page: {e}")))?.to_bytes();
    let text = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let kept_headers = crate::isr::KEPT_HEADERS
        .iter()
        .filter_map(|n| parts.headers.get(*n).and_then(|v| v.to_str().ok()).map(|v| (n.to_string(), v.to_string())))
        .collect();
    Ok(Rendered {
        status: parts.status.as_u16(),
        content_type: text(header::CONTENT_TYPE).unwrap_or_else(|| "text/html; charset=utf-8".into()),
        csp: text(header::CONTENT_SECURITY_POLICY),
        kept_headers,
        body,
        tags: parts.extensions.remove::<PageTags>().map(|t| t.0).unwrap_or_default(),
        hydration: parts.extensions.remove::<IsrHydration>().map(|h| h.0),
    })
}

fn rendered_response(page: Rendered) -> Response<Body> {
    let len = page.body.len();
    let mut r = Response::new(Body::full(page.body));
    *r.status_mut() = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&page.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = page.csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    for (name, value) in page.kept_headers {
        if let (Ok(n), Ok(v)) = (header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            h.insert(n, v);
        }
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// Moves inline hydration data (`#__FACETHEORY_DATA__`) into a signed SSR sidecar and points the page at it.
async fn externalize_hydration(
    tags: &mut [HeadTag],
    sidecars: &SsrSidecars,
    request: &Arc<RequestInfo>,
    desc: &'static RouteDescriptor,
) -> Result<(), crate::sidecar::SidecarError> {
    for tag in tags.iter_mut() {
        let HeadTag::Script { attrs, body } = tag else { continue };
        if attrs.get("id") != Some("__FACETHEORY_DATA__") || body.is_empty() {
            continue;
        }
        let ctx = FaceContext::new(Arc::clone(request), desc.pattern, Vec::new());
        let url = sidecars.publish(&ctx, body).await?;
        *tag = hydration_link(url);
    }
    Ok(())
}

/// Answers `GET <prefix>/<token>`: the sidecar JSON when everything checks out, else a plain 404 (the reason is
/// logged, never sent).
async fn sidecar_response(sidecars: &SsrSidecars, request: &Arc<RequestInfo>, token: &str) -> Response<Body> {
    let result = if request.method == Method::GET || request.method == Method::HEAD {
        let ctx = FaceContext::new(Arc::clone(request), "", Vec::new());
        sidecars.resolve(&ctx, token).await
    } else {
        Err(crate::sidecar::Rejection::MalformedToken)
    };
    match result {
        Ok(body) => {
            let mut r = Response::new(Body::full(body.clone()));
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            r
        }
        Err(reason) => {
            tracing::info!(
                target: "facetheory::request",
                phase = "ssr-hydration-sidecar",
                reason = reason.as_str(),
                request_id = %request.request_id,
                "sidecar request refused"
            );
            let mut r = plain(StatusCode::NOT_FOUND, "Not Found");
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
    }
}

/// Strict pages: choose nonce (SSR) or hashes (cached modes), apply the nonce to head tags, check the head, and
/// build the header unless the page set its own.
fn prepare_strict(
    parts: &mut PageParts,
    hydration_tags: &mut [HeadTag],
    policy: &CspPolicy,
    desc: &RouteDescriptor,
    request: &RequestInfo,
    own_csp: bool,
) -> Result<(CspSources, Option<HeaderValue>), CspError> {
    if !policy.inline_scripts
        && hydration_tags.iter().any(|t| matches!(t, HeadTag::Script { body, .. } if !body.is_empty()))
    {
        return Err(CspError(
            "a strict page cannot carry inline hydration data: enable SSR hydration sidecars (SSR pages) or use Page::hydrate_external".into(),
        ));
    }
    let cached = matches!(desc.mode(), Some(Mode::Ssg | Mode::Isr));
    let sources = if cached {
        let bodies: Vec<&str> = parts
            .head
            .iter()
            .filter_map(|t| match t {
                HeadTag::Script { body, .. } if !body.is_empty() => Some(body.as_str()),
                _ => None,
            })
            .collect();
        CspSources::hashes(bodies)
    } else {
        let nonce = request.csp_nonce();
        apply_nonce(&mut parts.head, nonce);
        apply_nonce(hydration_tags, nonce);
        CspSources::nonce(nonce)
    };
    let head: Vec<&HeadTag> = parts.head.iter().chain(hydration_tags.iter()).collect();
    validate_head(&head, policy, &sources)?;
    let header = if own_csp {
        None
    } else {
        let extra: Vec<(&str, Vec<&str>)> =
            parts.csp_directives.iter().map(|(n, v)| (n.as_str(), v.iter().map(String::as_str).collect())).collect();
        let extra: Vec<(&str, &[&str])> = extra.iter().map(|(n, v)| (*n, v.as_slice())).collect();
        let value = build_strict_csp_header(&sources, &extra)?;
        Some(HeaderValue::from_str(&value).map_err(|_| CspError("header value is not valid".into()))?)
    };
    Ok((sources, header))
}

fn resource_response(r: ResourceResponse) -> Response<Body> {
    let mut headers = r.headers;
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(r.body.len()));
    if r.status == StatusCode::NO_CONTENT || r.status == StatusCode::NOT_MODIFIED {
        headers.remove(header::CONTENT_LENGTH);
    }
    let mut res = Response::new(Body::full(r.body));
    *res.status_mut() = r.status;
    *res.headers_mut() = headers;
    res
}

impl<B> tower_service::Service<Request<B>> for App
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let app = self.clone();
        Box::pin(async move { Ok(app.handle(req).await) })
    }
}
