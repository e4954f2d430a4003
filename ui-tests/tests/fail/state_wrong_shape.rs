use facetheory::prelude::*;

struct Db;

// State is shared by every request: it is borrowed immutably, and names exactly one type.
#[face(route = "/")]
fn index(db: &mut State<Db>, other: &State) -> Page {
    let _ = (db, other);
    Page::new(html! {})
}

fn main() {}
