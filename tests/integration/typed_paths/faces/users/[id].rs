use facetheory::prelude::*;

#[face]
pub fn user(id: u64) -> Page {
    Page::new(html! { "user " (id) })
}
