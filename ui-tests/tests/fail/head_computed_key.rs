use facetheory::prelude::*;

// The attribute naming a tag (its deduplication key) is a literal; computed ones go through the Page methods.
fn main() {
    let name = "description";
    let _ = Page::new(html! {}).head(head! { meta name=(name) content="x"; });
}
