use facetheory::prelude::*;

use crate::payloads::CounterData;
use crate::layout;

/// `/secure`: a strict-CSP page rendered per request. Its JSON-LD block carries the request's nonce, and the
/// `content-security-policy` header allows exactly that nonce and same-origin files — no inline code.
/// Its two counter islands hydrate from typed data that a strict page may not inline: the runtime stores both
/// payloads as one signed SSR sidecar and the page points at `/_facetheory/ssr-data/<token>`.
#[face]
pub fn secure(ctx: &FaceContext) -> Result<Page> {
    let clicks = Island::new("src/counter.ts", CounterData { start: 10, step: 5, label: "Clicks".into() });
    let score = Island::new("src/counter.ts", CounterData { start: 100, step: -10, label: "Score".into() }).id("score");
    Ok(layout::page(
        "Strict CSP",
        html! {
            h1 { "Strict Content-Security-Policy" }
            p { "This page runs no inline script or style. Request " code { (ctx.request_id()) } "." }
            (clicks.mount(html! { button.counter type="button" { "Clicks: 10" } }))
            (score.mount(html! { button.counter type="button" { "Score: 100" } }))
        },
    )
    .json_ld(&serde_json::json!({"@context": "https://schema.org", "@type": "WebPage", "name": "Strict CSP"}))
    .strict_csp()
    .island(clicks)
    .island(score))
}
