//! The blog's content: the posts (seed data compiled in) and readers' comments, held by [`Posts`], the app's
//! state (`AppBuilder::state`); faces take it as `posts: &State<Posts>`. In memory, per process: the example is
//! about rendering, not storage (a real site puts a database pool here).

use std::collections::HashMap;
use std::sync::RwLock;

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

/// The posts the blog starts with, newest first (also what the SSG enumerators list at build time).
pub static SEED: &[Post] = &[
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

/// A reader's comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub name: String,
    pub text: String,
}

/// Comments kept per post (the oldest go first), and the longest name and text accepted.
pub const MAX_COMMENTS: usize = 50;
pub const MAX_NAME: usize = 60;
pub const MAX_TEXT: usize = 1000;

/// The posts and their comments.
#[derive(Debug, Default)]
pub struct Posts {
    comments: RwLock<HashMap<&'static str, Vec<Comment>>>,
}

impl Posts {
    /// The seed posts, no comments.
    pub fn new() -> Self {
        Self::default()
    }

    /// All posts, newest first.
    pub fn all(&self) -> &'static [Post] {
        SEED
    }

    /// A post by its decoded slug.
    pub fn find(&self, slug: &str) -> Option<&'static Post> {
        SEED.iter().find(|p| p.slug == slug)
    }

    /// The comments on a post, oldest first.
    pub fn comments(&self, slug: &str) -> Vec<Comment> {
        let all = self.comments.read().unwrap_or_else(|p| p.into_inner());
        all.get(slug).cloned().unwrap_or_default()
    }

    /// Adds a comment to an existing post; says what is wrong with an empty or over-long one (nothing is
    /// stored then).
    pub fn add_comment(&self, slug: &str, name: &str, text: &str) -> Result<(), String> {
        let post = self.find(slug).ok_or_else(|| format!("no post {slug:?}"))?;
        let (name, text) = (name.trim(), text.trim());
        if name.is_empty() || text.is_empty() {
            return Err("a comment needs a name and a text".into());
        }
        if name.chars().count() > MAX_NAME || text.chars().count() > MAX_TEXT {
            return Err(format!("names are at most {MAX_NAME} characters and comments {MAX_TEXT}"));
        }
        let mut all = self.comments.write().unwrap_or_else(|p| p.into_inner());
        let list = all.entry(post.slug).or_default();
        if list.len() >= MAX_COMMENTS {
            list.remove(0);
        }
        list.push(Comment { name: name.to_string(), text: text.to_string() });
        Ok(())
    }
}
