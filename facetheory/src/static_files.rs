//! Static files for local runs: `serve` answers `/assets/*` (or any prefix) from a directory, as S3 and
//! CloudFront do in production, with long-lived caching for hashed build output.

use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
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
        match tokio::fs::read(&file).await {
            Ok(bytes) => {
                let len = bytes.len();
                let mut r = Response::new(Body::full(Bytes::from(bytes)));
                let h = r.headers_mut();
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache_control));
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
                Some(r)
            }
            Err(_) => Some(not_found()),
        }
    }
}

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
