//! Rendering an SSG page by path, without a request: what `build` writes and what the local server answers
//! for `/_facetheory/data/*`.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use super::table::{Endpoint, Resolution};
use super::App;
use crate::context::{FaceContext, RequestInfo};
use crate::error::{Error, ErrorKind};
use crate::face::Mode;
use crate::render::{render, MissingEntries, RenderError, RenderPlan, Rendered};
use crate::route::TrailingSlash;
use crate::unwind;

/// Why an SSG page could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum StaticRenderError {
    /// No SSG face matches the path.
    #[error("no SSG page matches {0:?}")]
    NoPage(String),
    /// The face answered with an error (not found, a redirect, or a failure).
    #[error("the face failed: {0}")]
    Face(Error),
    /// The page could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl StaticRenderError {
    /// The status a request would have been answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            StaticRenderError::NoPage(_) => StatusCode::NOT_FOUND,
            StaticRenderError::Face(e) => match e.kind() {
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
                ErrorKind::Redirect { status, .. } | ErrorKind::Client { status, .. } => *status,
                ErrorKind::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            StaticRenderError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl App {
    /// Renders the SSG page at `path` exactly as `build` writes it: hashes instead of nonces, strict
    /// hydration data in [`Rendered::sidecar`] (for `_facetheory/data/<path>.json`), SSG `cache-control`.
    /// The not-found face renders with status 404.
    ///
    /// ```
    /// # async fn f(app: facetheory::App) {
    /// match app.render_static("/about").await {
    ///     Ok(page) => assert_eq!(page.status, 200),
    ///     Err(e) => eprintln!("{e}"),
    /// }
    /// # }
    /// ```
    pub async fn render_static(&self, path: &str) -> Result<Rendered<Bytes>, StaticRenderError> {
        let no_page = || StaticRenderError::NoPage(path.to_string());
        let Resolution::Found(group, found) = self.inner.table.resolve(path, TrailingSlash::Strict) else {
            return Err(no_page());
        };
        let Ok(entry) = super::table::for_method(group, &Method::GET) else { return Err(no_page()) };
        let Endpoint::Route(desc) = entry.endpoint else { return Err(no_page()) };
        let Some(face) = desc.face().filter(|f| f.mode.mode() == Mode::Ssg) else { return Err(no_page()) };
        let request = Arc::new(
            RequestInfo::new(
                Method::GET,
                path.to_string(),
                String::new(),
                HeaderMap::new(),
                crate::request_id::RequestId::fresh(),
            )
            .with_app(Arc::clone(&self.inner.scope), http::Extensions::new()),
        );
        let ctx = FaceContext::new(Arc::clone(&request), desc.pattern, entry.captures(&found));
        let page = unwind::call((face.render)(ctx)).await.map_err(StaticRenderError::Face)?;
        // A release build fails a page whose island entry is not built; a debug build renders it without.
        let missing = if cfg!(debug_assertions) { MissingEntries::Warn } else { MissingEntries::Fail };
        let plan = RenderPlan::ssg()
            .with_defaults(&self.inner.page_defaults, missing)
            .with_status(face.not_found.then_some(StatusCode::NOT_FOUND));
        let rendered = render(page, plan, &request, desc.pattern).await?;
        Ok(rendered.buffered().await)
    }
}
