use facetheory::prelude::*;

use crate::payloads::CounterData;
use crate::layout;

/// `/about`, pre-rendered at build time (`mode = "ssg"`; served like SSR by `serve`). Strict CSP: as a cached
/// page it allows its JSON-LD by hash, not by a per-request nonce, and its counter island's data goes to the
/// static sidecar `/_facetheory/data/about.json` (written by `build`, rendered on demand by `serve`).
#[face(mode = "ssg")]
pub fn about() -> Result<Page> {
    let stars = Island::new("src/counter.ts", CounterData { start: 42, step: 1, label: "Stars".into() });
    Ok(layout::page(
        "About",
        html! {
            h1 { "About" }
            p { "This blog shows facetheory's routing, pages and resources." }
            (stars.mount(html! { button.counter type="button" { "Stars: 42" } }))
        },
    )
    .open_graph(&head::OpenGraph {
        title: Some("About the facetheory blog".into()),
        kind: Some("website".into()),
        ..Default::default()
    })
    .json_ld(&serde_json::json!({"@context": "https://schema.org", "@type": "AboutPage"}))
    .strict_csp()
    .island(stars))
}
