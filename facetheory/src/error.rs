//! Errors: [`Error`] is what faces and resources return (not found, redirect, internal); [`AppError`] is what
//! goes wrong while assembling an app (bad route descriptors, conflicts).

use http::StatusCode;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error a face or resource returns. Any `std::error::Error` converts into an internal error with `?`;
/// the response is a plain 500 page that never shows the error text (the text goes to the log).
///
/// ```
/// use facetheory::{Error, Result};
/// fn find(slug: &str) -> Result<&'static str> {
///     match slug {
///         "hello" => Ok("Hello"),
///         "old" => Err(Error::redirect("/blog/hello")),
///         _ => Err(Error::not_found()),
///     }
/// }
/// assert!(find("nope").unwrap_err().is_not_found());
/// let n: Result<u32> = "x".parse::<u32>().map_err(Into::into);
/// assert!(n.is_err());
/// ```
pub struct Error {
    kind: ErrorKind,
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// Answer 404 (the app's `/404` face renders it when there is one).
    #[error("not found")]
    NotFound,
    /// Answer with a redirect (`location` header, no body).
    #[error("redirect ({status}) to {location}")]
    Redirect {
        /// A 3xx status.
        status: StatusCode,
        /// The `location` header.
        location: String,
    },
    /// Answer with a client error (400, 413, 415…) whose message says what was wrong with the request; it is
    /// sent as plain text, so it must not contain anything the client did not send.
    #[error("client error ({status}): {message}")]
    Client {
        /// A 4xx status.
        status: StatusCode,
        /// What was wrong.
        message: String,
    },
    /// Answer 500; the source is logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

impl Error {
    /// A 404.
    pub fn not_found() -> Self {
        Error { kind: ErrorKind::NotFound }
    }

    /// A `303 See Other` redirect (what a browser should follow with GET).
    pub fn redirect(location: impl Into<String>) -> Self {
        Self::redirect_with(StatusCode::SEE_OTHER, location)
    }

    /// A `308 Permanent Redirect`.
    pub fn permanent_redirect(location: impl Into<String>) -> Self {
        Self::redirect_with(StatusCode::PERMANENT_REDIRECT, location)
    }

    /// A redirect with an explicit 3xx status (other statuses become 302).
    pub fn redirect_with(status: StatusCode, location: impl Into<String>) -> Self {
        let status = if status.is_redirection() { status } else { StatusCode::FOUND };
        Error { kind: ErrorKind::Redirect { status, location: location.into() } }
    }

    /// A client error: `status` (4xx; anything else becomes 400) with a message for the client.
    ///
    /// ```
    /// let e = facetheory::Error::client(http::StatusCode::UNPROCESSABLE_ENTITY, "title is empty");
    /// assert!(matches!(e.kind(), facetheory::ErrorKind::Client { status, .. } if status.as_u16() == 422));
    /// ```
    pub fn client(status: StatusCode, message: impl Into<String>) -> Self {
        let status = if status.is_client_error() { status } else { StatusCode::BAD_REQUEST };
        Error { kind: ErrorKind::Client { status, message: message.into() } }
    }

    /// An internal error carrying a message (logged, never shown).
    pub fn msg(message: impl std::fmt::Display) -> Self {
        Error { kind: ErrorKind::Internal(message.to_string().into()) }
    }

    /// The kind.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// True for [`ErrorKind::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::NotFound)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(e: E) -> Self {
        Error { kind: ErrorKind::Internal(Box::new(e)) }
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.kind, f)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.kind, f)
    }
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an app could not be assembled from its route descriptors.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A descriptor carries a route the grammar rejects (only possible for hand-built descriptors).
    #[error("invalid route in {file}:{line} (fn {function}): {message}")]
    InvalidRoute {
        /// The descriptor's source file.
        file: &'static str,
        /// Its line.
        line: u32,
        /// The function.
        function: &'static str,
        /// The grammar's message, with a caret.
        message: String,
    },
    /// Two routes would match exactly the same paths.
    #[error("route conflict: `{first}` ({first_at}) and `{second}` ({second_at}) match exactly the same paths; make one of them more specific or remove one")]
    Conflict {
        /// One pattern.
        first: String,
        /// Where it is declared (file:line, or the reserved endpoint).
        first_at: String,
        /// The other pattern.
        second: String,
        /// Where it is declared.
        second_at: String,
    },
    /// A face or resource under `/_facetheory/`, which the framework keeps for its own endpoints.
    #[error("route `{route}` ({at}) is under /_facetheory/, which facetheory reserves for its own endpoints; move it")]
    ReservedPath {
        /// The route.
        route: &'static str,
        /// Where it is declared.
        at: String,
    },
    /// A face or resource takes a state type the app was not given.
    #[error("{function} ({at}, route `{route}`) takes `&State<{type_name}>`, but the app has no {type_name}: add it with AppBuilder::state(…)")]
    MissingState {
        /// The route.
        route: &'static str,
        /// The function.
        function: &'static str,
        /// Where it is declared.
        at: String,
        /// The missing type.
        type_name: &'static str,
    },
    /// A setting the app cannot run with.
    #[error("app configuration: {0}")]
    Config(String),
}
