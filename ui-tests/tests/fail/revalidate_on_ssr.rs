use facetheory::prelude::*;

#[face(route = "/news", mode = "ssr", revalidate = 60)]
fn news() -> Page {
    Page::new(html! {})
}

fn main() {}
