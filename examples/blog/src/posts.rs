//! The blog's content (in memory: the example is about rendering, not storage).

use serde::Serialize;

/// One post.
#[derive(Clone, Debug, Serialize)]
pub struct Post {
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub body: &'static [&'static str],
    /// Likes at build time (the counter island starts here).
    pub likes: i32,
    /// The post's topic (`/topics/<topic>`).
    pub topic: &'static str,
}

/// All posts, newest first.
pub static POSTS: &[Post] = &[
    Post {
        slug: "hello-world",
        title: "Hello, world",
        summary: "Why facetheory exists.",
        body: &[
            "facetheory renders pages on AWS Lambda with response streaming, keeps static pages on S3 and regenerates cached pages with leases in DynamoDB.",
            "Routes are checked when the site compiles: two pages that would answer the same URL are a compile error.",
        ],
        likes: 7,
        topic: "basics",
    },
    Post {
        slug: "routing",
        title: "Routing without surprises",
        summary: "Static beats parameter beats catch-all, segment by segment.",
        body: &[
            "A route's precedence never depends on the order you declared it in.",
            "`/blog/new` beats `/blog/<slug>`, and `/docs` beats `/docs/<rest*>` for the path `/docs`.",
        ],
        likes: 14,
        topic: "routing",
    },
    Post {
        slug: "caf\u{e9}",
        title: "Percent-decoding",
        summary: "Typed parameters arrive decoded; the raw text stays on the context.",
        body: &["This post lives at `/blog/caf%C3%A9`."],
        likes: 21,
        topic: "routing",
    },
];

/// Finds a post by its decoded slug.
pub fn find(slug: &str) -> Option<&'static Post> {
    POSTS.iter().find(|p| p.slug == slug)
}
