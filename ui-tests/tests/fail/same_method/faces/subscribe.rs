use facetheory::prelude::*;

// The same paths as `faces/blog/[slug].rs`, and POST again: which handler answers is ambiguous.
#[resource(route = "/blog/<id>", methods = ["PUT", "POST"])]
pub fn save(id: String) -> ResourceResponse {
    ResourceResponse::text(id)
}
