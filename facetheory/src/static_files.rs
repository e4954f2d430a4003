//! Static files for local runs: `serve` answers `/assets/*` (or any prefix) from a directory, as S3 and
//! CloudFront do in production, with long-lived caching for hashed build output.

use std::path::{Component, Path, PathBuf};

use http::{header, HeaderValue, Response, StatusCode};

use crate::body::Body;

/// A URL prefix served from a directory.
#[derive(Debug, Clone)]
pub(crate) struct StaticDir {
    prefix: String,
    dir: PathBuf,
    cache_control: &'static str,
}

impl StaticDir {
    /// The URL prefix (`/assets`).
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The directory served.
    pub(crate) fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Serves `dir` under `prefix` (e.g. `/assets`). `cache-control` is `public, max-age=31536000, immutable`,
    /// right for content-hashed build output.
    pub(crate) fn new(prefix: &str, dir: impl Into<PathBuf>) -> Self {
        StaticDir {
            prefix: format!("/{}", prefix.trim_matches('/')),
            dir: dir.into(),
            cache_control: crate::cache_control::ASSET,
        }
    }

    /// What a request path names below this directory.
    fn file_for(&self, path: &str) -> Lookup {
        let Some(rest) = path.strip_prefix(&self.prefix).and_then(|r| r.strip_prefix('/')) else {
            return Lookup::Outside;
        };
        let Ok(decoded) = crate::params::percent_decode(rest) else { return Lookup::Refused };
        let rel = Path::new(decoded.as_ref());
        // Only plain names: no `..`, no absolute paths, no empty parts.
        let safe = !decoded.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if safe {
            Lookup::File(self.dir.join(rel))
        } else {
            Lookup::Refused
        }
    }

    /// Answers the request if its path is under the prefix (`None` otherwise): the file, or 404.
    pub(crate) async fn respond(&self, path: &str) -> Option<Response<Body>> {
        let file = match self.file_for(path) {
            Lookup::Outside => return None,
            Lookup::Refused => return Some(not_found()),
            Lookup::File(file) => file,
        };
        Some(self.stream_file(&file).await.unwrap_or_else(not_found))
    }

    /// The file as a streamed body (64 KiB chunks, so slow readers of a large asset hold one chunk each), or
    /// `None` when it is missing, not a regular file, or resolves outside the directory (a symlink out).
    async fn stream_file(&self, file: &Path) -> Option<Response<Body>> {
        let root = tokio::fs::canonicalize(&self.dir).await.ok()?;
        let real = tokio::fs::canonicalize(file).await.ok()?;
        if !real.starts_with(&root) {
            tracing::warn!(file = %file.display(), "static file resolves outside its directory; refused");
            return None;
        }
        let handle = tokio::fs::File::open(&real).await.ok()?;
        let meta = handle.metadata().await.ok()?;
        if !meta.is_file() {
            return None;
        }
        let chunks = futures_util::stream::unfold(Some(handle), |state| async move {
            use tokio::io::AsyncReadExt;
            let mut handle = state?;
            let mut buf = bytes::BytesMut::with_capacity(STREAM_CHUNK);
            match handle.read_buf(&mut buf).await {
                Ok(0) => None,
                Ok(_) => Some((buf.freeze(), Some(handle))),
                Err(e) => {
                    // The length is already sent: ending early makes the client see a short body, not a lie.
                    tracing::warn!(error = %e, "static file read failed mid-body");
                    None
                }
            }
        });
        let mut r = Response::new(Body::streaming([], Box::pin(chunks)));
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache_control));
        h.insert(header::CONTENT_LENGTH, crate::response::content_length(meta.len() as usize));
        Some(r)
    }
}

/// Bytes read per chunk of a streamed static file.
const STREAM_CHUNK: usize = 64 * 1024;

/// A request path, seen from a static directory.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// Not under the prefix.
    Outside,
    /// Under it, but not a plain relative file name.
    Refused,
    /// This file.
    File(PathBuf),
}

fn not_found() -> Response<Body> {
    let mut r = Response::new(Body::full("Not Found"));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") => "text/plain; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_files_under_the_prefix() {
        let s = StaticDir::new("/assets/", "/srv/dist/assets");
        assert_eq!(s.file_for("/other/x.js"), Lookup::Outside);
        assert_eq!(s.file_for("/assetsx/x.js"), Lookup::Outside);
        assert_eq!(s.file_for("/assets/app-1.js"), Lookup::File(PathBuf::from("/srv/dist/assets/app-1.js")));
        assert_eq!(s.file_for("/assets/../secret"), Lookup::Refused);
        assert_eq!(s.file_for("/assets/%2e%2e/secret"), Lookup::Refused);
        assert_eq!(s.file_for("/assets//etc/passwd"), Lookup::Refused);
        assert_eq!(s.file_for("/assets/"), Lookup::Refused);
    }
}
