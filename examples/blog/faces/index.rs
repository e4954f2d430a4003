use facetheory::prelude::*;

use crate::islands::{self, HomeData, PostSummary};
use crate::layout;
use crate::posts::Posts;

/// `/`: the list of posts, filtered by `?q=` (case-insensitive, on titles); the `theme` cookie picks the
/// colour scheme. With the client built, the search island filters as you type, from typed hydration data.
#[face]
pub fn home(posts: &State<Posts>, ctx: &FaceContext) -> Page<HomeData> {
    let q = ctx.query().get("q").unwrap_or("").to_lowercase();
    let theme = match ctx.cookie("theme") {
        Some("dark") => "dark",
        _ => "light",
    };
    let page = layout::page(
        "Home",
        html! {
            h1 { "facetheory blog" }
            form action="/" method="get" { input type="search" name="q" value=(q) placeholder="Filter posts"; }
            ul.posts {
                @for post in posts.all().iter().filter(|p| p.title.to_lowercase().contains(&q)) {
                    li {
                        a href=(crate::faces::paths::post(post.slug)) { (post.title) }
                        " — " (post.summary)
                    }
                }
            }
        },
    )
    .head(head::meta("description", "The facetheory example blog"))
    .body_attr("data-theme", theme);
    let data = HomeData {
        posts: posts.all()
            .iter()
            .map(|p| PostSummary { slug: p.slug.into(), title: p.title.into(), summary: p.summary.into() })
            .collect(),
    };
    match islands::island("src/search.ts") {
        Some(island) => page.head_tags(island.head_tags).hydrate(data, island.bootstrap_module),
        // Without a client build the data still ships (an empty bootstrap emits no module script).
        None => page.hydrate(data, ""),
    }
}
