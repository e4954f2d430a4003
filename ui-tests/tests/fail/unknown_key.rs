use facetheory::prelude::*;

#[face(route = "/", layout = "main")]
fn home() -> Page {
    Page::new(html! {})
}

fn main() {}
