use facetheory::prelude::*;

/// `/` (inferred from the file name `faces/index.rs`).
#[face]
pub fn home(ctx: &FaceContext) -> Page {
    let name = ctx.query().get("name").unwrap_or("world");
    Page::new(html! {
        main {
            h1 { "Hello, " (name) "!" }
            p { "Served by facetheory." }
        }
    })
    .title("Hello")
    .head(head::charset("utf-8"))
}
