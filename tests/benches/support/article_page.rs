//! The synthetic ~11 KB article page of the article and served benchmarks: its face (several ways of writing
//! its head), the app serving it, and the floor — the same bytes rendered with raw maud + serde_json.

use facetheory::{html, Markup, PreEscaped};

pub(crate) const PARAGRAPHS: usize = 44;

pub(crate) fn paragraph(i: usize) -> String {
    format!(
        "Paragraph {i}: streaming server-rendered pages from Lambda means the shell & the head leave first, \
         while \"slow\" data <loads> later; each section is escaped as text, never trusted as markup. {i}"
    )
}

#[derive(serde::Serialize)]
pub(crate) struct ArticleData {
    slug: &'static str,
    likes: u32,
    tags: Vec<&'static str>,
    related: Vec<(&'static str, &'static str)>,
}

pub(crate) fn data() -> ArticleData {
    ArticleData {
        slug: "streaming-on-lambda",
        likes: 42,
        tags: vec!["lambda", "streaming", "rust"],
        related: vec![("isr-on-dynamodb", "ISR on DynamoDB"), ("strict-csp", "Strict CSP without pain")],
    }
}

pub(crate) fn json_ld() -> serde_json::Value {
    serde_json::json!({"@context": "https://schema.org", "@type": "Article", "headline": "Streaming on Lambda",
        "author": {"@type": "Person", "name": "A. Writer"}, "datePublished": "2026-11-30"})
}

pub(crate) fn body(escaped: bool) -> Markup {
    html! {
        header { nav { a href="/" { "Home" } " · " a href="/blog" { "Blog" } } }
        main {
            article {
                h1 { "Streaming on Lambda" }
                p.meta { "By A. Writer · 30 November 2026" }
                @for i in 0..PARAGRAPHS {
                    @if escaped { p { (paragraph(i)) } } @else { p { (PreEscaped(paragraph(i))) } }
                }
            }
            button.likes type="button" { "Likes: 42" }
        }
        footer { p { "An example facetheory site." } }
    }
}

mod faces {
    use facetheory::prelude::*;

    /// The page as a face writes it at its fastest: the tags the floor has as literals written with `head!`
    /// (rendered at compile time), the JSON-LD and hydration data serialised at run time, as the floor does.
    #[face(route = "/article")]
    pub fn article() -> Result<Page<super::ArticleData>> {
        block_page(super::body(true))
    }

    /// The same page with its head from the `Page` methods (`meta`, `description`, `canonical`, `open_graph`).
    #[face(route = "/article-methods")]
    pub fn article_methods() -> Result<Page<super::ArticleData>> {
        page(super::body(true))
    }

    /// The same page with an empty body: the framework's own work without maud's.
    #[face(route = "/article-head")]
    pub fn article_head() -> Result<Page<super::ArticleData>> {
        block_page(html! {})
    }

    /// The empty-body page with its head from the `Page` methods.
    #[face(route = "/article-head-methods")]
    pub fn article_head_methods() -> Result<Page<super::ArticleData>> {
        page(html! {})
    }

    #[face(route = "/ping")]
    pub fn ping() -> Page {
        Page::new(html! {})
    }

    /// The same empty-body page with its head built from `head::*` tags instead of the `Page` methods.
    #[face(route = "/article-tags")]
    pub fn article_tags() -> Result<Page<super::ArticleData>> {
        Ok(Page::new(html! {})
            .title("Streaming on Lambda")
            .head(head::charset("utf-8"))
            .head(head::meta("viewport", "width=device-width, initial-scale=1"))
            .head(head::meta("description", "How a facetheory page streams from Lambda, shell first."))
            .head(head::canonical("https://blog.example/articles/streaming-on-lambda")?)
            .head_tags(head::open_graph(&super::open_graph()))
            .head(head::json_ld(&super::json_ld())?)
            .hydrate(super::data(), "/assets/article-1a2b3c.js"))
    }

    fn block_page(body: Markup) -> Result<Page<super::ArticleData>> {
        Ok(Page::new(body)
            .head(head! {
                meta charset="utf-8";
                title { "Streaming on Lambda" }
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="description" content="How a facetheory page streams from Lambda, shell first.";
                link rel="canonical" href="https://blog.example/articles/streaming-on-lambda";
                meta property="og:title" content="Streaming on Lambda";
                meta property="og:type" content="article";
                meta property="og:url" content="https://blog.example/articles/streaming-on-lambda";
                meta property="og:description" content="Shell first, data later.";
            })
            .json_ld(&super::json_ld())
            .hydrate(super::data(), "/assets/article-1a2b3c.js"))
    }

    fn page(body: Markup) -> Result<Page<super::ArticleData>> {
        Ok(Page::new(body)
            .title("Streaming on Lambda")
            .head(head::charset("utf-8"))
            .meta("viewport", "width=device-width, initial-scale=1")
            .description("How a facetheory page streams from Lambda, shell first.")
            .canonical("https://blog.example/articles/streaming-on-lambda")
            .open_graph(&super::open_graph())
            .json_ld(&super::json_ld())
            .hydrate(super::data(), "/assets/article-1a2b3c.js"))
    }
}

pub(crate) fn open_graph() -> facetheory::head::OpenGraph {
    facetheory::head::OpenGraph {
        title: Some("Streaming on Lambda".into()),
        description: Some("Shell first, data later.".into()),
        url: Some("https://blog.example/articles/streaming-on-lambda".into()),
        kind: Some("article".into()),
        ..Default::default()
    }
}

pub(crate) fn app() -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_article)
        .route(&faces::__FACETHEORY_ROUTE_article_head)
        .route(&faces::__FACETHEORY_ROUTE_article_methods)
        .route(&faces::__FACETHEORY_ROUTE_article_head_methods)
        .route(&faces::__FACETHEORY_ROUTE_article_tags)
        .route(&faces::__FACETHEORY_ROUTE_ping)
        .build()
        .unwrap()
}

/// The floor: the same document with raw maud and serde_json, no framework.
pub(crate) fn floor(escaped: bool) -> String {
    floor_with(body(escaped))
}

pub(crate) fn floor_with(body: Markup) -> String {
    let ld = serde_json::to_string(&json_ld()).unwrap();
    let data = serde_json::to_string(&data()).unwrap();
    html! {
        (PreEscaped("<!doctype html>"))
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Streaming on Lambda" }
                meta content="width=device-width, initial-scale=1" name="viewport";
                meta content="How a facetheory page streams from Lambda, shell first." name="description";
                link href="https://blog.example/articles/streaming-on-lambda" rel="canonical";
                meta content="Streaming on Lambda" property="og:title";
                meta content="article" property="og:type";
                meta content="https://blog.example/articles/streaming-on-lambda" property="og:url";
                meta content="Shell first, data later." property="og:description";
                script type="application/ld+json" { (PreEscaped(ld)) }
                script id="__FACETHEORY_DATA__" type="application/json" { (PreEscaped(data)) }
                script src="/assets/article-1a2b3c.js" type="module" {}
            }
            body { (body) }
        }
    }
    .into_string()
}
