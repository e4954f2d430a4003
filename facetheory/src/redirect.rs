//! [`Redirect`]: a redirect as a value a face or resource returns (or raises with `?`).

use http::StatusCode;

use crate::error::Error;

/// A redirect: `303 See Other` (after a form post), `307 Temporary Redirect` or `308 Permanent Redirect`.
///
/// Return it from a resource (`-> Redirect`, `-> Result<Redirect>`), from a face that sometimes redirects
/// (`-> Result<Page, Redirect>`), or raise it with `?` anywhere a [`Error`] is expected.
///
/// ```
/// use facetheory::Redirect;
/// let r = Redirect::see_other("/blog/hello#comments");
/// assert_eq!((r.status().as_u16(), r.location()), (303, "/blog/hello#comments"));
/// assert_eq!(Redirect::permanent("/new").status().as_u16(), 308);
/// let as_error: facetheory::Error = Redirect::temporary("/login").into();
/// assert!(matches!(as_error.kind(), facetheory::ErrorKind::Redirect { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    status: StatusCode,
    location: String,
}

impl Redirect {
    /// `303 See Other`: the browser follows with GET — the answer to a form post (post-redirect-get).
    pub fn see_other(location: impl Into<String>) -> Self {
        Redirect { status: StatusCode::SEE_OTHER, location: location.into() }
    }

    /// `307 Temporary Redirect`: the browser repeats the same method and body at `location`.
    pub fn temporary(location: impl Into<String>) -> Self {
        Redirect { status: StatusCode::TEMPORARY_REDIRECT, location: location.into() }
    }

    /// `308 Permanent Redirect`: like 307, and caches may remember it.
    pub fn permanent(location: impl Into<String>) -> Self {
        Redirect { status: StatusCode::PERMANENT_REDIRECT, location: location.into() }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `location` header's value.
    pub fn location(&self) -> &str {
        &self.location
    }
}

impl From<Redirect> for Error {
    fn from(r: Redirect) -> Self {
        Error::redirect_with(r.status, r.location)
    }
}
