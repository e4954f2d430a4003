//! From a matched table entry to a response: resources, faces (through the render step), reserved endpoints,
//! and the 404 / redirect / 500 answers.

use std::sync::Arc;

use http::{header, Method, Response, StatusCode};

use super::table::{for_method, Endpoint, Resolution};
use super::App;
use crate::body::{collect_body, Body, RequestBody};
use crate::context::{FaceContext, RequestInfo};
use crate::error::{Error, ErrorKind};
use crate::face::{FaceMode, FaceRoute, MethodSet, ResourceRoute, RouteDescriptor, RouteKind};
use crate::observe::Phase;
use crate::page::ErasedPage;
use crate::render::{render, MissingEntries, RenderPlan};
use crate::resource::ResourceResponse;
use crate::response::{internal_error, plain, redirect};
use crate::unwind;

impl App {
    /// Routes a request and answers it; also returns the matched route pattern (`""` when none) for the log.
    pub(super) async fn dispatch<B>(&self, request: &Arc<RequestInfo>, body: B) -> (Response<Body>, &'static str)
    where
        B: RequestBody,
    {
        let resolved = {
            // As the request's span: made only when a subscriber can take it.
            let _match =
                tracing::enabled!(tracing::Level::DEBUG).then(|| tracing::debug_span!("facetheory.match").entered());
            self.inner.table.resolve(&request.path, self.inner.trailing_slash)
        };
        let (group, found) = match resolved {
            Resolution::NotFound => return (self.not_found(request).await, ""),
            Resolution::Redirect(target) => {
                let location =
                    if request.raw_query.is_empty() { target } else { format!("{target}?{}", request.raw_query) };
                return (redirect(StatusCode::PERMANENT_REDIRECT, &location, "Permanent Redirect"), "");
            }
            Resolution::Found(group, found) => (group, found),
        };
        let entry = match for_method(group, &request.method) {
            Ok(entry) => entry,
            Err(allowed) => return (method_not_allowed(allowed), group[0].route_pattern()),
        };
        match entry.endpoint {
            // A framework endpoint's one parameter is its trailing catch-all.
            Endpoint::Reserved(endpoint) => {
                let rest = if entry.params.is_empty() { "" } else { found.capture(0).unwrap_or("") };
                (self.reserved(endpoint, request, rest, body).await, "")
            }
            Endpoint::Route(desc) => {
                let params = entry.captures(&found);
                request.recorder().note(|f| {
                    f.route = desc.pattern;
                    f.mode = desc.mode();
                });
                let ctx = FaceContext::new(Arc::clone(request), desc.pattern, params);
                let res = match &desc.kind {
                    RouteKind::Resource(resource) => self.resource(resource, desc, ctx, body).await,
                    RouteKind::Face(face) => self.face(face, desc, ctx, request).await,
                };
                (res, desc.pattern)
            }
        }
    }

    async fn resource<B>(
        &self,
        resource: &ResourceRoute,
        desc: &'static RouteDescriptor,
        mut ctx: FaceContext,
        body: B,
    ) -> Response<Body>
    where
        B: RequestBody,
    {
        let methods = desc.methods();
        if !methods.contains_name(ctx.method().as_str()) {
            return method_not_allowed(methods);
        }
        let limit = self.inner.max_request_body;
        match collect_body(body, limit).await {
            Ok(bytes) => ctx.body = bytes,
            Err(status) if status == StatusCode::PAYLOAD_TOO_LARGE => {
                let message = format!("the request body is larger than the {limit}-byte limit");
                return crate::response::client_error(status, &message);
            }
            Err(status) => return crate::response::client_error(status, "the request body could not be read"),
        }
        let request = Arc::clone(&ctx.request);
        match unwind::call((resource.handler)(ctx)).await {
            Ok(r) => match r.invalid.clone() {
                None => resource_response(r),
                Some(problem) => {
                    request.report(Phase::Resource, "invalid_response", &problem);
                    internal_error(desc.pattern, desc.name, request.request_id.as_str(), &problem)
                }
            },
            Err(e) => self.error_response(e, Phase::Resource, desc, &request).await,
        }
    }

    async fn face(
        &self,
        face: &FaceRoute,
        desc: &'static RouteDescriptor,
        ctx: FaceContext,
        request: &Arc<RequestInfo>,
    ) -> Response<Body> {
        if request.method != Method::GET && request.method != Method::HEAD {
            return method_not_allowed(desc.methods());
        }
        if let (FaceMode::Isr { revalidate, tags, query, .. }, Some(isr)) = (face.mode, &self.inner.scope.isr) {
            // Boxed: the ISR path's state would otherwise make every SSR request's future larger.
            return Box::pin(self.isr_face(isr, face, desc, revalidate.get(), tags, query, ctx, request)).await;
        }
        let status = face.not_found.then_some(StatusCode::NOT_FOUND);
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug_span!("facetheory.render", route = desc.pattern)
        } else {
            tracing::Span::none()
        };
        let rendered = unwind::call_in(span, (face.render)(ctx));
        let res = match rendered.await {
            Ok(page) => self.page_response(page, face, desc, request, status).await,
            Err(e) => self.error_response(e, Phase::Render, desc, request).await,
        };
        request.recorder().note(|f| f.rendered_inline = true);
        res
    }

    /// A face's page rendered as the face's mode serves requests.
    async fn page_response(
        &self,
        page: ErasedPage,
        face: &FaceRoute,
        desc: &'static RouteDescriptor,
        request: &Arc<RequestInfo>,
        status: Option<StatusCode>,
    ) -> Response<Body> {
        let plan = RenderPlan::on_request(&face.mode, self.inner.sidecars.as_ref())
            .with_defaults(&self.inner.page_defaults, MissingEntries::Warn)
            .with_status(status);
        match render(page, plan, request, desc.pattern).await {
            Ok(rendered) => {
                if rendered.body.is_streaming() {
                    request.recorder().note(|f| f.streamed = true);
                }
                rendered.into_response()
            }
            Err(e) => {
                let (phase, class) = e.phase_and_class();
                request.report(phase, class, &e);
                internal_error(desc.pattern, desc.name, request.request_id.as_str(), &e)
            }
        }
    }

    /// A face or resource error as a response: 404 (the not-found page), a redirect, or the 500 page.
    pub(super) async fn error_response(
        &self,
        err: Error,
        phase: Phase,
        desc: &'static RouteDescriptor,
        request: &Arc<RequestInfo>,
    ) -> Response<Body> {
        match err.kind() {
            ErrorKind::NotFound => self.not_found(request).await,
            ErrorKind::Redirect { status, location } => redirect(*status, location, ""),
            ErrorKind::Client { status, message } => {
                request.recorder().note(|f| {
                    f.error.get_or_insert((phase, "client"));
                });
                crate::response::client_error(*status, message)
            }
            ErrorKind::Internal(_) => {
                request.report(phase, "internal", &err);
                internal_error(desc.pattern, desc.name, request.request_id.as_str(), &err)
            }
        }
    }

    /// 404: the not-found face when there is one (rendered with status 404), else plain `Not Found`.
    pub(super) fn not_found<'a>(&'a self, request: &'a Arc<RequestInfo>) -> BoxFuture404<'a> {
        Box::pin(async move {
            let Some((desc, face)) = self.inner.not_found.and_then(|d| d.face().map(|f| (d, f))) else {
                return plain(StatusCode::NOT_FOUND, "Not Found");
            };
            let ctx = FaceContext::new(Arc::clone(request), desc.pattern, Vec::new());
            match unwind::call((face.render)(ctx)).await {
                Ok(page) => self.page_response(page, face, desc, request, Some(StatusCode::NOT_FOUND)).await,
                Err(e) if e.is_not_found() => plain(StatusCode::NOT_FOUND, "Not Found"),
                Err(e) => {
                    request.report(Phase::Render, crate::observe::error_class(&e), &e);
                    internal_error(desc.pattern, desc.name, request.request_id.as_str(), &e)
                }
            }
        })
    }
}

/// The not-found page renders faces, which may themselves answer 404: boxed to break the recursion.
pub(super) type BoxFuture404<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Response<Body>> + Send + 'a>>;

/// `405 Method Not Allowed` with `allow` listing what the path answers.
fn method_not_allowed(allowed: MethodSet) -> Response<Body> {
    resource_response(ResourceResponse::method_not_allowed(&allowed.names()))
}

fn resource_response(r: ResourceResponse) -> Response<Body> {
    let mut headers = r.headers;
    headers.insert(header::CONTENT_LENGTH, crate::response::content_length(r.body.len()));
    if r.status == StatusCode::NO_CONTENT || r.status == StatusCode::NOT_MODIFIED {
        headers.remove(header::CONTENT_LENGTH);
    }
    let mut res = Response::new(Body::full(r.body));
    *res.status_mut() = r.status;
    *res.headers_mut() = headers;
    res
}
