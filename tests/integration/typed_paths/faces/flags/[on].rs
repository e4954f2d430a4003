use facetheory::prelude::*;

#[face]
pub fn flag(on: bool) -> Page {
    Page::new(html! { "flag " (on) })
}
