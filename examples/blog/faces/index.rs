use facetheory::prelude::*;

use crate::{layout, posts::POSTS};

/// `/`: the list of posts, filtered by `?q=` (case-insensitive, on titles); the `theme` cookie picks the
/// colour scheme.
#[face]
pub fn home(ctx: &FaceContext) -> Page {
    let q = ctx.query().get("q").unwrap_or("").to_lowercase();
    let theme = match ctx.cookie("theme") {
        Some("dark") => "dark",
        _ => "light",
    };
    layout::page(
        "Home",
        html! {
            h1 { "facetheory blog" }
            form action="/" method="get" { input type="search" name="q" value=(q) placeholder="Filter posts"; }
            ul.posts {
                @for post in POSTS.iter().filter(|p| p.title.to_lowercase().contains(&q)) {
                    li {
                        a href={ "/blog/" (post.slug) } { (post.title) }
                        " — " (post.summary)
                    }
                }
            }
        },
    )
    .head(head::meta("description", "The facetheory example blog"))
    .body_attr("data-theme", theme)
}
