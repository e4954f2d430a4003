use facetheory::prelude::*;

#[face]
pub fn post(slug: String) -> Page {
    Page::new(html! { (slug) })
}

#[resource(methods = ["POST"])]
pub fn comment(slug: String) -> ResourceResponse {
    ResourceResponse::text(slug)
}
