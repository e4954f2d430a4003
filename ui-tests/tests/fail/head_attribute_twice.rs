use facetheory::prelude::*;

// An attribute is given once.
fn main() {
    let _ = Page::new(html! {}).head(head! { link rel="icon" href="/a.svg" href="/b.svg"; });
}
