//! Typed parameters through a user `FromParam` implementation, outside a faces directory.
use facetheory::params::{FromParam, ParamError};
use facetheory::prelude::*;

pub struct Slug(String);

impl FromParam for Slug {
    fn from_param(s: &str) -> Result<Self, ParamError> {
        Ok(Slug(s.to_string()))
    }
}

#[face(route = "/u/<id>/<slug>/<flag>")]
pub fn user(id: u64, slug: Slug, flag: bool, ctx: &FaceContext) -> Page {
    Page::new(html! { (id) (slug.0) (flag) (ctx.route()) })
}

fn main() {
    let app = facetheory::App::builder().route(&__FACETHEORY_ROUTE_user).build().unwrap();
    assert_eq!(app.routes().next().unwrap().pattern, "/u/<id>/<slug>/<flag>");
}
