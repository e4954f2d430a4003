use facetheory::prelude::*;

// `query` names the parameters that make separate cached variants: only ISR pages are cached per variant.
#[face(route = "/search", query = ["q", "q"])]
fn search() -> Page {
    Page::new(html! {})
}

fn main() {}
