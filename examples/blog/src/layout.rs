//! The shared page shell.

use std::sync::LazyLock;

use facetheory::{head, html, Markup, Page, PreEscaped, Render};

// Links are built by the typed path builders generated from the route table: a renamed or removed page is
// a compile error here, not a broken link.
use crate::faces::paths;

/// The site's header, `main` around the content, and footer.
pub fn frame(content: impl Render) -> Markup {
    html! {
        (nav())
        main { (content) }
        footer { p { "An example facetheory site." } }
    }
}

/// The common head tags, the title, and the site's stylesheet (the `src/site.ts` entry of the Vite build).
/// `head!` checks the tags when the site compiles and renders their literal text there.
pub fn dress<H>(page: Page<H>, title: &str) -> Page<H> {
    page.head(head! {
        meta charset="utf-8";
        title { (title) " · facetheory blog" }
        meta name="viewport" content="width=device-width, initial-scale=1";
    })
    .module("src/site.ts")
}

/// Wraps content in the site's frame and sets the common head tags.
pub fn page(title: &str, content: Markup) -> Page {
    dress(Page::new(frame(content)), title)
}

/// The same frame around a streamed body: the header goes out with the first chunk, each section as it is
/// produced, the footer last.
pub fn streamed<S>(title: &str, sections: S) -> Page
where
    S: futures_util::Stream<Item = facetheory::Result<Markup>> + Send + 'static,
{
    dress(Page::stream(sections).within(frame), title)
}

/// The navigation is the same on every page: rendered once, then written as it is (no per-request escaping or
/// allocation). Anything that varies per request (the current page, a user name) belongs in `frame` instead.
fn nav() -> PreEscaped<&'static str> {
    static NAV: LazyLock<String> = LazyLock::new(|| nav_markup().into_string());
    PreEscaped(NAV.as_str())
}

fn nav_markup() -> Markup {
    html! {
        header {
            nav {
                a href=(paths::home()) { "Home" } " · "
                a href=(paths::about()) { "About" } " · "
                a href=(paths::live()) { "Live" } " · "
                a href=(paths::deferred()) { "Deferred" } " · "
                a href=(paths::docs(&[])) { "Docs" } " · "
                a href=(paths::posts()) { "API" }
            }
        }
    }
}
