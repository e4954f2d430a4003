use facetheory::prelude::*;

#[face(route = "/")]
fn home(ctx: FaceContext) -> Page {
    Page::new(html! { (ctx.path()) })
}

fn main() {}
