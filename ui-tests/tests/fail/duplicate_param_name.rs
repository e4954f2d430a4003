use facetheory::prelude::*;

#[face(route = "/users/<id>/friends/<id>")]
fn friend(id: String) -> Page {
    Page::new(html! { (id) })
}

fn main() {}
