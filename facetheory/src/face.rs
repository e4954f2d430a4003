//! Route descriptors: what `#[face]` and `#[resource]` generate for each function, and what the route table
//! (compile-time, from `faces/`) and the `inventory` registry (faces declared elsewhere) hold.

use std::future::Future;
use std::pin::Pin;

use crate::context::FaceContext;
use crate::error::{Error, Result};
use crate::page::ErasedPage;
use crate::resource::ResourceResponse;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

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
pub type ParamsFn = fn() -> BoxFuture<Result<Vec<StaticParams>>>;
/// A face's generated glue.
pub type FaceFn = fn(FaceContext) -> BoxFuture<Result<ErasedPage>>;
/// A resource's generated glue.
pub type ResourceFn = fn(FaceContext) -> BoxFuture<Result<ResourceResponse>>;

/// Face or resource specifics.
#[derive(Clone, Copy)]
pub enum RouteKind {
    /// A page.
    Face {
        mode: Mode,
        revalidate: Option<u64>,
        params: Option<ParamsFn>,
        /// ISR cache tags declared by `#[face(tags = [...])]`.
        tags: &'static [&'static str],
    },
    /// A raw route answering the listed methods (HEAD is implied by GET).
    Resource { methods: &'static [&'static str] },
}

/// The generated glue to call.
#[derive(Clone, Copy)]
pub enum Handler {
    /// A face.
    Face(FaceFn),
    /// A resource.
    Resource(ResourceFn),
}

/// Everything known about one route at compile time.
pub struct RouteDescriptor {
    /// Canonical pattern (`/blog/<slug>`).
    pub pattern: &'static str,
    /// Function name.
    pub name: &'static str,
    /// Module path of the function.
    pub module: &'static str,
    /// Source file.
    pub file: &'static str,
    /// Line of the function.
    pub line: u32,
    /// Face or resource details.
    pub kind: RouteKind,
    /// The glue to call.
    pub handler: Handler,
}

impl RouteDescriptor {
    /// `file:line`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// The face mode, if this is a face.
    pub fn mode(&self) -> Option<Mode> {
        match self.kind {
            RouteKind::Face { mode, .. } => Some(mode),
            RouteKind::Resource { .. } => None,
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
