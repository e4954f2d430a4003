//! The AWS Lambda adapter: a Function URL handler in `RESPONSE_STREAM` mode on `lambda_runtime`, as
//! lambda_http's streaming handler is. The common payload 2.0 event is read straight into an `http::Request`
//! (`event`); any other goes through [`normalize_event`] and lambda_http's conversion (base64 bodies, the
//! `cookies` array, `rawPath` + `rawQueryString`, comma-joined headers). The app handles the request like any
//! other and the response is streamed back with its status, headers and cookies in the prelude (`stream`).

mod event;
mod json;
mod normalize;
mod stream;

pub use normalize::{normalize_event, normalize_event_in_full, InvalidEvent};

pub use lambda_http::lambda_runtime;
use serde_json::value::RawValue;

use crate::after_response::AfterResponse;
use crate::app::{AdapterRequestId, App};

/// Environment variables the Lambda runtime needs; `lambda_runtime` panics when one is missing, so they are
/// checked first and reported as an error.
const REQUIRED_ENV: &[&str] = &[
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
];

/// Adds what the app needs from the Lambda event to the request: the request context's `requestId` (used as
/// the request id when the event has no `x-request-id` header).
///
/// ```
/// let event = r#"{"version":"2.0","routeKey":"$default","rawPath":"/","rawQueryString":"","headers":{},
///   "requestContext":{"accountId":"anonymous","apiId":"x","domainName":"x.lambda-url.us-east-1.on.aws",
///   "domainPrefix":"x","http":{"method":"GET","path":"/","protocol":"HTTP/1.1","sourceIp":"127.0.0.1",
///   "userAgent":"t"},"requestId":"req-1","routeKey":"$default","stage":"$default","time":"01/Jan/2026:00:00:00 +0000",
///   "timeEpoch":0},"isBase64Encoded":false}"#;
/// let req = facetheory::lambda::prepare_request(lambda_http::request::from_str(event).unwrap());
/// assert_eq!(req.extensions().get::<facetheory::AdapterRequestId>().unwrap().0, "req-1");
/// ```
pub fn prepare_request(mut req: lambda_http::Request) -> lambda_http::Request {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    let id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    };
    if let Some(id) = id {
        req.extensions_mut().insert(AdapterRequestId(id));
    }
    req
}

/// The answer to an invalid event: `400 Bad Request`, the invocation's request id, the reason logged.
pub fn bad_request(reason: &InvalidEvent, request_id: &str) -> http::Response<crate::Body> {
    tracing::warn!(target: "facetheory::request", request_id, reason = %reason, "invalid Lambda event answered 400");
    let mut res = crate::response::plain(http::StatusCode::BAD_REQUEST, "Bad Request");
    if let Ok(v) = http::HeaderValue::from_str(request_id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res.headers_mut().remove(http::header::CONTENT_LENGTH);
    res.headers_mut().insert(http::header::X_CONTENT_TYPE_OPTIONS, http::HeaderValue::from_static("nosniff"));
    res
}

/// Why an invocation's event is not a request.
#[derive(Debug)]
pub enum EventError {
    /// A Function URL event whose URI cannot be built: answered `400`.
    Invalid(InvalidEvent),
    /// Not an HTTP event lambda_http knows: the invocation fails, as it would in lambda_http.
    Unreadable(lambda_http::Error),
}

/// The request an invocation's event stands for: the common Function URL event straight from its bytes (one
/// borrowed parse), anything else through [`normalize_event`] and lambda_http. Either way the request carries
/// the invocation's [`lambda_runtime::Context`], its X-Ray trace id as `x-amzn-trace-id`, and the event's
/// request id as [`AdapterRequestId`], as lambda_http would set them.
///
/// ```
/// let event = br#"{"version":"2.0","rawPath":"/a","rawQueryString":"q=1","headers":{"host":"x.on.aws"},
///   "requestContext":{"domainName":"x.on.aws","requestId":"r-1","http":{"method":"GET"}}}"#;
/// let ctx = facetheory::lambda::lambda_runtime::Context::default();
/// let req = facetheory::lambda::request_from_event(event, ctx).unwrap();
/// assert_eq!(req.uri().path_and_query().unwrap(), "/a?q=1");
/// ```
pub fn request_from_event(event: &[u8], context: lambda_runtime::Context) -> Result<lambda_http::Request, EventError> {
    from_source(event::Source::Borrowed(event), context)
}

/// [`request_from_event`] for an event the caller owns, as the runtime hands it over: the request's header
/// values are views of the event's buffer rather than copies (a real Function URL event has 10–20 headers).
///
/// ```
/// let event = bytes::Bytes::from_static(br#"{"version":"2.0","rawPath":"/a","headers":{"host":"x.on.aws","accept":"text/html"},
///   "requestContext":{"requestId":"r-1","http":{"method":"GET"}}}"#);
/// let ctx = facetheory::lambda::lambda_runtime::Context::default();
/// let req = facetheory::lambda::request_from_payload(event, ctx).unwrap();
/// assert_eq!(req.headers()["accept"], "text/html");
/// ```
pub fn request_from_payload(
    event: bytes::Bytes,
    context: lambda_runtime::Context,
) -> Result<lambda_http::Request, EventError> {
    from_source(event::Source::Shared(&event), context)
}

fn from_source(
    source: event::Source<'_>,
    context: lambda_runtime::Context,
) -> Result<lambda_http::Request, EventError> {
    let mut req = match event::fast_request(source) {
        Some(req) => req,
        None => full_request(source.bytes())?,
    };
    if let Some(trace) = context.xray_trace_id.as_deref().and_then(|t| http::HeaderValue::from_str(t).ok()) {
        req.headers_mut().insert(http::HeaderName::from_static("x-amzn-trace-id"), trace);
    }
    req.extensions_mut().insert(context);
    Ok(req)
}

/// The full path: [`normalize_event`], then lambda_http's parse.
fn full_request(event: &[u8]) -> Result<lambda_http::Request, EventError> {
    let normalized = match normalize_event(event) {
        Ok(None) => std::borrow::Cow::Borrowed(event),
        Ok(Some(bytes)) => std::borrow::Cow::Owned(bytes),
        Err((_, reason)) => return Err(EventError::Invalid(reason)),
    };
    let text = std::str::from_utf8(&normalized).map_err(|e| EventError::Unreadable(e.into()))?;
    let req = lambda_http::request::from_str(text).map_err(|e| EventError::Unreadable(e.into()))?;
    Ok(prepare_request(req))
}

/// Checks that the fast path, when it takes an event, builds the request the full path builds (method, URI,
/// headers, body, request id). For the differential tests and the fuzz target.
#[doc(hidden)]
pub fn fast_path_agrees(event: &[u8]) -> Result<bool, String> {
    let Some(fast) = event::fast_request(event::Source::Borrowed(event)) else { return Ok(false) };
    // The same request with header values shared with the event's buffer.
    let shared = event::fast_request(event::Source::Shared(&bytes::Bytes::copy_from_slice(event)));
    let shared_headers = shared.as_ref().map(|r| r.headers());
    if shared_headers != Some(fast.headers()) {
        return Err(format!("shared header values differ: {shared_headers:?} vs {:?}", fast.headers()));
    }
    let full = full_request(event).map_err(|e| format!("the full path refuses what the fast path took: {e:?}"))?;
    let id = |r: &lambda_http::Request| r.extensions().get::<AdapterRequestId>().map(|a| a.0.clone());
    let body = |r: &lambda_http::Request| r.body().as_ref().to_vec();
    let same = fast.method() == full.method()
        && fast.uri() == full.uri()
        && fast.headers() == full.headers()
        && body(&fast) == body(&full)
        && id(&fast) == id(&full);
    if !same {
        return Err(format!(
            "fast {} {} {:?} vs full {} {} {:?}",
            fast.method(),
            fast.uri(),
            fast.headers(),
            full.method(),
            full.uri(),
            full.headers()
        ));
    }
    Ok(true)
}

/// One invocation: its event's request through the app, content-length dropped (every Lambda response goes out
/// as a stream, and a content-length there breaks Function URL streaming).
pub async fn answer(
    app: &App,
    event: lambda_runtime::LambdaEvent<Box<RawValue>>,
) -> Result<http::Response<crate::Body>, lambda_http::Error> {
    let lambda_runtime::LambdaEvent { payload, context } = event;
    let id = context.request_id.clone();
    // The payload's own buffer, without a copy: the request's header values point into it.
    let payload: Box<str> = payload.into();
    let req = match request_from_payload(bytes::Bytes::from(payload.into_boxed_bytes()), context) {
        Ok(req) => req,
        Err(EventError::Invalid(reason)) => return Ok(bad_request(&reason, &id)),
        Err(EventError::Unreadable(e)) => return Err(e),
    };
    let mut res = app.handle(req).await;
    res.headers_mut().remove(http::header::CONTENT_LENGTH);
    Ok(res)
}

/// Runs the app as a streaming Lambda Function URL handler until the runtime stops.
pub async fn run(app: App) -> Result<(), lambda_http::Error> {
    let missing: Vec<&str> = REQUIRED_ENV.iter().copied().filter(|v| std::env::var_os(v).is_none()).collect();
    if !missing.is_empty() {
        return Err(
            format!("not running inside AWS Lambda: missing environment variable(s) {}", missing.join(", ")).into()
        );
    }
    let after = app.after_response().clone();
    let handler = lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Box<RawValue>>| {
        let app = app.clone();
        async move { answer(&app, event).await.map(stream::into_stream_response) }
    });
    lambda_runtime::Runtime::new(handler).layer(DrainAfterInvocation { after }).run().await
}

/// Wraps a whole invocation (handler, then streaming the response to the Runtime API): once the response stream
/// has closed, waits for after-response work (stale-while-revalidate regenerations) before the runtime asks for
/// the next event — Lambda freezes the environment as soon as it does.
struct DrainAfterInvocation {
    after: AfterResponse,
}

impl<S> lambda_http::tower::Layer<S> for DrainAfterInvocation {
    type Service = DrainService<S>;
    fn layer(&self, inner: S) -> DrainService<S> {
        DrainService { inner, after: self.after.clone() }
    }
}

struct DrainService<S> {
    inner: S,
    after: AfterResponse,
}

impl<S> lambda_http::tower::Service<lambda_runtime::LambdaInvocation> for DrainService<S>
where
    S: lambda_http::tower::Service<lambda_runtime::LambdaInvocation, Response = (), Error = lambda_http::Error>,
    S::Future: 'static,
{
    type Response = ();
    type Error = lambda_http::Error;
    // The runtime's own invocation future is not `Send`; the sequential runtime does not need it to be.
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), lambda_http::Error>>>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, invocation: lambda_runtime::LambdaInvocation) -> Self::Future {
        let sent = self.inner.call(invocation);
        let after = self.after.clone();
        Box::pin(async move {
            let result = sent.await;
            after.drain().await;
            result
        })
    }
}
