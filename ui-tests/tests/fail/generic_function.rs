use facetheory::prelude::*;

#[face(route = "/")]
fn home<T: Default>() -> Page {
    Page::new(html! {})
}

fn main() {}
