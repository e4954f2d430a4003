use facetheory::prelude::*;

use crate::layout;

/// `/secure`: a strict-CSP page rendered per request. Its JSON-LD block carries the request's nonce, and the
/// `content-security-policy` header allows exactly that nonce and same-origin files — no inline code.
#[face]
pub fn secure(ctx: &FaceContext) -> Result<Page> {
    Ok(layout::page(
        "Strict CSP",
        html! {
            h1 { "Strict Content-Security-Policy" }
            p { "This page runs no inline script or style. Request " code { (ctx.request_id()) } "." }
        },
    )
    .head(head::json_ld(&serde_json::json!({"@context": "https://schema.org", "@type": "WebPage", "name": "Strict CSP"}))?)
    .strict_csp())
}
