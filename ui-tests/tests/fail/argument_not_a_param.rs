use facetheory::prelude::*;

#[face(route = "/blog/<slug>")]
fn post(slug: String, page: u32) -> Page {
    Page::new(html! { (slug) (page) })
}

fn main() {}
