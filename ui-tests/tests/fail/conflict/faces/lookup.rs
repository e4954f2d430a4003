use facetheory::prelude::*;

#[resource(route = "/users/{slug}")]
pub fn by_slug(slug: String) -> ResourceResponse {
    ResourceResponse::text(slug)
}
