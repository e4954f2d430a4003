use facetheory::extract::Form;
use facetheory::params::encode_uri_component;
use facetheory::prelude::*;

/// `/` (inferred from the file name `faces/index.rs`): greets `?name=`, with a form to change it.
#[face]
pub fn home(ctx: &FaceContext) -> Page {
    let name = ctx.query().get("name").unwrap_or("world");
    Page::new(html! {
        main {
            h1 { "Hello, " (name) "!" }
            form method="post" action="/" {
                input name="name" placeholder="Your name";
                button { "Greet me" }
            }
        }
    })
    .title("Hello")
    .head(head::charset("utf-8"))
}

/// What the form sends.
#[derive(serde::Deserialize)]
pub struct Greeting {
    name: String,
}

/// `POST /` — the same URL as the page: reads the form and answers `303 See Other` back to the page
/// (post-redirect-get), so a reload does not post twice.
#[resource(methods = ["POST"])]
pub fn greet(Form(greeting): Form<Greeting>) -> Redirect {
    Redirect::see_other(format!("/?name={}", encode_uri_component(greeting.name.trim())))
}
