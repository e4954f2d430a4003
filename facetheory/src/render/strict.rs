//! Strict-CSP pages in the render step: choosing nonce or hashes, checking the head and the whole document,
//! and collecting a streamed strict body (it cannot be checked until it is whole).

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, StatusCode};

use super::{RenderError, Rendered, ScriptSources};
use crate::body::Body;
use crate::context::RequestInfo;
use crate::csp::{
    apply_nonce, build_strict_csp_header, validate_document, validate_head, CspError, CspPolicy, CspSources,
};
use crate::document::DOCUMENT_END;
use crate::head::HeadTag;
use crate::page::{MarkupStream, PageParts};

/// Largest streamed body a strict page may collect for validation.
pub(crate) const MAX_STRICT_STREAM_BYTES: usize = 5 * 1024 * 1024;

const PAYLOAD_TOO_LARGE_HTML: &str = "<!doctype html><html lang=\"en\"><head><title>Payload Too Large</title></head><body><h1>Payload Too Large</h1><template data-facetheory-error=\"strict-csp-stream-body-too-large\"></template></body></html>";

/// Applies the nonce (or lists hashes), checks the head, and builds the header unless the page set its own.
pub(super) fn prepare(
    parts: &mut PageParts,
    hydration_tags: &mut [HeadTag],
    policy: &CspPolicy,
    scripts: ScriptSources,
    request: &RequestInfo,
    own_csp: bool,
) -> Result<(CspSources, Option<HeaderValue>), CspError> {
    if !policy.inline_scripts && hydration_tags.iter().any(crate::hydration::is_inline_data) {
        return Err(CspError(
            "a strict page cannot carry inline hydration data: enable SSR hydration sidecars (SSR pages) or use Page::hydrate_external".into(),
        ));
    }
    let sources = match scripts {
        ScriptSources::Hashes => {
            let bodies = parts.head.iter().filter_map(|t| match t {
                HeadTag::Script { body, .. } if !body.is_empty() => Some(body.as_str()),
                _ => None,
            });
            CspSources::hashes(bodies)
        }
        ScriptSources::Nonce => {
            let nonce = request.csp_nonce();
            apply_nonce(&mut parts.head, nonce);
            apply_nonce(hydration_tags, nonce);
            CspSources::nonce(nonce)
        }
    };
    let head: Vec<&HeadTag> = parts.head.iter().chain(hydration_tags.iter()).collect();
    validate_head(&head, policy, &sources)?;
    if own_csp {
        return Ok((sources, None));
    }
    let extra: Vec<(&str, Vec<&str>)> =
        parts.csp_directives.iter().map(|(n, v)| (n.as_str(), v.iter().map(String::as_str).collect())).collect();
    let extra: Vec<(&str, &[&str])> = extra.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let value = build_strict_csp_header(&sources, &extra)?;
    let value = HeaderValue::from_str(&value).map_err(|_| CspError("header value is not valid".into()))?;
    Ok((sources, Some(value)))
}

/// Checks a whole buffered document.
pub(super) fn validate(start: &str, body: &str, policy: &CspPolicy, sources: &CspSources) -> Result<(), CspError> {
    let doc = format!("{start}{body}{DOCUMENT_END}");
    validate_document(&doc, policy, sources)
}

/// Collects a strict streamed body (bounded) and checks it. `Ok(Err(page))` is the 413 page for a body over
/// [`MAX_STRICT_STREAM_BYTES`].
pub(super) async fn collect_stream(
    start: String,
    mut chunks: MarkupStream,
    policy: &CspPolicy,
    sources: &CspSources,
    route: &str,
    request_id: &str,
) -> Result<Result<String, Rendered>, RenderError> {
    let mut body = String::new();
    loop {
        let next = crate::unwind::catch(futures_util::StreamExt::next(&mut chunks)).await;
        let chunk = match next {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(panic) => Err(crate::Error::msg(format!("the stream panicked: {panic}"))),
        };
        body.push_str(&chunk.map_err(RenderError::Stream)?.into_string());
        if body.len() > MAX_STRICT_STREAM_BYTES {
            tracing::error!(route, request_id, "strict streamed body over {MAX_STRICT_STREAM_BYTES} bytes");
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            return Ok(Err(Rendered {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                headers,
                body: Body::full(Bytes::from_static(PAYLOAD_TOO_LARGE_HTML.as_bytes())),
                tags: Vec::new(),
                sidecar: None,
            }));
        }
    }
    let doc = format!("{start}{body}{DOCUMENT_END}");
    validate_document(&doc, policy, sources)?;
    Ok(Ok(doc))
}
