use facetheory::prelude::*;

use crate::layout;

/// `/about`, pre-rendered at build time (`mode = "ssg"`; served like SSR by `serve`).
#[face(mode = "ssg")]
pub fn about() -> Page {
    layout::page(
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
}
