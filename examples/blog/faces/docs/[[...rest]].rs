use facetheory::prelude::*;

use crate::layout;

/// `/docs/<rest*>`: `/docs`, `/docs/a`, `/docs/a/b`… `rest` is empty for `/docs`.
#[face]
pub fn docs(rest: Vec<String>) -> Page {
    let here = if rest.is_empty() { "index".to_string() } else { rest.join(" / ") };
    layout::page(
        "Docs",
        html! {
            h1 { "Docs" }
            p { "You are reading: " strong.doc-path { (here) } }
            @if !rest.is_empty() { p { "Segments: " (rest.len()) } }
        },
    )
}
