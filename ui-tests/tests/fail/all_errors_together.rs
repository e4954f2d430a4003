use facetheory::prelude::*;

// Every problem is reported in one compile: bad mode, unknown key, and a stray argument.
#[face(route = "/a/<id>", mode = "static", cache = true)]
fn page(id: String, extra: String) -> Page {
    Page::new(html! { (id) (extra) })
}

fn main() {}
