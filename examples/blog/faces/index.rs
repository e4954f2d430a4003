use facetheory::prelude::*;

use crate::{layout, posts::POSTS};

/// `/`: the list of posts.
#[face]
pub fn home() -> Page {
    layout::page(
        "Home",
        html! {
            h1 { "facetheory blog" }
            ul.posts {
                @for post in POSTS {
                    li {
                        a href={ "/blog/" (facetheory::escape::escape_html(post.slug)) } { (post.title) }
                        " — " (post.summary)
                    }
                }
            }
        },
    )
    .head(head::meta("description", "The facetheory example blog"))
}
