//! Route descriptors: what `#[face]` and `#[resource]` generate for each function, and what the route table
//! (compile-time, from `faces/`) and the `inventory` registry (faces declared elsewhere) hold.
//!
//! A descriptor cannot hold an invalid state: each kind of route carries its own handler, an ISR face carries
//! a non-zero `revalidate` and its tags, and parameter names come from the macro, not from re-parsing.

use std::num::NonZeroU64;

use crate::context::FaceContext;
use crate::error::{Error, Result};
use crate::page::ErasedPage;
use crate::resource::ResourceResponse;
use crate::BoxFuture;

pub use facetheory_codegen::methods::MethodSet;
pub use facetheory_codegen::mode::Mode;

/// One set of parameters for a page to pre-render (returned by a `params = …` enumerator).
///
/// ```
/// use facetheory::StaticParams;
/// let p = StaticParams::new().param("slug", "hello").segments("rest", ["a", "b"]);
/// assert_eq!(p.get("slug"), Some(&["hello".to_string()][..]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaticParams(Vec<(String, Vec<String>)>);

impl StaticParams {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a one-segment parameter (decoded value).
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0.push((name.to_string(), vec![value.into()]));
        self
    }

    /// Sets a catch-all parameter (decoded segments).
    pub fn segments<S: Into<String>>(mut self, name: &str, segments: impl IntoIterator<Item = S>) -> Self {
        self.0.push((name.to_string(), segments.into_iter().map(Into::into).collect()));
        self
    }

    /// The value(s) of a parameter.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
}

/// An enumerator of pages to pre-render.
pub(crate) type ParamsFn = fn() -> BoxFuture<Result<Vec<StaticParams>>>;
/// A face's generated glue.
pub(crate) type FaceFn = fn(FaceContext) -> BoxFuture<Result<ErasedPage>>;
/// A resource's generated glue.
pub(crate) type ResourceFn = fn(FaceContext) -> BoxFuture<Result<ResourceResponse>>;

/// What a route is, with the handler that serves it.
#[derive(Clone, Copy)]
pub enum RouteKind {
    /// A page.
    Face(FaceRoute),
    /// A raw route answering the listed methods (HEAD is implied by GET).
    Resource(ResourceRoute),
}

/// A page route.
#[derive(Clone, Copy)]
pub struct FaceRoute {
    /// The generated glue that calls the face.
    pub render: FaceFn,
    /// How it is rendered.
    pub mode: FaceMode,
    /// The app's not-found page (`faces/404.rs`, or `route = "/404"`): rendered with status 404 for every
    /// path no route matches.
    pub not_found: bool,
}

/// A face's render mode with what that mode needs.
#[derive(Clone, Copy)]
pub enum FaceMode {
    /// Rendered on every request.
    Ssr,
    /// Rendered at build time; `params` enumerates the pages of a dynamic route.
    Ssg {
        /// The enumerator (`params = …`).
        params: Option<ParamsFn>,
    },
    /// Cached, regenerated `revalidate` seconds after it was generated.
    Isr {
        /// Freshness, in seconds (at least 1).
        revalidate: NonZeroU64,
        /// Cache tags declared by `#[face(tags = [...])]`.
        tags: &'static [&'static str],
        /// Query parameters that make separate cached variants (`#[face(query = [...])]`); the page sees only
        /// these, every other parameter is ignored.
        query: &'static [&'static str],
        /// Pages to pre-render (optional).
        params: Option<ParamsFn>,
    },
}

impl FaceMode {
    /// The mode's name.
    pub fn mode(&self) -> Mode {
        match self {
            FaceMode::Ssr => Mode::Ssr,
            FaceMode::Ssg { .. } => Mode::Ssg,
            FaceMode::Isr { .. } => Mode::Isr,
        }
    }

    /// The params enumerator, if the mode has one.
    pub fn params(&self) -> Option<ParamsFn> {
        match self {
            FaceMode::Ssr => None,
            FaceMode::Ssg { params } | FaceMode::Isr { params, .. } => *params,
        }
    }
}

/// A resource route.
#[derive(Clone, Copy)]
pub struct ResourceRoute {
    /// The generated glue that calls the resource.
    pub handler: ResourceFn,
    /// Methods answered, upper case (HEAD follows GET).
    pub methods: &'static [&'static str],
}

impl ResourceRoute {
    /// True when the route answers a method that changes state (anything but GET and HEAD).
    pub fn is_mutating(&self) -> bool {
        self.methods.iter().any(|m| *m != "GET" && *m != "HEAD")
    }
}

/// Everything known about one route at compile time.
pub struct RouteDescriptor {
    /// Canonical pattern (`/blog/<slug>`).
    pub pattern: &'static str,
    /// The pattern's parameter names, in order.
    pub params: &'static [&'static str],
    /// Function name.
    pub name: &'static str,
    /// Module path of the function.
    pub module: &'static str,
    /// Source file.
    pub file: &'static str,
    /// Line of the function.
    pub line: u32,
    /// Face or resource, with its handler.
    pub kind: RouteKind,
    /// State types its arguments take (`db: &State<Db>`): the app refuses to start without them.
    pub state: &'static [crate::state::StateRequirement],
}

impl RouteDescriptor {
    /// `file:line`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// The face details, if this is a face.
    pub fn face(&self) -> Option<&FaceRoute> {
        match &self.kind {
            RouteKind::Face(f) => Some(f),
            RouteKind::Resource(_) => None,
        }
    }

    /// The face mode, if this is a face.
    pub fn mode(&self) -> Option<Mode> {
        self.face().map(|f| f.mode.mode())
    }

    /// The methods the route answers: `GET, HEAD` for a face; a resource's list, plus `HEAD` with `GET`.
    pub fn methods(&self) -> MethodSet {
        match &self.kind {
            RouteKind::Face(_) => facetheory_codegen::methods::FACE,
            RouteKind::Resource(r) => MethodSet::resource(r.methods),
        }
    }
}

impl std::fmt::Debug for RouteDescriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteDescriptor")
            .field("pattern", &self.pattern)
            .field("name", &self.name)
            .field("file", &self.file)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// A descriptor registered through `inventory` (every `#[face]` / `#[resource]` submits one).
pub struct Registered(pub &'static RouteDescriptor);

inventory::collect!(Registered);

/// Converts enumerator results.
pub trait IntoStaticParams {
    /// Converts.
    fn into_static_params(self) -> Result<Vec<StaticParams>>;
}

/// Enumerators return the face's generated `<Name>Params` struct (checked at compile time) or, unchecked,
/// [`StaticParams`] (checked when the site is built).
impl<T: Into<StaticParams>> IntoStaticParams for Vec<T> {
    fn into_static_params(self) -> Result<Vec<StaticParams>> {
        Ok(self.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<StaticParams>, E: Into<Error>> IntoStaticParams for std::result::Result<Vec<T>, E> {
    fn into_static_params(self) -> Result<Vec<StaticParams>> {
        self.map(|v| v.into_iter().map(Into::into).collect()).map_err(Into::into)
    }
}
