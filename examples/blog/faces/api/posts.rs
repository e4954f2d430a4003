use facetheory::prelude::*;

use crate::posts::POSTS;

/// `GET /api/posts`: the posts as JSON (a resource route: no document around it).
#[resource(methods = ["GET"])]
pub fn posts() -> Result<ResourceResponse> {
    #[derive(serde::Serialize)]
    struct Summary {
        slug: &'static str,
        title: &'static str,
    }
    let list: Vec<Summary> = POSTS.iter().map(|p| Summary { slug: p.slug, title: p.title }).collect();
    ResourceResponse::json(&list)
}
