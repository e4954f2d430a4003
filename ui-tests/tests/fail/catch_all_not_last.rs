use facetheory::prelude::*;

#[face(route = "/docs/<rest+>/edit")]
fn edit(rest: Vec<String>) -> Page {
    Page::new(html! { (rest.len()) })
}

fn main() {}
