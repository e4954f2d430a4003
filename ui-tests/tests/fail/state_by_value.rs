use facetheory::prelude::*;

struct Db;

// App state is shared: a face borrows it (`db: &State<Db>`), it cannot take it by value.
#[face(route = "/")]
fn index(db: State<Db>) -> Page {
    let _ = db;
    Page::new(html! {})
}

fn main() {}
