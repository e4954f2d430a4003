use facetheory::prelude::*;

// 18446744073709551 s would overflow every freshness computation; one year is the bound.
#[face(route = "/news", mode = "isr", revalidate = 18446744073709551)]
fn news() -> Page {
    Page::new(html! {})
}

fn main() {}
