//! The shared page shell.

use facetheory::{head, html, Markup, Page};

/// Wraps content in the site's header and footer and sets the common head tags.
pub fn page(title: &str, content: Markup) -> Page {
    Page::new(html! {
        header {
            nav {
                a href="/" { "Home" } " · "
                a href="/about" { "About" } " · "
                a href="/docs" { "Docs" } " · "
                a href="/api/posts" { "API" }
            }
        }
        main { (content) }
        footer { p { "An example facetheory site." } }
    })
    .title(format!("{title} · facetheory blog"))
    .head(head::charset("utf-8"))
    .head(head::meta("viewport", "width=device-width, initial-scale=1"))
}
