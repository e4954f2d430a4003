use facetheory::prelude::*;

#[face(route = "/files/<path+>")]
fn file(path: u32) -> Page {
    Page::new(html! { (path) })
}

fn main() {}
