//! The shared page shell.

use facetheory::{head, html, Markup, Page, PreEscaped};

// Links are built by the typed path builders generated from the route table: a renamed or removed page is
// a compile error here, not a broken link.
use crate::faces::paths;

/// Wraps content in the site's header and footer and sets the common head tags.
pub fn page(title: &str, content: Markup) -> Page {
    Page::new(html! {
        (nav())
        main { (content) }
        footer { p { "An example facetheory site." } }
    })
    .title(format!("{title} · facetheory blog"))
    .head(head::charset("utf-8"))
    .head(head::meta("viewport", "width=device-width, initial-scale=1"))
}

/// The same shell around a streamed body: the header goes out with the first chunk, each section as it is
/// produced, the footer last.
pub fn streamed<S>(title: &str, sections: S) -> Page
where
    S: futures_util::Stream<Item = facetheory::Result<Markup>> + Send + 'static,
{
    use futures_util::StreamExt;
    let open = html! { (nav()) (PreEscaped("<main>")) };
    let close = html! { (PreEscaped("</main>")) footer { p { "An example facetheory site." } } };
    let body = futures_util::stream::once(async move { Ok(open) })
        .chain(sections)
        .chain(futures_util::stream::once(async move { Ok(close) }));
    Page::stream(body)
        .title(format!("{title} · facetheory blog"))
        .head(head::charset("utf-8"))
        .head(head::meta("viewport", "width=device-width, initial-scale=1"))
}

fn nav() -> Markup {
    html! {
        header {
            nav {
                a href=(paths::home()) { "Home" } " · "
                a href=(paths::about()) { "About" } " · "
                a href=(paths::live()) { "Live" } " · "
                a href=(paths::docs(&[])) { "Docs" } " · "
                a href=(paths::posts()) { "API" }
            }
        }
    }
}
