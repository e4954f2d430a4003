use facetheory::prelude::*;

#[derive(serde::Serialize)]
pub struct Data {
    pub slug: String,
}

#[face(mode = "ssg", params = slugs)]
pub async fn post(slug: String) -> Result<Page<Data>, std::io::Error> {
    Ok(Page::new(html! { (slug) }).hydrate(Data { slug: slug.clone() }, "/assets/post.js"))
}

pub async fn slugs() -> Vec<StaticParams> {
    vec![StaticParams::new().param("slug", "hello")]
}

#[face(route = "/blog/new")]
pub fn new_post() -> Page {
    Page::new(html! { "new" })
}
