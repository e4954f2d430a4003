use facetheory::prelude::*;

use crate::islands::{self, CounterData};
use crate::layout;

/// `/secure`: a strict-CSP page rendered per request. Its JSON-LD block carries the request's nonce, and the
/// `content-security-policy` header allows exactly that nonce and same-origin files — no inline code.
/// Its counter island hydrates from typed data that a strict page may not inline: the runtime stores it as a
/// signed SSR sidecar and the page points at `/_facetheory/ssr-data/<token>`.
#[face]
pub fn secure(ctx: &FaceContext) -> Result<Page<CounterData>> {
    let page = layout::page(
        "Strict CSP",
        html! {
            h1 { "Strict Content-Security-Policy" }
            p { "This page runs no inline script or style. Request " code { (ctx.request_id()) } "." }
            button.counter type="button" { "Clicks: 10" }
        },
    )
    .head(head::json_ld(&serde_json::json!({"@context": "https://schema.org", "@type": "WebPage", "name": "Strict CSP"}))?)
    .strict_csp();
    let data = CounterData { start: 10, step: 5, label: "Clicks".into() };
    Ok(match islands::island("src/counter.ts") {
        Some(island) => page.head_tags(island.head_tags).hydrate(data, island.bootstrap_module),
        None => page.hydrate(data, ""),
    })
}
