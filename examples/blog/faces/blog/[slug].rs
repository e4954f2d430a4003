use facetheory::prelude::*;

use crate::{layout, posts};

/// `/blog/<slug>` (inferred from `faces/blog/[slug].rs`). `slug` arrives percent-decoded.
#[face]
pub async fn post(slug: String, ctx: &FaceContext) -> Result<Page> {
    let post = posts::find(&slug).ok_or_else(Error::not_found)?;
    Ok(layout::page(
        post.title,
        html! {
            article {
                h1 { (post.title) }
                @for para in post.body { p { (para) } }
            }
            p.meta { small { "raw slug: " code { (ctx.raw_param("slug").unwrap_or_default()) } } }
        },
    )
    .head(head::meta("description", post.summary))
    .head(head::json_ld(&serde_json_ld(post.title))?))
}

/// `/blog/new` beats `/blog/<slug>` whatever the declaration order.
#[face(route = "/blog/new")]
pub fn new_post() -> Page {
    layout::page("New post", html! { h1 { "Write a new post" } p { "(Static routes win over parameters.)" } })
}

fn serde_json_ld(title: &str) -> impl serde::Serialize + '_ {
    #[derive(serde::Serialize)]
    struct Article<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@type")]
        kind: &'static str,
        headline: &'a str,
    }
    Article { context: "https://schema.org", kind: "BlogPosting", headline: title }
}
