use facetheory::prelude::*;

#[face]
pub fn glossary() -> Page {
    Page::new(html! { "glossary" })
}
