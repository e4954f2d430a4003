use facetheory::prelude::*;

// The enumerator returns the generated `PostParams`: a misspelled or missing parameter does not compile.
#[face(route = "/blog/<slug>", mode = "ssg", params = slugs)]
fn post(slug: String) -> Page {
    Page::new(html! { (slug) })
}

async fn slugs() -> Vec<PostParams> {
    vec![PostParams { slg: "hello".into() }]
}

fn main() {}
