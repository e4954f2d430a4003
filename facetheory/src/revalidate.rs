//! `POST /_facetheory/revalidate`: on-demand ISR revalidation over HTTP, for CMS webhooks and deploy scripts.
//!
//! Exists only when the app has a secret ([`crate::AppBuilder::revalidate_secret`] or
//! `FACETHEORY_REVALIDATE_SECRET`). The request carries `authorization: Bearer <secret>` and a JSON body
//! `{"tags": [...], "paths": [...]}`; the answer is `{"revalidated": <pages marked stale>}`.

use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Method, Response, StatusCode};
use serde::Deserialize;

use crate::body::{Body, RequestBody};
use crate::context::RequestInfo;
use crate::isr::{IsrRuntime, RevalidateError};
use crate::response::json;
use crate::secret::constant_time_eq;

/// The route.
pub(crate) const REVALIDATE_PATH: &str = "/_facetheory/revalidate";
/// Shortest accepted secret.
pub(crate) const MIN_SECRET_LEN: usize = 16;
/// Most tags plus paths in one call.
pub(crate) const MAX_ITEMS: usize = 128;
const MAX_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response<Body> {
    json(status, &serde_json::json!({ "error": message.into() }))
}

pub(crate) async fn respond<B>(
    isr: Option<&IsrRuntime>,
    secret: &str,
    request: &Arc<RequestInfo>,
    body: B,
) -> Response<Body>
where
    B: RequestBody,
{
    if request.method != Method::POST {
        let mut r = error(StatusCode::METHOD_NOT_ALLOWED, "use POST");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let presented = request
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(presented.trim().as_bytes(), secret.as_bytes()) {
        tracing::warn!(request_id = %request.request_id, "revalidation refused: missing or wrong bearer secret");
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer secret");
    }
    let bytes: Bytes = match crate::body::collect_body(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return error(StatusCode::PAYLOAD_TOO_LARGE, format!("body over {MAX_BODY} bytes or unreadable")),
    };
    let req: Request = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("expected {{\"tags\": [..], \"paths\": [..]}}: {e}")),
    };
    if req.tags.is_empty() && req.paths.is_empty() {
        return error(StatusCode::BAD_REQUEST, "nothing to revalidate: give `tags` and/or `paths`");
    }
    if req.tags.len() + req.paths.len() > MAX_ITEMS {
        return error(StatusCode::BAD_REQUEST, format!("at most {MAX_ITEMS} tags and paths per call"));
    }
    let Some(isr) = isr else {
        return error(StatusCode::CONFLICT, "this app has no ISR pages");
    };
    match isr.revalidate(&req.tags, &req.paths).await {
        Ok(marked) => json(StatusCode::OK, &serde_json::json!({ "revalidated": marked })),
        Err(RevalidateError::Invalid(problem)) => error(StatusCode::BAD_REQUEST, problem),
        Err(RevalidateError::Store(e)) => {
            tracing::error!(error = %e, "revalidation failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "the ISR metadata store failed; retry")
        }
    }
}
