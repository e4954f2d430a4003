use facetheory::prelude::*;

#[face(route = "/users/<user-id>")]
fn user() -> Page {
    Page::new(html! {})
}

fn main() {}
