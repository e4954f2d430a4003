use facetheory::prelude::*;

#[face(mode = "ssr")]
fn home() -> Page {
    Page::new(html! {})
}

fn main() {}
