use facetheory::prelude::*;

#[face(route = "/news", mode = "isr")]
fn news() -> Page {
    Page::new(html! {})
}

fn main() {}
