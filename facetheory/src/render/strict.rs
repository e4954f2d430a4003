//! Strict-CSP pages in the render step: choosing nonce or hashes, checking the head and the whole document,
//! and checking a streamed strict body chunk by chunk as it leaves.

use http::HeaderValue;

use super::ScriptSources;
use crate::context::RequestInfo;
use crate::csp::{
    apply_nonce, build_strict_csp_header, validate_document, validate_head, CspError, CspPolicy, CspSources,
};
use crate::document::DOCUMENT_END;
use crate::head::HeadTag;
use crate::page::{MarkupStream, PageParts};

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
    // Tags this step edits (nonces) and checks: compact items become the tags they stand for.
    let mut head = parts.head.take_tags();
    let result = prepare_tags(&mut head, parts, hydration_tags, policy, scripts, request, own_csp);
    parts.head.put_tags(head);
    result
}

fn prepare_tags(
    head: &mut [HeadTag],
    parts: &PageParts,
    hydration_tags: &mut [HeadTag],
    policy: &CspPolicy,
    scripts: ScriptSources,
    request: &RequestInfo,
    own_csp: bool,
) -> Result<(CspSources, Option<HeaderValue>), CspError> {
    let sources = match scripts {
        ScriptSources::Hashes => {
            let bodies = head.iter().filter_map(|t| match t {
                HeadTag::Script { body, .. } if !body.is_empty() => Some(body.as_str()),
                _ => None,
            });
            CspSources::hashes(bodies)
        }
        ScriptSources::Nonce => {
            let nonce = request.csp_nonce();
            apply_nonce(head, nonce);
            apply_nonce(hydration_tags, nonce);
            CspSources::nonce(nonce)
        }
    };
    let all: Vec<&HeadTag> = head.iter().chain(hydration_tags.iter()).collect();
    validate_head(&all, policy, &sources)?;
    if own_csp {
        return Ok((sources, None));
    }
    let extra: Vec<(&str, Vec<&str>)> = parts
        .more()
        .into_iter()
        .flat_map(|m| &m.csp_directives)
        .map(|(n, v)| (n.as_str(), v.iter().map(String::as_str).collect()))
        .collect();
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

/// Checks the start of a streamed strict document (head and first chunk).
pub(super) fn validate_fragment(html: &str, policy: &CspPolicy, sources: &CspSources) -> Result<(), CspError> {
    crate::csp::validate_fragment(html, policy, sources)
}

/// Checks each later chunk before it is sent: a chunk that fails ends the document with the stream-error
/// marker (the response has started), and is never sent.
pub(super) fn checked(chunks: MarkupStream, policy: CspPolicy, sources: CspSources) -> MarkupStream {
    Box::pin(futures_util::StreamExt::map(chunks, move |chunk| {
        let markup = chunk?;
        crate::csp::validate_fragment(&markup.0, &policy, &sources)
            .map_err(|e| crate::Error::msg(format!("strict CSP: a streamed chunk was refused: {}", e.0)))?;
        Ok(markup)
    }))
}
