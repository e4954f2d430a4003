//! Incremental static regeneration: pages cached in an HTML store, with a metadata record and a regeneration
//! lease per cache key.
//!
//! ```text
//! tenant header without tenant config ─► 500 (nothing rendered or written)
//! get(key) ─ fails ─► last-known record readable & serve-stale ? stale-metadata-error : 500
//!   fresh & readable ─► hit
//!   lease acquired ─► regenerate ─ ok ─► miss │ fails ─► serve-stale & previous readable ? stale : 500
//!   lease busy ─► wait: poll until newer/fresh ─► wait-hit │ retry lease ─► regenerate
//!             └─► serve-stale policy & previous readable ? stale : 500 (lock busy)
//! ```
//!
//! Regeneration writes the body first and commits the pointer after, conditional on still holding the lease;
//! a crash between the two leaves the previous page in place. Only `200` renders are cached; the engine serves
//! other statuses once, uncached.
//!
//! ```
//! use facetheory::isr::{IsrRuntime, Revalidation};
//! let isr = IsrRuntime::memory().revalidation(Revalidation::StaleWhileRevalidate);
//! # let _ = isr;
//! ```

#[cfg(feature = "aws")]
mod aws;
mod cache;
pub(crate) mod codec;
#[cfg(any(test, feature = "testing"))]
pub mod conformance;
mod engine;
mod generation;
pub(crate) mod key;
mod policy;
mod revalidate;
mod served;
mod sidecar;

use http::HeaderMap;

#[cfg(feature = "aws")]
pub use aws::{aws_config_from_env, bounded_sdk_loader, s3_client, AwsIsrConfig};
pub use engine::IsrRuntime;
pub use key::CookieVary;
pub use policy::{ContentionPolicy, FailurePolicy, Revalidation};
pub use revalidate::RevalidateError;

#[cfg(feature = "aws")]
pub use crate::meta::DynamoMetaStore;
pub use crate::meta::{FsMetaStore, IsrRecord, Lease, MemoryMetaStore, MetaStore};
pub use facetheory_codegen::limits::{MAX_TAGS, MAX_TAG_LEN};

use crate::render::Rendered;
use crate::BoxFuture;

/// What the `x-facetheory-isr` header says about a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsrState {
    /// Just rendered and cached.
    Miss,
    /// Served from the cache, fresh.
    Hit,
    /// Served from the cache after waiting for another request's regeneration.
    WaitHit,
    /// Served from the cache, expired (regeneration failed, is running elsewhere, or runs after the response).
    Stale,
    /// Served from the last record this process read, because the metadata store failed.
    StaleMetadataError,
}

impl IsrState {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            IsrState::Miss => "miss",
            IsrState::Hit => "hit",
            IsrState::WaitHit => "wait-hit",
            IsrState::Stale => "stale",
            IsrState::StaleMetadataError => "stale-metadata-error",
        }
    }
}

/// Render headers kept on cached pages besides the content type and CSP (everything else a render sets is
/// dropped: it may be per-request, like `set-cookie`). Applied on write and again on read.
pub(crate) const KEPT_HEADERS: &[&str] = &["content-language", "link", "x-frame-options", "x-robots-tag"];

/// True for a header a cached page may carry.
pub(crate) fn is_shareable_header(name: &str) -> bool {
    name == "content-type" || name == "content-security-policy" || KEPT_HEADERS.contains(&name)
}

/// Drops every header a cached page may not share between viewers.
pub(crate) fn keep_shareable_headers(headers: &mut HeaderMap) {
    let names: Vec<http::HeaderName> = headers.keys().filter(|n| !is_shareable_header(n.as_str())).cloned().collect();
    for name in names {
        headers.remove(name);
    }
}

/// The generation a render produces: where its HTML and hydration sidecar will be stored, known before the
/// render so that the page can point at its own sidecar.
#[derive(Clone, Debug)]
pub struct Generation {
    /// The store key of the HTML.
    pub html_pointer: String,
}

impl Generation {
    /// `….html` → `….hydration.json`.
    pub fn hydration_pointer(&self) -> String {
        codec::hydration_pointer(&self.html_pointer)
    }

    /// The value of the hydration query parameter for this generation (base64url of the sidecar pointer, no
    /// padding).
    pub fn hydration_param(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.hydration_pointer())
    }
}

/// Regeneration left to run after the response has been sent ([`Revalidation::StaleWhileRevalidate`]).
pub struct Background(pub BoxFuture<()>);

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Background(..)")
    }
}

/// What the engine answers.
#[derive(Debug)]
pub enum IsrOutcome {
    /// A cached (or just cached) page.
    Served {
        /// The cache state.
        state: IsrState,
        /// The page, its headers as served: `content-length`, `cache-control` for its freshness,
        /// `x-facetheory-isr` and its `ETag` included.
        page: Rendered<bytes::Bytes>,
        /// Its strong ETag.
        etag: Option<String>,
        /// Its freshness.
        revalidate_seconds: u64,
        /// Regeneration to run once this response has been sent (stale-while-revalidate).
        background: Option<Background>,
    },
    /// A render that is not cached (status other than 200): serve it once.
    Uncached(Rendered<bytes::Bytes>),
}

#[cfg(test)]
mod tests;
