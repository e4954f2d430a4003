//! Faces declared outside a faces directory register through inventory and join the table at start-up.
use facetheory::prelude::*;

mod library {
    use facetheory::prelude::*;

    #[face(route = "/lib/<id>")]
    pub fn from_library(id: u32) -> Page {
        Page::new(html! { (id) })
    }
}

#[face(route = "/")]
fn home() -> Page {
    Page::new(html! { "home" })
}

fn main() {
    let app = facetheory::App::builder().route(&__FACETHEORY_ROUTE_home).with_registered().build().unwrap();
    let patterns: Vec<&str> = app.routes().map(|r| r.pattern).collect();
    // `home` is both in the table and registered: it appears once.
    assert_eq!(patterns, ["/lib/<id>", "/"]);
    let _ = library::from_library;
}
