//! Typed arguments of faces and resources beyond route parameters, `&FaceContext` and `&State<T>`: any type
//! implementing [`FromRequest`] — the body as a form or JSON, the query as a struct, or the app's own (the
//! signed-in user an auth layer put in the request extensions) — and the serde readers behind them
//! ([`FaceContext::form`], [`FaceContext::json`], [`FaceContext::query_as`]).

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

impl FaceContext {
    /// The body as an HTML form (`application/x-www-form-urlencoded`), deserialized with serde. Another
    /// content type is `415` (a request with none is read as a form, as `curl -d` sends), a body that does not
    /// fit `T` is `400` saying which field failed; `?` turns either into that response.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(serde::Deserialize)]
    /// struct Comment { name: String, stars: u8 }
    /// let ctx = FaceContext::builder("POST", "/c")
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body("name=Ada+L&stars=5")
    ///     .build();
    /// let c: Comment = ctx.form().unwrap();
    /// assert_eq!((c.name.as_str(), c.stars), ("Ada L", 5));
    /// ```
    pub fn form<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::Error> {
        self.check_payload_hash()?;
        if self.header("content-type").is_some() {
            self.expect_content_type("application/x-www-form-urlencoded")?;
        }
        check_urlencoded(&self.body)
            .map_err(|e| crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the form is malformed: {e}")))?;
        serde_urlencoded::from_bytes(&self.body)
            .map_err(|e| crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the form does not fit: {e}")))
    }

    /// The body as JSON (`application/json`), deserialized with serde: `415` for another content type, `400`
    /// saying where the JSON does not fit `T`.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(serde::Deserialize)]
    /// struct Post { title: String }
    /// let ctx = FaceContext::builder("POST", "/p").header("content-type", "application/json").body(r#"{"title":"Hi"}"#).build();
    /// assert_eq!(ctx.json::<Post>().unwrap().title, "Hi");
    /// let bad = FaceContext::builder("POST", "/p").header("content-type", "application/json").body("{").build();
    /// assert!(bad.json::<Post>().is_err());
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::Error> {
        self.check_payload_hash()?;
        self.expect_content_type("application/json")?;
        serde_json::from_slice(&self.body).map_err(|e| {
            crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the JSON body does not fit: {e}"))
        })
    }

    /// The query string deserialized with serde (`?page=2&sort=new` into a struct): `400` when it does not fit.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// #[derive(serde::Deserialize)]
    /// struct Paging { page: u32 }
    /// let ctx = FaceContext::builder("GET", "/list?page=2").build();
    /// assert_eq!(ctx.query_as::<Paging>().unwrap().page, 2);
    /// ```
    pub fn query_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::Error> {
        serde_urlencoded::from_str(&self.request.raw_query)
            .map_err(|e| crate::Error::client(http::StatusCode::BAD_REQUEST, format!("the query does not fit: {e}")))
    }

    /// Checks `x-amz-content-sha256` against the body when it carries a SHA-256 digest (what CloudFront OAC
    /// signs, and what the OAC form transport sends): `400` when they differ — the body is not the one signed.
    /// Other values (`UNSIGNED-PAYLOAD`, `STREAMING-…`) and an absent header pass. [`form`](Self::form) and
    /// [`json`](Self::json) call it; call it yourself before reading [`body`](Self::body) raw.
    ///
    /// ```
    /// # use facetheory::FaceContext;
    /// let body = "name=Ada";
    /// let hash = "9c7efb3a5a7d2b1a1f1e1a3b1f1c7e6e3b2a1d0c9b8a7f6e5d4c3b2a1f0e9d8c";
    /// let ctx = FaceContext::builder("POST", "/c").header("x-amz-content-sha256", hash).body(body).build();
    /// let err = ctx.check_payload_hash().unwrap_err();
    /// assert!(matches!(err.kind(), facetheory::ErrorKind::Client { status, .. } if *status == 400));
    /// let unsigned = FaceContext::builder("POST", "/c").header("x-amz-content-sha256", "UNSIGNED-PAYLOAD").body(body).build();
    /// assert!(unsigned.check_payload_hash().is_ok());
    /// ```
    pub fn check_payload_hash(&self) -> Result<(), crate::Error> {
        let Some(given) = self.header(PAYLOAD_HASH_HEADER) else { return Ok(()) };
        if given.len() != 64 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(());
        }
        if given.eq_ignore_ascii_case(&crate::digest::sha256_hex(&self.body)) {
            return Ok(());
        }
        Err(crate::Error::client(
            http::StatusCode::BAD_REQUEST,
            format!("{PAYLOAD_HASH_HEADER} does not match the body's SHA-256"),
        ))
    }

    fn expect_content_type(&self, expected: &str) -> Result<(), crate::Error> {
        let got = self.header("content-type").unwrap_or("");
        let essence = got.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case(expected) {
            return Ok(());
        }
        Err(crate::Error::client(
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected content-type {expected}, got {:?}", if got.is_empty() { "none" } else { got }),
        ))
    }
}

/// The header CloudFront OAC needs on a signed request with a body: the body's SHA-256, lowercase hex.
pub const PAYLOAD_HASH_HEADER: &str = "x-amz-content-sha256";

/// Refuses what a browser never sends and a lenient decoder would silently mangle: a `%` not followed by two
/// hex digits, and names or values that do not decode to UTF-8. One pass over the body.
fn check_urlencoded(body: &[u8]) -> Result<(), String> {
    for (n, pair) in body.split(|b| *b == b'&').enumerate() {
        let mut decoded = Vec::with_capacity(pair.len());
        let mut i = 0;
        while i < pair.len() {
            match pair[i] {
                b'%' => {
                    let hex = pair.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                    let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                    let Some(byte) = byte else {
                        return Err(format!("field {} has a `%` not followed by two hex digits", n + 1));
                    };
                    decoded.push(byte);
                    i += 3;
                }
                b => {
                    decoded.push(b);
                    i += 1;
                }
            }
        }
        if std::str::from_utf8(&decoded).is_err() {
            return Err(format!("field {} is not UTF-8 text", n + 1));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_forms_are_refused() {
        assert!(check_urlencoded(b"a=1&b=%20x+y&c=%C3%A9").is_ok());
        let bad = |body: &[u8]| check_urlencoded(body).unwrap_err();
        assert!(bad(b"a=1&b=%ZZ").contains("field 2"));
        assert!(bad(b"a=%4").contains("two hex digits"));
        assert!(bad(b"a=%FF").contains("UTF-8"));
        assert!(bad(b"\xff=1").contains("UTF-8"));
    }

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
