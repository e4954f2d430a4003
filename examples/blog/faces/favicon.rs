use facetheory::prelude::*;

/// `GET /favicon.ico`: browsers ask for it on every site; an SVG keeps it tiny.
#[resource(route = "/favicon.ico")]
pub fn favicon() -> ResourceResponse {
    ResourceResponse::text(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#2a7\"/></svg>",
    )
    .header("content-type", "image/svg+xml")
    .header("cache-control", "public, max-age=86400")
}
