use facetheory::prelude::*;

#[face]
pub fn letter(c: char) -> Page {
    Page::new(html! { "letter " (c) })
}
