use facetheory::prelude::*;

// Two tags with one key in a block: the second would silently replace the first.
fn main() {
    let _ = Page::new(html! {}).head(head! {
        meta name="description" content="one";
        meta name="Description" content="two";
    });
}
