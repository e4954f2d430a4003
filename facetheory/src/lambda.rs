//! The AWS Lambda adapter: a Function URL handler in `RESPONSE_STREAM` mode through
//! `lambda_http::run_with_streaming_response`. lambda_http turns the payload 2.0 event (base64 bodies, the
//! `cookies` array, `rawPath` + `rawQueryString`, comma-joined headers) into an `http::Request`; the app handles
//! it like any other request and the response is streamed back with its status, headers and cookies in the
//! prelude.

use std::convert::Infallible;

use lambda_http::lambda_runtime;

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

/// Runs the app as a streaming Lambda Function URL handler until the runtime stops.
pub async fn run(app: App) -> Result<(), lambda_http::Error> {
    let missing: Vec<&str> = REQUIRED_ENV.iter().copied().filter(|v| std::env::var_os(v).is_none()).collect();
    if !missing.is_empty() {
        return Err(
            format!("not running inside AWS Lambda: missing environment variable(s) {}", missing.join(", ")).into()
        );
    }
    let after = app.after_response().clone();
    let handler = lambda_http::service_fn(move |req: lambda_http::Request| {
        let app = app.clone();
        async move {
            let mut res = app.handle(prepare_request(req)).await;
            // Every Lambda response goes out as a stream; a content-length there breaks Function URL streaming.
            res.headers_mut().remove(http::header::CONTENT_LENGTH);
            Ok::<_, Infallible>(res)
        }
    });
    lambda_http::streaming_runtime(handler).layer(DrainAfterInvocation(after)).run().await
}

/// Wraps a whole invocation (handler, then streaming the response to the Runtime API): once the response stream
/// has closed, waits for after-response work (stale-while-revalidate regenerations) before the runtime asks
/// for the next event — Lambda freezes the environment as soon as it does.
struct DrainAfterInvocation(AfterResponse);

impl<S> lambda_http::tower::Layer<S> for DrainAfterInvocation {
    type Service = DrainService<S>;
    fn layer(&self, inner: S) -> DrainService<S> {
        DrainService { inner, after: self.0.clone() }
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
