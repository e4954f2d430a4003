//! [`App`]: the route table plus configuration, served as a `tower::Service` over `http` types.
//!
//! The request path runs one way: [`App::handle`] normalises the request, [`table`] matches it (faces,
//! resources and reserved endpoints in one router), [`dispatch`] calls the handler, the render step
//! ([`crate::render`]) turns a page into a [`Rendered`](crate::Rendered) value, and that value becomes the
//! `http::Response` once, here.

mod builder;
mod dispatch;
mod isr;
mod reserved;
mod static_render;
mod table;
#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{HeaderValue, Method, Request, Response};

pub use builder::AppBuilder;
pub use static_render::StaticRenderError;
pub(crate) use table::{Endpoint, Origin, Reserved, ReservedEndpoint};

use crate::after_response::AfterResponse;
use crate::body::{Body, RequestBody};
use crate::context::RequestInfo;
use crate::face::RouteDescriptor;
use crate::hydration::SsrSidecars;
use crate::isr::IsrRuntime;
use crate::request_id::RequestId;
use crate::route::TrailingSlash;
use crate::static_files::StaticDir;
use crate::BoxFuture;
use table::Table;

/// The default largest request body a resource route accepts (the Lambda Function URL payload limit);
/// [`AppBuilder::max_request_body`] changes it.
pub const MAX_REQUEST_BODY: usize = 6 * 1024 * 1024;

/// Header CloudFront's viewer-request function sets to the viewer's original path.
pub const ORIGINAL_URI_HEADER: &str = "x-facetheory-original-uri";

/// `x-request-id`, parsed once (a header looked up by `&str` is parsed on every call).
static REQUEST_ID_HEADER: http::HeaderName = http::HeaderName::from_static("x-request-id");

/// A request id supplied by an adapter (e.g. the Lambda request context), used when no `x-request-id` header
/// is present. The app takes it out of the request's extensions (faces read it as
/// [`FaceContext::request_id`](crate::FaceContext::request_id) or in the request log's `lambda_request_id`).
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

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let routes: Vec<&str> = self.routes().map(|d| d.pattern).collect();
        f.debug_struct("App")
            .field("routes", &routes)
            .field("trailing_slash", &self.inner.trailing_slash)
            .finish_non_exhaustive()
    }
}

struct Inner {
    revalidate_secret: Option<String>,
    after_response: AfterResponse,
    sidecars: Option<SsrSidecars>,
    static_dirs: Vec<StaticDir>,
    table: Table,
    trailing_slash: TrailingSlash,
    not_found: Option<&'static RouteDescriptor>,
    scope: Arc<crate::state::AppScope>,
    max_request_body: usize,
    /// CSP default and client build for every page.
    page_defaults: crate::render::PageDefaults,
    /// Set by the first request: later ones are not cold starts.
    warm: std::sync::atomic::AtomicBool,
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
        self.inner.scope.isr.as_ref()
    }

    /// Work scheduled to run after responses are sent (stale-while-revalidate regenerations). Adapters other
    /// than the built-in server and Lambda runtime can `drain()` it where their platform needs it.
    pub fn after_response(&self) -> &AfterResponse {
        &self.inner.after_response
    }

    /// The user's routes (faces and resources) in precedence order.
    pub fn routes(&self) -> impl Iterator<Item = &'static RouteDescriptor> + '_ {
        self.inner.table.entries().iter().filter_map(|e| match e.endpoint {
            Endpoint::Route(d) => Some(d),
            Endpoint::Reserved(_) => None,
        })
    }

    /// The endpoints the framework answers itself, as configured (sidecars, SSG data, revalidation, static
    /// directories), in precedence order — what the deployment plan routes.
    pub fn reserved_endpoints(&self) -> impl Iterator<Item = ReservedEndpoint> + '_ {
        self.inner.table.entries().iter().filter_map(|e| match e.endpoint {
            Endpoint::Reserved(endpoint) => Some(ReservedEndpoint { pattern: e.pattern.to_string(), endpoint }),
            Endpoint::Route(_) => None,
        })
    }

    /// What a `GET` of `path` reaches (after a trailing-slash redirect), if anything.
    pub(crate) fn get_target(&self, path: &str) -> Option<Endpoint> {
        let resolved = match self.inner.table.resolve(path, self.inner.trailing_slash) {
            table::Resolution::Redirect(to) => return self.get_target(&to).filter(|_| to != path),
            table::Resolution::Found(group, _) => table::for_method(group, &http::Method::GET).ok()?.endpoint,
            table::Resolution::NotFound => return None,
        };
        Some(resolved)
    }

    /// Why the client build (`AppBuilder::vite`) cannot be used, if it is configured and cannot.
    pub fn client_build_problem(&self) -> Option<String> {
        self.inner.page_defaults.client.as_ref().and_then(|c| c.problem().map(str::to_string))
    }

    /// The not-found face (`faces/404.rs`), if the app has one.
    pub fn not_found_route(&self) -> Option<&'static RouteDescriptor> {
        self.inner.not_found
    }

    /// The trailing-slash policy in force.
    pub fn trailing_slash(&self) -> TrailingSlash {
        self.inner.trailing_slash
    }

    /// What the request path reads of a request. A plain function: its temporaries never live in the
    /// request's future, which every layer moves.
    fn request_info(&self, parts: http::request::Parts) -> Arc<RequestInfo> {
        let http::request::Parts { method, uri, headers, mut extensions, .. } = parts;
        // Taken out, not cloned: the id is logged beside the request id, which it often is too.
        let invocation = extensions.remove::<AdapterRequestId>().map(|a| a.0);
        let request_id = request_id(&headers, invocation.as_deref());
        let query = uri.query().unwrap_or("").to_string();
        // Shared with the URI, not copied; the edge's original URI is the one made path.
        let path = match original_uri(&method, uri.path(), &headers) {
            Some(original) => crate::request_path::RequestPath::from(original.to_string()),
            None => crate::request_path::RequestPath::of_uri(uri),
        };
        let scope = Arc::clone(&self.inner.scope);
        Arc::new(RequestInfo::built(method, path, query, headers, request_id, scope, extensions, invocation))
    }

    /// Handles one request. Never fails: errors become 404 / 405 / 500 responses. Every response carries
    /// `x-request-id`; HEAD responses carry the headers of GET and no body.
    pub async fn handle<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: RequestBody,
    {
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        let request = self.request_info(parts);
        // Handlers are guarded where they are called; this catches a panic anywhere else on the path.
        // Spans are debug-level and made only when a subscriber (OpenTelemetry, RUST_LOG=debug) can take them:
        // `debug_span!` alone builds a disabled span for the `log` crate (`tracing`'s `log` feature, which
        // lambda_runtime turns on) on every request.
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug_span!("facetheory.request", request_id = %request.request_id, method = %request.method, path = %request.path)
        } else {
            tracing::Span::none()
        };
        let (mut res, route) = match crate::unwind::catch_in(span, self.dispatch(&request, body)).await {
            Ok(answered) => answered,
            Err(panic) => {
                let err = format!("the request panicked: {panic}");
                request.report(crate::observe::Phase::Render, "panic", &err);
                (crate::response::internal_error("", "", request.request_id.as_str(), &err), "")
            }
        };
        if is_not_modified(&request, &res) {
            res = not_modified(res);
        }
        let headers = res.headers_mut();
        headers.insert(REQUEST_ID_HEADER.clone(), request.request_id.header_value());
        // Browsers must not guess a type other than the one sent (a JSON or text answer rendered as HTML).
        headers.entry(http::header::X_CONTENT_TYPE_OPTIONS).or_insert(NOSNIFF);
        if request.method == Method::HEAD {
            *res.body_mut() = Body::empty();
        }
        let cold_start = !self.inner.warm.swap(true, std::sync::atomic::Ordering::Relaxed);
        let status = res.status();
        let head = started.elapsed();
        if res.body().is_streaming() {
            // A streamed body goes on after the head: its request is logged when it ends, with both times.
            res.body_mut().on_end(move || {
                crate::observe::request_completed(&request, route, status, head, started.elapsed(), cold_start)
            });
        } else {
            crate::observe::request_completed(&request, route, status, head, head, cold_start);
        }
        res
    }
}

/// Built at compile time: `from_static` outside a constant checks every byte on each call.
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

/// The viewer's path as CloudFront's viewer-request function recorded it (`x-facetheory-original-uri`): on
/// origin-group failover the request reaching Lambda carries the S3 key shape (`/about/index.html`), and the
/// app must route the URL the viewer asked for.
///
/// The header is honoured only where it can only have come from that function: a GET or HEAD whose path is
/// exactly the function's rewrite of the header (`<uri>/index.html`, `<uri>.html`, `/index.html` for `/`).
/// Anything else — a viewer sending the header to another path, a POST, a value that is not a plain absolute
/// path — is ignored, so a request to one URL can never be routed as another.
fn original_uri<'h>(method: &Method, path: &str, headers: &'h http::HeaderMap) -> Option<&'h str> {
    static NAME: http::HeaderName = http::HeaderName::from_static(ORIGINAL_URI_HEADER);
    let value = headers.get(&NAME)?;
    let text = value.to_str().ok().filter(|v| {
        v.starts_with('/')
            && !v.starts_with("//")
            && v.len() <= 4096
            && v.bytes().all(|b| b > 0x20 && b < 0x7f && b != b'?' && b != b'#')
    });
    let Some(original) = text else {
        tracing::warn!(target: "facetheory::request", "ignoring an invalid {ORIGINAL_URI_HEADER} header");
        return None;
    };
    let read = *method == Method::GET || *method == Method::HEAD;
    (read && is_failover_rewrite(original, path)).then_some(original)
}

/// True when `path` is what the viewer-request function makes of `original` (either HTML layout).
fn is_failover_rewrite(original: &str, path: &str) -> bool {
    if original == "/" || original.is_empty() {
        return path == "/index.html";
    }
    let base = original.strip_suffix('/').unwrap_or(original);
    path.strip_prefix(base).is_some_and(|rest| rest == "/index.html" || rest == ".html")
}

/// True when a GET/HEAD carried `If-None-Match` naming the response's ETag (or `*`): the client's copy is
/// current.
fn is_not_modified(request: &RequestInfo, res: &Response<Body>) -> bool {
    if !(request.method == Method::GET || request.method == Method::HEAD)
        || res.status() != http::StatusCode::OK
        || !request.headers.contains_key(http::header::IF_NONE_MATCH)
    {
        return false;
    }
    let Some(etag) = res.headers().get(http::header::ETAG).and_then(|v| v.to_str().ok()) else { return false };
    let weakless = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let etag = weakless(etag);
    request
        .headers
        .get_all(http::header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .take(64)
        .any(|candidate| candidate.trim() == "*" || weakless(candidate) == etag)
}

/// `304 Not Modified` for a 200: the same validators and caching headers, no body.
fn not_modified(res: Response<Body>) -> Response<Body> {
    let (mut parts, _) = res.into_parts();
    parts.status = http::StatusCode::NOT_MODIFIED;
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::empty())
}

/// The request's id: a safe `x-request-id` header, else the adapter's id (the Lambda request id), else a fresh one.
fn request_id(headers: &http::HeaderMap, adapter: Option<&str>) -> RequestId {
    headers
        .get(&REQUEST_ID_HEADER)
        .and_then(RequestId::from_header)
        .or_else(|| adapter.and_then(RequestId::parse))
        .unwrap_or_else(RequestId::fresh)
}

impl<B> tower_service::Service<Request<B>> for App
where
    B: RequestBody,
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
