use facetheory::prelude::*;

#[face]
pub fn home(ctx: &FaceContext) -> Page {
    Page::new(html! { (ctx.path()) }).title("Home")
}

#[face(route = "/<rest*>")]
pub fn any(rest: Option<Vec<String>>) -> Page {
    Page::new(html! { (rest.map(|r| r.len()).unwrap_or(0)) })
}

#[face(route = "/files/{path+}", mode = "isr", revalidate = 30)]
pub async fn file(path: String, ctx: &FaceContext) -> facetheory::Result<Page> {
    Ok(Page::new(html! { (path) (ctx.request_id()) }))
}

#[resource(route = "/api/echo", methods = ["GET", "POST"])]
pub async fn echo(ctx: &FaceContext) -> facetheory::Result<ResourceResponse> {
    Ok(ResourceResponse::text(String::from_utf8_lossy(ctx.body()).into_owned()))
}
