use facetheory::prelude::*;

// A literal canonical href is checked as Page::canonical checks it at run time.
fn main() {
    let _ = Page::new(html! {}).head(head! { link rel="canonical" href="javascript:alert(1)"; });
}
