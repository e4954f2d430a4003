use facetheory::prelude::*;

#[face]
pub fn by_id(id: u64) -> Page {
    Page::new(html! { (id) })
}
