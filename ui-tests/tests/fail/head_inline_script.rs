use facetheory::prelude::*;

// A head! script loads a file: inline code would break the strict CSP; data goes through json_ld / hydrate.
fn main() {
    let _ = Page::new(html! {}).head(head! { script type="module" { "alert(1)" } });
}
