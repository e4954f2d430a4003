use facetheory::prelude::*;

use crate::posts::Posts;

/// `GET /api/posts`: the posts as JSON (a resource route: no document around it).
#[resource(methods = ["GET"])]
pub fn posts(posts: &State<Posts>) -> Json<Vec<Summary>> {
    Json(posts.all().iter().map(|p| Summary { slug: p.slug, title: p.title }).collect())
}

/// One post in the list.
#[derive(serde::Serialize)]
pub struct Summary {
    slug: &'static str,
    title: &'static str,
}
