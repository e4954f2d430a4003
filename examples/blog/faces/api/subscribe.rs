use facetheory::prelude::*;

/// The form `POST /api/subscribe` reads: `email=…`.
#[derive(serde::Deserialize)]
pub struct Subscription {
    email: String,
}

/// `POST /api/subscribe` with a form body `email=…`: answers JSON. A body that is not a form is 415, a form
/// without `email` is 400 (both say what was wrong); other methods get 405 with `allow: POST`.
#[resource(methods = ["POST"])]
pub fn subscribe(ctx: &FaceContext) -> Result<ResourceResponse> {
    let Subscription { email } = ctx.form()?;
    if !email.contains('@') {
        return Ok(ResourceResponse::text("a valid email is required").with_status(http::StatusCode::UNPROCESSABLE_ENTITY));
    }
    ResourceResponse::json(&serde_json::json!({ "subscribed": email }))
}
