use facetheory::prelude::*;

// head! writes title, meta, link and script; anything else is refused.
fn main() {
    let _ = Page::new(html! {}).head(head! { style { "a{}" } });
}
