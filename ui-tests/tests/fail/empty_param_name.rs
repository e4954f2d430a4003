use facetheory::prelude::*;

#[face(route = "/users/{}")]
fn user() -> Page {
    Page::new(html! {})
}

fn main() {}
