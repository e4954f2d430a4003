use facetheory::prelude::*;

#[face(route = "/blog/<slug")]
fn post() -> Page {
    Page::new(html! {})
}

fn main() {}
