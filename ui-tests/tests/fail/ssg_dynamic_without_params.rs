use facetheory::prelude::*;

#[face(route = "/blog/<slug>", mode = "ssg")]
fn post(slug: String) -> Page {
    Page::new(html! { (slug) })
}

fn main() {}
