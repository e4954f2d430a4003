// Typed arguments (route params, state, extractors, the context) and every return shape compile together.
use facetheory::extract::{Form, FromRequest, QueryAs};
use facetheory::prelude::*;

struct Db;

#[derive(serde::Deserialize)]
struct Comment {
    text: String,
}

#[derive(serde::Deserialize)]
struct Paging {
    page: Option<u32>,
}

#[derive(Clone)]
struct User(String);

impl FromRequest for User {
    async fn from_request(ctx: &FaceContext) -> Result<Self> {
        ctx.extensions().get::<User>().cloned().ok_or_else(Error::not_found)
    }
}

#[face(route = "/posts/<slug>")]
async fn show(slug: String, db: &State<Db>, QueryAs(paging): QueryAs<Paging>, user: Option<User>) -> Option<Page> {
    let _ = (db, paging.page, user.map(|u| u.0));
    (slug != "missing").then(|| Page::new(html! { (slug) }))
}

#[resource(route = "/posts/<slug>", methods = ["POST"])]
async fn comment(slug: String, Form(c): Form<Comment>, ctx: &FaceContext) -> Result<Redirect> {
    ctx.revalidate_path(&format!("/posts/{slug}")).await?;
    let _ = c.text;
    Ok(Redirect::see_other(format!("/posts/{slug}")))
}

#[resource(route = "/api/posts/<slug>", methods = ["PUT"])]
fn save(slug: String, Json(body): Json<serde_json::Value>) -> Json<Vec<String>> {
    Json(vec![slug, body.to_string()])
}

#[face(route = "/old")]
fn old() -> Result<Page, Redirect> {
    Err(Redirect::permanent("/new"))
}

fn main() {
    let app = facetheory::App::builder()
        .state(Db)
        .routes(facetheory::routes![show, comment, save, old])
        .build()
        .expect("one URL, two methods");
    assert_eq!(app.routes().count(), 4);
}
