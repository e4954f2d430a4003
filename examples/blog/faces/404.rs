use facetheory::prelude::*;

use crate::layout;

/// `/404`: renders every not-found response (status 404).
#[face]
pub fn not_found(ctx: &FaceContext) -> Page {
    layout::page(
        "Not found",
        html! {
            h1 { "Page not found" }
            p { "Nothing lives at " code { (ctx.path()) } "." }
        },
    )
}
