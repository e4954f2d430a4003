//! Typed arguments of faces and resources beyond route parameters, `&FaceContext` and `&State<T>`: any type
//! implementing [`FromRequest`] — the body as a form or JSON, the query as a struct, or the app's own (the
//! signed-in user an auth layer put in the request extensions).

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::context::FaceContext;
use crate::error::Error;
use crate::resource::Json;

/// A value built from the request, taken as an argument: `form: Form<Comment>`. A failure answers the error
/// (a client error for bad input: `400`, `415`, …) and the function is not called.
///
/// Implement it for your own types, e.g. the user an authentication layer stored in the extensions:
///
/// ```
/// use facetheory::{extract::FromRequest, Error, FaceContext};
/// #[derive(Clone)]
/// struct User { name: String }
/// impl FromRequest for User {
///     async fn from_request(ctx: &FaceContext) -> Result<Self, Error> {
///         ctx.extensions().get::<User>().cloned()
///             .ok_or_else(|| Error::client(http::StatusCode::UNAUTHORIZED, "sign in first"))
///     }
/// }
/// # let ctx = FaceContext::builder("GET", "/").extension(User { name: "ada".into() }).build();
/// # let user = block_on(User::from_request(&ctx));
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// # assert_eq!(user.unwrap().name, "ada");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a face or resource",
    label = "not a route parameter and not a request extractor",
    note = "an argument is a route parameter (named like one in the route), `ctx: &FaceContext`, `name: &State<T>`, or a type implementing `facetheory::extract::FromRequest`: `Form<T>`, `Json<T>`, `QueryAs<T>`, or your own"
)]
pub trait FromRequest: Sized {
    /// Builds the value from the request.
    fn from_request(ctx: &FaceContext) -> impl Future<Output = Result<Self, Error>> + Send;
}

/// The body as an HTML form (`application/x-www-form-urlencoded`), deserialized with serde: see
/// [`FaceContext::form`] for the answers to bad input.
///
/// ```no_run
/// # use facetheory::prelude::*;
/// use facetheory::extract::Form;
/// #[derive(serde::Deserialize)]
/// struct Comment { name: String, text: String }
/// #[resource(route = "/blog/<slug>", methods = ["POST"])]
/// async fn comment(slug: String, Form(c): Form<Comment>) -> Redirect {
///     Redirect::see_other(format!("/blog/{slug}"))
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

/// The query string deserialized with serde (`?page=2&sort=new` into a struct): see [`FaceContext::query_as`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryAs<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest for Form<T> {
    async fn from_request(ctx: &FaceContext) -> Result<Self, Error> {
        ctx.form().map(Form)
    }
}

impl<T: DeserializeOwned + Send> FromRequest for Json<T> {
    async fn from_request(ctx: &FaceContext) -> Result<Self, Error> {
        ctx.json().map(Json)
    }
}

impl<T: DeserializeOwned + Send> FromRequest for QueryAs<T> {
    async fn from_request(ctx: &FaceContext) -> Result<Self, Error> {
        ctx.query_as().map(QueryAs)
    }
}

impl<T: FromRequest + Send> FromRequest for Option<T> {
    /// `None` when the value cannot be built (no signed-in user, an empty form): the function decides.
    async fn from_request(ctx: &FaceContext) -> Result<Self, Error> {
        Ok(T::from_request(ctx).await.ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Paging {
        page: u32,
    }

    #[tokio::test]
    async fn extractors_answer_client_errors() {
        let ctx = FaceContext::builder("GET", "/?page=x").build();
        let err = QueryAs::<Paging>::from_request(&ctx).await.unwrap_err();
        assert!(matches!(err.kind(), crate::ErrorKind::Client { status, .. } if *status == 400), "{err}");
        assert_eq!(Option::<QueryAs<Paging>>::from_request(&ctx).await.unwrap(), None);
        let ctx = FaceContext::builder("POST", "/").header("content-type", "text/plain").body("page=2").build();
        let err = Form::<Paging>::from_request(&ctx).await.unwrap_err();
        assert!(matches!(err.kind(), crate::ErrorKind::Client { status, .. } if *status == 415), "{err}");
        let ctx = FaceContext::builder("POST", "/").header("content-type", "application/json").body(r#"{"page":2}"#);
        assert_eq!(Json::<Paging>::from_request(&ctx.build()).await.unwrap().0, Paging { page: 2 });
    }
}
