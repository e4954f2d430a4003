//! The AWS Lambda adapter: a Function URL handler in `RESPONSE_STREAM` mode on `lambda_runtime`, as
//! lambda_http's streaming handler is. The common payload 2.0 event is read straight into an `http::Request`
//! (`event`); any other goes through [`normalize_event`] and lambda_http's conversion (base64 bodies, the
//! `cookies` array, `rawPath` + `rawQueryString`, comma-joined headers). The app handles the request like any
//! other and the response is streamed back with its status, headers and cookies in the prelude (`stream`).

mod event;
mod stream;

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

/// Why an event cannot become a request: lambda_http would panic building its URI (the runtime then answers
/// 502 and logs a panic).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Lambda event does not form a valid request URI: {0}")]
pub struct InvalidEvent(pub String);

/// Normalises a Function URL event (payload 2.0) before lambda_http parses it, so that the app sees the request
/// the client sent, and refuses events lambda_http would panic on.
///
/// - The method is upper-cased (`get` would otherwise be an unknown extension method).
/// - Cookies in a `cookie` header are kept together with the `cookies` array (lambda_http would replace the
///   header with the array): header cookies first, then the array's, so the array wins for a repeated name.
/// - An empty `rawQueryString` is rebuilt from `queryStringParameters` when those are present (keys sorted;
///   AWS has already joined a repeated key's values with commas, so each key keeps one value).
/// - Then the URI lambda_http will build is checked the way it builds it: scheme from `x-forwarded-proto`, host
///   from the `host` header or `requestContext.domainName`, then `rawPath` and `rawQueryString`. An event that
///   fails is rewritten to a harmless one (path `/`, no query, host `localhost`) so that lambda_http can parse
///   it, and the reason is returned: the handler answers it `400`.
///
/// `Ok(None)`: pass the event on unchanged; `Ok(Some(bytes))`: pass these bytes instead.
///
/// ```
/// let event = br#"{"version":"2.0","rawPath":"/","rawQueryString":"q=a b","headers":{"host":"x.on.aws"}}"#;
/// let (fixed, reason) = facetheory::lambda::normalize_event(event).unwrap_err();
/// assert!(reason.0.contains("query"));
/// assert!(std::str::from_utf8(&fixed).unwrap().contains(r#""rawQueryString":"""#));
/// let lower = br#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"post"}}}"#;
/// let fixed = facetheory::lambda::normalize_event(lower).unwrap().expect("rewritten");
/// assert!(std::str::from_utf8(&fixed).unwrap().contains(r#""method":"POST""#));
/// ```
pub fn normalize_event(body: &[u8]) -> Result<Option<Vec<u8>>, (Vec<u8>, InvalidEvent)> {
    if needs_nothing(body) {
        return Ok(None);
    }
    normalize_event_in_full(body)
}

/// [`normalize_event`] without its fast path (the fuzz target checks that both always agree).
#[doc(hidden)]
pub fn normalize_event_in_full(body: &[u8]) -> Result<Option<Vec<u8>>, (Vec<u8>, InvalidEvent)> {
    // Not JSON, or not an HTTP event: lambda_http reports those itself, without panicking.
    let Ok(mut event) = serde_json::from_slice::<serde_json::Value>(body) else { return Ok(None) };
    if !event.is_object() {
        return Ok(None);
    }
    let changed = normalize(&mut event);
    match check_uri(&mut event) {
        Ok(()) if changed => Ok(Some(serde_json::to_vec(&event).unwrap_or_else(|_| body.to_vec()))),
        Ok(()) => Ok(None),
        Err(reason) => Err((serde_json::to_vec(&event).unwrap_or_else(|_| body.to_vec()), reason)),
    }
}

/// The method, cookie and query normalisations of [`normalize_event`]; true when something changed.
fn normalize(event: &mut serde_json::Value) -> bool {
    let mut changed = false;
    if let Some(method) = event.pointer_mut("/requestContext/http/method") {
        if let Some(m) = method.as_str().filter(|m| m.bytes().any(|b| b.is_ascii_lowercase())) {
            *method = m.to_ascii_uppercase().into();
            changed = true;
        }
    }
    let header_cookies = event.get_mut("headers").and_then(|h| h.as_object_mut()).and_then(|headers| {
        let name = headers.keys().find(|k| k.eq_ignore_ascii_case("cookie"))?.clone();
        headers.remove(&name)
    });
    if let Some(header) = header_cookies {
        let mut all: Vec<serde_json::Value> = header
            .as_str()
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| c.to_string().into())
            .collect();
        if let Some(array) = event.get("cookies").and_then(|c| c.as_array()) {
            all.extend(array.iter().cloned());
        }
        event["cookies"] = all.into();
        changed = true;
    }
    let raw_empty = event.get("rawQueryString").and_then(|q| q.as_str()).is_none_or(str::is_empty);
    let params = event.get("queryStringParameters").and_then(|p| p.as_object()).filter(|p| !p.is_empty());
    if let (true, Some(params)) = (raw_empty, params) {
        let mut pairs: Vec<(&String, &str)> = params.iter().filter_map(|(k, v)| v.as_str().map(|v| (k, v))).collect();
        pairs.sort();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        event["rawQueryString"] = query.finish().into();
        changed = true;
    }
    changed
}

/// Why lambda_http would fail (panic) building the URI of an event with these parts, if it would: the check of
/// [`normalize_event`], done the way lambda_http builds it.
fn uri_problem(
    raw_path: &str,
    stage: Option<&str>,
    host_header: Option<&str>,
    domain_name: Option<&str>,
    forwarded_proto: Option<&str>,
    query: &str,
) -> Option<String> {
    // As lambda_http does: a missing `rawPath` is empty, a stage other than `$default` prefixes it.
    let path = match stage {
        Some(stage) if stage != "$default" && std::env::var_os("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH").is_none() => {
            if raw_path.starts_with(&format!("/{stage}/")) {
                raw_path.to_string()
            } else {
                format!("/{stage}{raw_path}")
            }
        }
        _ => raw_path.to_string(),
    };
    // lambda_http reads the host header through `HeaderValue::to_str`, which refuses anything but visible ASCII,
    // and then falls back to the domain name: so must we.
    let host = host_header.filter(|h| http::HeaderValue::from_str(h).is_ok_and(|v| v.to_str().is_ok())).or(domain_name);
    let scheme = forwarded_proto.unwrap_or("https");
    // lambda_http: with a host, the whole URL; without, the path of `http://localhost<path>`; then `?<query>`.
    let base = match host {
        None => url::Url::parse(&format!("http://localhost{path}"))
            .map(|u| u.path().to_string())
            .map_err(|e| format!("path {path:?}: {e}")),
        Some(host) => url::Url::parse(&format!("{scheme}://{host}{path}"))
            .map(|u| u.to_string())
            .map_err(|e| format!("scheme {scheme:?}, host {host:?} or path {path:?}: {e}")),
    };
    match base {
        Err(problem) => Some(problem),
        Ok(base) => {
            let uri = if query.is_empty() { base } else { format!("{base}?{query}") };
            http::Uri::try_from(uri).err().map(|e| format!("query {query:?}: {e}"))
        }
    }
}

/// The fields [`normalize_event`] looks at, borrowed from the event's bytes: the common event (nothing to
/// change, a URI lambda_http can build) is recognised without building a JSON tree.
#[derive(serde::Deserialize)]
struct Probe<'a> {
    #[serde(rename = "rawPath", borrow, default)]
    raw_path: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "rawQueryString", borrow, default)]
    raw_query: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    headers: Option<std::collections::BTreeMap<std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>>>,
    #[serde(rename = "queryStringParameters", default)]
    query_parameters: Option<std::collections::BTreeMap<String, serde::de::IgnoredAny>>,
    #[serde(rename = "requestContext", borrow, default)]
    context: Option<ProbeContext<'a>>,
}

#[derive(serde::Deserialize)]
struct ProbeContext<'a> {
    #[serde(rename = "domainName", borrow, default)]
    domain_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    stage: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    http: Option<ProbeHttp<'a>>,
}

#[derive(serde::Deserialize)]
struct ProbeHttp<'a> {
    #[serde(borrow, default)]
    method: Option<std::borrow::Cow<'a, str>>,
}

/// True when the event certainly needs no change: every condition of [`normalize_event`] holds. Anything
/// unusual (a field of another type, duplicate keys, two spellings of one header) returns false and takes the
/// full path.
fn needs_nothing(body: &[u8]) -> bool {
    let Ok(probe) = serde_json::from_slice::<Probe<'_>>(body) else { return false };
    let empty = std::collections::BTreeMap::new();
    let headers = probe.headers.as_ref().unwrap_or(&empty);
    let one = |name: &str| {
        let mut found = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Ok(Some(v.as_ref())),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(()),
        }
    };
    let (Ok(host), Ok(proto), Ok(None)) = (one("host"), one("x-forwarded-proto"), one("cookie")) else { return false };
    let context = probe.context.as_ref();
    let method = context.and_then(|c| c.http.as_ref()).and_then(|h| h.method.as_deref());
    if method.is_some_and(|m| m.bytes().any(|b| b.is_ascii_lowercase())) {
        return false;
    }
    let query = probe.raw_query.as_deref().unwrap_or("");
    if query.is_empty() && probe.query_parameters.as_ref().is_some_and(|p| !p.is_empty()) {
        return false;
    }
    uri_problem(
        probe.raw_path.as_deref().unwrap_or(""),
        context.and_then(|c| c.stage.as_deref()),
        host,
        context.and_then(|c| c.domain_name.as_deref()),
        proto,
        query,
    )
    .is_none()
}

/// The URI check of [`normalize_event`]: on failure the event is rewritten in place and the reason returned.
fn check_uri(event: &mut serde_json::Value) -> Result<(), InvalidEvent> {
    let text = |v: &serde_json::Value, path: &[&str]| {
        let mut v = v;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str().map(str::to_string)
    };
    let header = |name: &str| {
        let headers = event.get("headers")?.as_object()?;
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str()).map(str::to_string)
    };
    let problem = uri_problem(
        &text(event, &["rawPath"]).unwrap_or_default(),
        text(event, &["requestContext", "stage"]).as_deref(),
        header("host").as_deref(),
        text(event, &["requestContext", "domainName"]).as_deref(),
        header("x-forwarded-proto").as_deref(),
        &text(event, &["rawQueryString"]).unwrap_or_default(),
    );
    let Some(problem) = problem else { return Ok(()) };
    event["rawPath"] = "/".into();
    event["rawQueryString"] = "".into();
    if let Some(headers) = event.get_mut("headers").and_then(|h| h.as_object_mut()) {
        headers.retain(|k, _| !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("x-forwarded-proto"));
        headers.insert("host".into(), "localhost".into());
    }
    if let Some(ctx) = event.get_mut("requestContext").and_then(|c| c.as_object_mut()) {
        ctx.insert("domainName".into(), "localhost".into());
        ctx.insert("stage".into(), "$default".into());
        if let Some(http) = ctx.get_mut("http").and_then(|h| h.as_object_mut()) {
            http.insert("path".into(), "/".into());
        }
    }
    Err(InvalidEvent(problem))
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
    let mut req = match event::fast_request(event) {
        Some(req) => req,
        None => full_request(event)?,
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
    let Some(fast) = event::fast_request(event) else { return Ok(false) };
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
    let req = match request_from_event(payload.get().as_bytes(), context) {
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
