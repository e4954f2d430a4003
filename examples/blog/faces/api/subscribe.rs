use facetheory::prelude::*;

/// `POST /api/subscribe` with a form body `email=…`: answers JSON. Other methods get 405 with `allow: POST`.
#[resource(methods = ["POST"])]
pub fn subscribe(ctx: &FaceContext) -> Result<ResourceResponse> {
    let form = facetheory::Query::parse(&String::from_utf8_lossy(ctx.body()));
    match form.get("email").filter(|e| e.contains('@')) {
        Some(email) => ResourceResponse::json(&serde_json::json!({ "subscribed": email })),
        None => Ok(ResourceResponse::text("a valid email is required").with_status(http::StatusCode::UNPROCESSABLE_ENTITY)),
    }
}
