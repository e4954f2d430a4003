//! # facetheory
//!
//! Server-rendered web apps on AWS: page functions ("faces") in `faces/`, a compile-time route table, HTML
//! written with [`maud`], served by one binary that is a Lambda Function URL handler (response streaming) on
//! AWS and a local HTTP server elsewhere.
//!
//! ```ignore
//! // faces/blog/[slug].rs
//! use facetheory::prelude::*;
//!
//! #[face(mode = "ssr")]
//! pub async fn post(slug: String, ctx: &FaceContext) -> Result<Page> {
//!     Ok(Page::new(html! { h1 { (slug) } }).title("A post"))
//! }
//! ```
//!
//! See `docs/getting-started.md` in the repository for the whole workflow.

#![warn(missing_docs)]

// Lets the crate's own tests use `#[face]`, whose expansion names `::facetheory`.
extern crate self as facetheory;

// Modules users name (configuration types, helpers, adapters).
pub mod cache_control;
pub mod cli;
pub mod config;
pub mod csp;
pub mod deploy;
#[cfg(feature = "tool")]
pub mod dev;
pub mod doctor;
pub mod extract;
pub mod head;
pub mod hydration;
pub mod isr;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod observe;
pub mod params;
pub mod scaffold;
pub mod sections;
pub mod server;
pub mod ssg;
pub mod store;
pub mod vite;

// The request path and its helpers; what users name is re-exported below.
mod after_response;
mod app;
mod atomic_file;
#[cfg(feature = "aws")]
mod aws_client;
mod body;
mod build_id;
mod clock;
mod context;
mod cookies;
mod digest;
mod document;
mod error;
mod escape;
mod face;
mod island;
mod meta;
mod page;
mod query;
mod redirect;
mod render;
mod request_id;
mod request_path;
mod resource;
mod response;
mod revalidate;
mod route;
mod secret;
mod state;
mod static_files;
mod unwind;

/// A boxed, sendable future: what store traits and generated glue return.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

pub use after_response::AfterResponse;
pub use app::{AdapterRequestId, App, AppBuilder, StaticRenderError, MAX_REQUEST_BODY, ORIGINAL_URI_HEADER};
pub use body::{Body, ByteStream, RequestBody};
pub use context::{FaceContext, FaceContextBuilder};
pub use cookies::Cookies;
pub use error::{AppError, Error, ErrorKind, Result};
pub use face::{MethodSet, Mode, RouteDescriptor, StaticParams};
pub use head::HeadTag;
pub use page::{MarkupStream, Page};
pub use query::Query;
pub use redirect::Redirect;
pub use render::{RenderError, Rendered};
pub use resource::{Json, ResourceResponse};
pub use route::TrailingSlash;
pub use state::State;

/// Test support: the ISR conformance suite (run it against your own stores) and the router, for benchmarks.
/// Compiled only with the `testing` feature.
#[cfg(feature = "testing")]
pub mod testing {
    pub use crate::isr::conformance;
    pub use crate::route::reference as reference_router;
    pub use crate::route::Router;
}

/// Declares a page (a "face").
///
/// Keys: `route = "/blog/<slug>"` (optional under `faces/`, where the file name gives it), `mode = "ssr" |
/// "ssg" | "isr"` (default `ssr`), `revalidate = <seconds>` (required for and only allowed with `isr`),
/// `params = enumerator` (pages to pre-render; required for `ssg` routes with dynamic segments).
///
/// Arguments named like route parameters are parsed with [`params::FromParam`] (one segment) or
/// [`params::FromSegments`] (catch-alls); a parse failure answers 404. An argument of type `&FaceContext` gets
/// the request context. The function may be `async` and returns `Page<H>` or `Result<Page<H>, E>`.
///
/// ```ignore
/// #[face(route = "/users/<id>")]
/// async fn user(id: u64, ctx: &FaceContext) -> facetheory::Result<Page> {
///     Ok(Page::new(html! { h1 { "User " (id) } }))
/// }
/// ```
pub use facetheory_macros::face;

/// Declares a resource route: raw JSON / text / empty responses for the listed methods (default GET; HEAD
/// follows GET; other methods get 405 with `allow`).
///
/// ```ignore
/// #[resource(route = "/api/posts", methods = ["GET", "POST"])]
/// async fn posts(ctx: &FaceContext) -> facetheory::Result<ResourceResponse> {
///     ResourceResponse::json(&["hello"])
/// }
/// ```
pub use facetheory_macros::resource;

/// Scans a faces directory (relative to the calling file) at compile time and expands to
/// `pub mod faces { …; pub static ROUTES: … }` — what the build script generates, without a build script.
pub use facetheory_macros::faces;

/// Head tags in maud's syntax, checked at compile time, for [`Page::head`]: `title { … }`, `meta …;`,
/// `link …;` and `script src=… {}`. Values are string literals or `(expressions)` (anything `AsRef<str>`,
/// escaped when the page renders). Literal text is escaped, attributes ordered and deduplication keys
/// fingerprinted at compile time, so a block costs its computed values and nothing else; it renders,
/// deduplicates and orders exactly as the same tags from [`head`]'s functions.
///
/// Compile errors: an element other than those four, a meta without exactly one of `charset` / `name` /
/// `property` / `http-equiv` (or without `content`), a link without `rel` and `href`, a script without `src`
/// or with a body, an attribute given twice, a computed key attribute (`name`, `property`, `rel`, …: use the
/// `Page` methods for those), a literal canonical href that is not http(s) or same-origin, two tags with the
/// same key in one block. A computed canonical href is checked when the page renders (a 500, like
/// [`Page::canonical`]).
///
/// ```
/// use facetheory::{head, html, Page};
/// let (title, url) = ("Streaming <on> Lambda", "https://blog.example/streaming");
/// let page = Page::new(html! {}).head(head! {
///     meta charset="utf-8";
///     title { (title) " | Blog" }
///     meta name="description" content="Shell first, data later.";
///     link rel="canonical" href=(url);
///     meta property="og:title" content=(title);
/// });
/// ```
pub use facetheory_macros::head;

pub use island::{Island, MAX_ISLANDS};
pub use maud::{self, html, Markup, PreEscaped, Render};

/// Everything a face file usually needs.
pub mod prelude {
    pub use crate::head;
    pub use crate::{
        extract::{Form, QueryAs},
        face, html, resource, Error, FaceContext, Island, Json, Markup, Page, Redirect, ResourceResponse, Result,
        State, StaticParams,
    };
}

/// Includes the route table the build script generated from `faces/` (`pub mod faces { … ROUTES … }`).
#[macro_export]
macro_rules! include_faces {
    () => {
        include!(concat!(env!("OUT_DIR"), "/facetheory_faces.rs"));
    };
}

/// The site's entry point: put it on `main`, which returns the app's [`AppBuilder`] (or nothing, for the
/// default app), `async` if it needs to await (connecting a database). It starts the tokio runtime and runs
/// the site: the streaming Lambda handler on AWS (`AWS_LAMBDA_RUNTIME_API` set), elsewhere the CLI (`serve`,
/// `routes`, `build`, `deploy-plan`). Every `#[face]` and `#[resource]` linked into the binary is served;
/// the environment is applied by [`AppBuilder::build`] ([`config::EnvConfig`]).
///
/// ```ignore
/// facetheory::include_faces!(); // the faces/ table the build script generated
///
/// #[facetheory::main]
/// async fn main() -> facetheory::AppBuilder {
///     let db = Db::connect().await;
///     facetheory::App::builder().state(db)
/// }
/// ```
///
/// Inside a `#[tokio::main]` of your own, call [`run`] instead.
pub use facetheory_macros::main;

/// The descriptors of route functions, for registering them by hand with [`AppBuilder::routes`]
/// (`routes![home, blog::post]`). Faces linked into the binary are registered anyway by [`run`] and
/// `#[facetheory::main]`; this is for apps that build an [`App`] themselves (tests, axum).
///
/// ```
/// use facetheory::prelude::*;
/// #[face(route = "/")]
/// fn home() -> Page { Page::new(html! { "hi" }) }
/// let app = facetheory::App::builder().routes(facetheory::routes![home]).build().unwrap();
/// assert_eq!(app.routes().count(), 1);
/// ```
pub use facetheory_macros::routes;

/// Runs the site from inside an async runtime you started (`#[tokio::main]`): exactly what
/// `#[facetheory::main]` does after its function returns. Returns the process exit code (0 success, 1
/// failure, 2 usage error).
///
/// ```no_run
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     facetheory::run(facetheory::App::builder()).await
/// }
/// ```
pub async fn run(app: AppBuilder) -> std::process::ExitCode {
    let base = std::env::current_dir().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    let name = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "site".into());
    let version = format!("{name} (facetheory {})", env!("CARGO_PKG_VERSION"));
    cli::run_with_base(app, &base, &version).await
}

#[doc(hidden)]
pub mod __private {
    pub use crate::face::{
        FaceMode, FaceRoute, IntoStaticParams, Registered, ResourceRoute, RouteDescriptor, RouteKind,
    };
    pub use crate::page::{ErasedPage, IntoFaceResult};
    pub use crate::resource::IntoResourceResult;
    pub use crate::state::StateRequirement;
    pub use crate::BoxFuture;
    pub use inventory;

    /// What `#[facetheory::main]` expands to: a runtime, the user's builder function, the site.
    pub fn main_with(
        base: &str,
        site: &str,
        builder: impl std::future::Future<Output = crate::AppBuilder>,
    ) -> std::process::ExitCode {
        let version = format!("{site} (facetheory {})", env!("CARGO_PKG_VERSION"));
        match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(runtime) => runtime.block_on(async { crate::cli::run_with_base(builder.await, base, &version).await }),
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                std::process::ExitCode::from(1)
            }
        }
    }

    use crate::params::{FromParam, FromSegments};
    use crate::{Error, FaceContext};

    /// A one-segment parameter for generated glue; unparsable values answer 404.
    pub fn param<T: FromParam>(ctx: &FaceContext, name: &str) -> Result<T, Error> {
        ctx.param(name).map_err(|e| {
            tracing::debug!(route = ctx.route(), param = name, error = %e, "route parameter did not parse; answering 404");
            Error::not_found()
        })
    }

    /// A state argument for generated glue. The app checked at start-up that it has the value; a context built
    /// without it (a test) gets an internal error naming the type.
    pub fn state<T: 'static>(ctx: &FaceContext) -> Result<&crate::State<T>, Error> {
        ctx.state::<T>().ok_or_else(|| {
            Error::msg(format!("the app has no state of type {} (AppBuilder::state)", std::any::type_name::<T>()))
        })
    }

    /// An extractor argument for generated glue.
    pub async fn extract<T: crate::extract::FromRequest>(ctx: &FaceContext) -> Result<T, Error> {
        T::from_request(ctx).await
    }

    /// A catch-all parameter for generated glue; unparsable values answer 404.
    pub fn segments<T: FromSegments>(ctx: &FaceContext, name: &str) -> Result<T, Error> {
        ctx.segments(name).map_err(|e| {
            tracing::debug!(route = ctx.route(), param = name, error = %e, "route parameter did not parse; answering 404");
            Error::not_found()
        })
    }
}
