use facetheory::prelude::*;

#[face]
pub fn offset(by: i32) -> Page {
    Page::new(html! { "offset " (by) })
}
