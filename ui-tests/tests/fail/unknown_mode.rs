use facetheory::prelude::*;

#[face(route = "/", mode = "spa")]
fn home() -> Page {
    Page::new(html! {})
}

fn main() {}
