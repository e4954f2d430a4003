use facetheory::prelude::*;

use crate::payloads::{CounterData, HomeData, PostSummary};
use crate::layout;
use crate::posts::Posts;

/// `/`: the list of posts, filtered by `?q=` (case-insensitive, on titles); the `theme` cookie picks the
/// colour scheme. Two islands, each with its own typed payload, inline in the page: the search filters as you
/// type, a counter counts visits.
#[face]
pub fn home(posts: &State<Posts>, ctx: &FaceContext) -> Page {
    let q = ctx.query().get("q").unwrap_or("").to_lowercase();
    let theme = match ctx.cookie("theme") {
        Some("dark") => "dark",
        _ => "light",
    };
    let search = Island::new(
        "src/search.ts",
        HomeData {
            posts: posts.all()
                .iter()
                .map(|p| PostSummary { slug: p.slug.into(), title: p.title.into(), summary: p.summary.into() })
                .collect(),
        },
    );
    let visits = Island::new("src/counter.ts", CounterData { start: 0, step: 1, label: "Visits".into() });
    layout::page(
        "Home",
        html! {
            h1 { "facetheory blog" }
            (search.mount(html! {
                form action="/" method="get" { input type="search" name="q" value=(q) placeholder="Filter posts"; }
                ul.posts {
                    @for post in posts.all().iter().filter(|p| p.title.to_lowercase().contains(&q)) {
                        li {
                            a href=(crate::faces::paths::post(post.slug)) { (post.title) }
                            " — " (post.summary)
                        }
                    }
                }
            }))
            (visits.mount(html! { button.counter type="button" { "Visits: 0" } }))
        },
    )
    .description("The facetheory example blog")
    .body_attr("data-theme", theme)
    .island(search)
    .island(visits)
}
