use facetheory::prelude::*;

// A meta has exactly one of charset, name, property or http-equiv, and the keyed ones a content.
fn main() {
    let _ = Page::new(html! {}).head(head! {
        meta content="x";
        meta name="description";
    });
}
