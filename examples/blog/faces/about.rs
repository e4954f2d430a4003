use facetheory::prelude::*;

use crate::layout;

/// `/about`, pre-rendered at build time (`mode = "ssg"`; served like SSR by `serve`). Strict CSP: as a cached
/// page it allows its JSON-LD by hash, not by a per-request nonce.
#[face(mode = "ssg")]
pub fn about() -> Result<Page> {
    Ok(layout::page(
        "About",
        html! {
            h1 { "About" }
            p { "This blog shows facetheory's routing, pages and resources." }
        },
    )
    .head_tags(head::open_graph(&head::OpenGraph {
        title: Some("About the facetheory blog".into()),
        kind: Some("website".into()),
        ..Default::default()
    }))
    .head(head::json_ld(&serde_json::json!({"@context": "https://schema.org", "@type": "AboutPage"}))?)
    .strict_csp())
}
