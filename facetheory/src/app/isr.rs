//! ISR faces on the request path: the engine serves from its cache or calls back into the render step with
//! the generation to render; requests carrying the hydration sidecar parameter get the sidecar (or 404).

use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Response};

use super::App;
use crate::body::Body;
use crate::cache_control;
use crate::context::{FaceContext, RequestInfo};
use crate::face::{FaceRoute, RouteDescriptor};
use crate::hydration::HYDRATION_PARAM;
use crate::isr::{Generation, IsrOutcome, IsrRuntime};
use crate::render::{render, MissingEntries, RenderPlan};
use crate::response::{json_bytes, not_found_no_store};
use crate::unwind;

impl App {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn isr_face(
        &self,
        isr: &IsrRuntime,
        face: &FaceRoute,
        desc: &'static RouteDescriptor,
        revalidate: u64,
        face_tags: &'static [&'static str],
        query: &'static [&'static str],
        ctx: FaceContext,
        request: &Arc<RequestInfo>,
    ) -> Response<Body> {
        let sidecar = {
            let mut params = ctx.query().get_all(HYDRATION_PARAM);
            params.next().map(|first| (first.to_string(), params.next().is_none() && !first.is_empty()))
        };
        if let Some((encoded, once)) = sidecar {
            let ctx = ctx.with_query_only(query);
            let found = if once { isr.hydration(&ctx, desc.pattern, &encoded).await } else { None };
            return sidecar_response(found);
        }
        // The page is cached per path and the listed query parameters only; it sees no others.
        let ctx = ctx.with_query_only(query);
        let face_render = face.render;
        let render_request = Arc::clone(&ctx.request);
        let render_ctx = ctx.clone();
        let app = Arc::clone(&self.inner);
        let regenerate = move |generation: Generation| async move {
            let started = std::time::Instant::now();
            let span = tracing::debug_span!("facetheory.render", route = desc.pattern);
            let page = tracing::Instrument::instrument(unwind::call(face_render(render_ctx)), span).await?;
            let sidecar_param = generation.hydration_param();
            let plan = RenderPlan::isr(&sidecar_param).with_defaults(&app.page_defaults, MissingEntries::Warn);
            let rendered = render(page, plan, &render_request, desc.pattern).await?;
            let mut page = rendered.buffered().await;
            crate::isr::keep_shareable_headers(&mut page.headers);
            let page_tags = std::mem::take(&mut page.tags);
            page.tags = face_tags.iter().map(|t| t.to_string()).chain(page_tags).collect();
            render_request.recorder().note(|f| f.render = Some(started.elapsed()));
            Ok(page)
        };
        let span = tracing::debug_span!("facetheory.isr.serve", route = desc.pattern);
        match tracing::Instrument::instrument(isr.serve(&ctx, desc.pattern, revalidate, regenerate), span).await {
            Ok(IsrOutcome::Served { state, page, background, .. }) => {
                request.recorder().note(|f| f.isr_state = Some(state));
                // The engine completed the headers (length, freshness, state, ETag).
                let mut r = page.into_served_response();
                if let Some(work) = background {
                    self.inner.after_response.schedule(r.body_mut(), work.0);
                }
                r
            }
            Ok(IsrOutcome::Uncached(page)) => {
                let mut r = page.into_response();
                r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control::SSR));
                r
            }
            Err(e) => self.error_response(e, crate::observe::Phase::Render, desc, request).await,
        }
    }
}

fn sidecar_response(found: Option<(Bytes, Option<String>)>) -> Response<Body> {
    let Some((body, etag)) = found else { return not_found_no_store() };
    let mut r = json_bytes(http::StatusCode::OK, body, cache_control::NO_STORE);
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}
