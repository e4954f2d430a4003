use facetheory::prelude::*;

// Tags only apply to ISR faces; each tag must be a non-empty, unreserved, unique string literal.
#[face(route = "/a", tags = ["posts"])]
fn on_ssr() -> Page {
    Page::new(html! { "a" })
}

#[face(route = "/b/<id>", mode = "isr", revalidate = 60, tags = ["", "path:/b", "x", "x", 3])]
fn bad_tags(id: String) -> Page {
    Page::new(html! { (id) })
}

fn main() {}
