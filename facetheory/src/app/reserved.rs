//! The endpoints the app answers itself, reached through the same table as faces: signed SSR hydration
//! sidecars, SSG hydration data (when serving locally; on AWS the files are on S3), on-demand revalidation,
//! and static directories.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Response, StatusCode};

use super::table::Reserved;
use super::App;
use crate::body::{Body, RequestBody};
use crate::cache_control;
use crate::context::{FaceContext, RequestInfo};
use crate::hydration::{page_of_data_path, Rejection};
use crate::response::{json_bytes, not_found_no_store};

impl App {
    pub(super) async fn reserved<B>(
        &self,
        endpoint: Reserved,
        request: &Arc<RequestInfo>,
        rest: &str,
        body: B,
    ) -> Response<Body>
    where
        B: RequestBody,
    {
        let read = request.method == Method::GET || request.method == Method::HEAD;
        match endpoint {
            Reserved::SsrSidecar => self.ssr_sidecar(request, rest, read).await,
            Reserved::Revalidate => match &self.inner.revalidate_secret {
                Some(secret) => crate::revalidate::respond(self.inner.scope.isr.as_ref(), secret, request, body).await,
                None => self.not_found(request).await,
            },
            Reserved::SsgData if read => self.ssg_data(rest).await,
            Reserved::StaticDir(i) if read => match self.inner.static_dirs[i].respond(&request.path).await {
                Some(res) => res,
                None => not_found_no_store(),
            },
            Reserved::Runtime if read && rest == *crate::sections::MODULE_FILE => crate::response::bytes_with(
                StatusCode::OK,
                "text/javascript; charset=utf-8",
                cache_control::ASSET,
                bytes::Bytes::from_static(crate::sections::MODULE_SOURCE.as_bytes()),
            ),
            Reserved::Runtime => not_found_no_store(),
            Reserved::SsgData | Reserved::StaticDir(_) => self.not_found(request).await,
        }
    }

    /// `GET <prefix>/<token>`: the sidecar JSON when everything checks out, else a plain 404 (the reason is
    /// logged, never sent).
    async fn ssr_sidecar(&self, request: &Arc<RequestInfo>, token: &str, read: bool) -> Response<Body> {
        let Some(sidecars) = &self.inner.sidecars else { return not_found_no_store() };
        let result = if read {
            let ctx = FaceContext::new(Arc::clone(request), "", Vec::new());
            sidecars.resolve(&ctx, token).await
        } else {
            Err(Rejection::MalformedToken)
        };
        match result {
            Ok(body) => json_bytes(StatusCode::OK, body, cache_control::NO_STORE),
            Err(reason) => {
                tracing::info!(
                    target: "facetheory::request",
                    phase = "ssr-hydration-sidecar",
                    reason = reason.as_str(),
                    request_id = %request.request_id,
                    "sidecar request refused"
                );
                not_found_no_store()
            }
        }
    }

    /// `/_facetheory/data/<p>.json` when serving locally: renders the SSG page at `<p>` as `build` does and
    /// answers its hydration data.
    async fn ssg_data(&self, rest: &str) -> Response<Body> {
        let Some(page_path) = page_of_data_path(rest) else { return not_found_no_store() };
        let Ok(page) = self.render_static(&page_path).await else { return not_found_no_store() };
        let Some(data) = page.sidecar else { return not_found_no_store() };
        let mut body = data.to_vec();
        body.push(b'\n');
        json_bytes(StatusCode::OK, Bytes::from(body), cache_control::SSG)
    }
}
