//! Incremental static regeneration (FaceTheory E1–E11, §3.3): pages cached in an HTML store, with a metadata
//! record and a regeneration lease per cache key.
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

#[cfg(feature = "aws")]
mod aws;
pub mod conformance;
#[cfg(feature = "aws")]
mod dynamodb;
mod fs_meta;
pub mod key;
mod meta;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

#[cfg(feature = "aws")]
pub use aws::{aws_config_from_env, s3_client, AwsIsrConfig};
#[cfg(feature = "aws")]
pub use dynamodb::DynamoMetaStore;
pub use fs_meta::FsMetaStore;
pub use key::CookieVary;
pub use meta::{IsrRecord, Lease, MemoryMetaStore, MetaStore};

use crate::context::FaceContext;
use crate::error::Error;
use crate::store::{Blob, BlobStore, FsStore, MemoryStore};

/// What the `x-facetheory-isr` header says about a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsrState {
    Miss,
    Hit,
    WaitHit,
    Stale,
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

/// What to do when regeneration fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Serve the previous page (`stale`) when there is one (default).
    ServeStale,
    /// Answer 500.
    Error,
}

/// What to do when another request holds the regeneration lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentionPolicy {
    /// Wait (polling) for the other regeneration, up to the wait timeout (default).
    Wait,
    /// Serve the previous page at once.
    ServeStale,
}

/// `cache-control` of ISR responses (FaceTheory's blocking helper, E11).
pub fn blocking_cache_control(revalidate_seconds: u64) -> String {
    format!("public, max-age=0, s-maxage=0, stale-if-error={revalidate_seconds}, must-revalidate")
}

/// Render headers kept on cached pages (everything else a render sets is dropped: it may be per-request).
pub const KEPT_HEADERS: &[&str] = &["content-language", "link", "x-robots-tag"];

type TenantFn = dyn Fn(&FaceContext) -> Option<String> + Send + Sync;
type ClockFn = dyn Fn() -> u64 + Send + Sync;

/// The ISR stores and policies of an app.
#[derive(Clone)]
pub struct IsrRuntime {
    html: Arc<dyn BlobStore>,
    meta: Arc<dyn MetaStore>,
    clock: Arc<ClockFn>,
    lease_ms: u64,
    wait_timeout: Duration,
    poll: Duration,
    failure: FailurePolicy,
    contention: ContentionPolicy,
    pointer_prefix: String,
    tenant: Option<Arc<TenantFn>>,
    cookies: CookieVary,
    last_known: Arc<Mutex<HashMap<String, IsrRecord>>>,
    bodies: Arc<Mutex<BodyCache>>,
}

/// Recently served bodies by pointer. A pointer names one generation and is never reused, so a cached body can
/// never be stale: a hit needs only the metadata read.
#[derive(Default)]
struct BodyCache {
    map: HashMap<String, Rendered>,
    order: std::collections::VecDeque<String>,
    bytes: usize,
}

const BODY_CACHE_ENTRIES: usize = 512;
const BODY_CACHE_BYTES: usize = 64 * 1024 * 1024;

impl BodyCache {
    fn get(&self, pointer: &str) -> Option<Rendered> {
        self.map.get(pointer).cloned()
    }

    fn insert(&mut self, pointer: &str, page: &Rendered) {
        if page.body.len() > BODY_CACHE_BYTES / 4 || self.map.contains_key(pointer) {
            return;
        }
        self.bytes += page.body.len();
        self.map.insert(pointer.to_string(), page.clone());
        self.order.push_back(pointer.to_string());
        while self.map.len() > BODY_CACHE_ENTRIES || self.bytes > BODY_CACHE_BYTES {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(p) = self.map.remove(&old) {
                self.bytes -= p.body.len();
            }
        }
    }
}

/// A rendered page, as the engine stores it.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub status: u16,
    pub content_type: String,
    pub csp: Option<String>,
    pub kept_headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// What the engine answers.
#[derive(Debug)]
pub enum IsrOutcome {
    /// A cached (or just cached) page.
    Served { state: IsrState, page: Rendered, etag: Option<String>, revalidate_seconds: u64 },
    /// A render that is not cached (status other than 200): serve it once.
    Uncached(Rendered),
}

const LAST_KNOWN_CAPACITY: usize = 1024;

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl IsrRuntime {
    /// A runtime over these stores, with FaceTheory's defaults: lease 5 s, wait 7 s polling every 25 ms,
    /// serve stale on failure, wait on contention, pointers under `isr/`, default tenant.
    pub fn new(html: impl BlobStore, meta: impl MetaStore) -> Self {
        IsrRuntime {
            html: Arc::new(html),
            meta: Arc::new(meta),
            clock: Arc::new(now_ms),
            lease_ms: 5_000,
            wait_timeout: Duration::from_millis(7_000),
            poll: Duration::from_millis(25),
            failure: FailurePolicy::ServeStale,
            contention: ContentionPolicy::Wait,
            pointer_prefix: "isr/".into(),
            tenant: None,
            cookies: CookieVary::All,
            last_known: Arc::new(Mutex::new(HashMap::new())),
            bodies: Arc::new(Mutex::new(BodyCache::default())),
        }
    }

    /// In-memory stores (tests, one process).
    pub fn memory() -> Self {
        Self::new(MemoryStore::default(), MemoryMetaStore::default())
    }

    /// The embedded default for local runs: HTML and metadata under `dir`, surviving restarts and shared
    /// safely by processes on one machine.
    pub fn local(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self::new(FsStore::new(dir.join("html")), FsMetaStore::new(dir.join("meta")))
    }

    /// Replaces the clock (ms since the epoch), for tests.
    pub fn clock(mut self, f: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(f);
        self
    }

    /// Lease duration (a crashed regenerator blocks others at most this long).
    pub fn lease(mut self, d: Duration) -> Self {
        self.lease_ms = d.as_millis() as u64;
        self
    }

    /// How long a request waits for another's regeneration, and how often it looks.
    pub fn wait(mut self, timeout: Duration, poll: Duration) -> Self {
        self.wait_timeout = timeout;
        self.poll = poll.max(Duration::from_millis(1));
        self
    }

    /// Failure policy.
    pub fn on_failure(mut self, p: FailurePolicy) -> Self {
        self.failure = p;
        self
    }

    /// Contention policy.
    pub fn on_contention(mut self, p: ContentionPolicy) -> Self {
        self.contention = p;
        self
    }

    /// The tenant of a request (part of every key). Without it, requests carrying `x-tenant-id` or
    /// `x-facetheory-tenant` fail closed.
    pub fn tenant(mut self, f: impl Fn(&FaceContext) -> Option<String> + Send + Sync + 'static) -> Self {
        self.tenant = Some(Arc::new(f));
        self
    }

    /// Which cookies make variants (default: all).
    pub fn vary_cookies(mut self, names: &[&str]) -> Self {
        self.cookies = CookieVary::Only(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// The cache key of a request, or the fail-closed error.
    pub fn cache_key(&self, ctx: &FaceContext, route: &str) -> Result<String, Error> {
        let tenant = match &self.tenant {
            Some(f) => {
                f(ctx).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).unwrap_or_else(|| "default".into())
            }
            None => {
                if let Some(h) = key::tenant_header(ctx) {
                    return Err(Error::msg(format!(
                        "ISR tenant boundary header {h} requires explicit tenant configuration (IsrRuntime::tenant)"
                    )));
                }
                "default".into()
            }
        };
        Ok(key::default_cache_key(&tenant, route, ctx, &self.cookies))
    }

    fn remember(&self, key: &str, rec: &IsrRecord) {
        let mut map = self.last_known.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= LAST_KNOWN_CAPACITY && !map.contains_key(key) {
            map.clear();
        }
        map.insert(key.to_string(), rec.clone());
    }

    fn last_known(&self, key: &str) -> Option<IsrRecord> {
        self.last_known.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }

    async fn read(&self, rec: &IsrRecord) -> Option<Rendered> {
        if let Some(page) = self.bodies.lock().unwrap_or_else(|p| p.into_inner()).get(&rec.html_pointer) {
            return Some(page);
        }
        match self.html.get(&rec.html_pointer).await {
            Ok(Some(blob)) => {
                let page = from_blob(blob);
                self.bodies.lock().unwrap_or_else(|p| p.into_inner()).insert(&rec.html_pointer, &page);
                Some(page)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "ISR html read failed");
                None
            }
        }
    }

    async fn serve_record(&self, rec: &IsrRecord, state: IsrState) -> Option<IsrOutcome> {
        let page = self.read(rec).await?;
        Some(IsrOutcome::Served { state, page, etag: rec.etag.clone(), revalidate_seconds: rec.revalidate_seconds })
    }

    /// Serves a page for `ctx` through the cache, calling `render` when it must regenerate.
    pub async fn serve<F, Fut>(
        &self,
        ctx: &FaceContext,
        route: &str,
        revalidate_seconds: u64,
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Rendered, Error>>,
    {
        let key = self.cache_key(ctx, route)?;
        let now = (self.clock)();
        let record = match self.meta.get(&key).await {
            Ok(r) => r,
            Err(e) => return self.metadata_failure(&key, e).await,
        };
        if let Some(rec) = &record {
            self.remember(&key, rec);
            if rec.is_fresh(now) {
                if let Some(hit) = self.serve_record(rec, IsrState::Hit).await {
                    return Ok(hit);
                }
            }
        }
        let lease = match self.meta.try_acquire_lease(&key, now, self.lease_ms).await {
            Ok(l) => l,
            Err(e) => return self.metadata_failure(&key, e).await,
        };
        if let Some(lease) = lease {
            return self.regenerate(&key, lease, record.as_ref(), revalidate_seconds, render).await;
        }
        tracing::debug!(key, "ISR lease held elsewhere");
        if self.contention == ContentionPolicy::Wait {
            let started = Instant::now();
            while started.elapsed() < self.wait_timeout {
                tokio::time::sleep(self.poll).await;
                if let Ok(Some(rec)) = self.meta.get(&key).await {
                    let newer = record.as_ref().is_none_or(|old| rec.generated_at_ms > old.generated_at_ms);
                    if newer || rec.is_fresh((self.clock)()) {
                        if let Some(hit) = self.serve_record(&rec, IsrState::WaitHit).await {
                            self.remember(&key, &rec);
                            return Ok(hit);
                        }
                    }
                }
            }
            if let Ok(Some(lease)) = self.meta.try_acquire_lease(&key, (self.clock)(), self.lease_ms).await {
                return self.regenerate(&key, lease, record.as_ref(), revalidate_seconds, render).await;
            }
        }
        if self.contention == ContentionPolicy::ServeStale || self.failure == FailurePolicy::ServeStale {
            if let Some(rec) = &record {
                if let Some(stale) = self.serve_record(rec, IsrState::Stale).await {
                    return Ok(stale);
                }
            }
        }
        Err(Error::msg(format!("ISR regeneration lock is busy for key {key:?}")))
    }

    async fn metadata_failure(&self, key: &str, err: crate::store::StoreError) -> Result<IsrOutcome, Error> {
        tracing::error!(key, error = %err, "ISR metadata store failed");
        if self.failure == FailurePolicy::ServeStale {
            if let Some(rec) = self.last_known(key) {
                if let Some(out) = self.serve_record(&rec, IsrState::StaleMetadataError).await {
                    return Ok(out);
                }
            }
        }
        Err(err.into())
    }

    async fn regenerate<F, Fut>(
        &self,
        key: &str,
        lease: Lease,
        previous: Option<&IsrRecord>,
        revalidate_seconds: u64,
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Rendered, Error>>,
    {
        let result = self.regenerate_inner(key, &lease, revalidate_seconds, render).await;
        if let Err(e) = self.meta.release(key, &lease).await {
            tracing::warn!(key, error = %e, "ISR lease release failed (it expires on its own)");
        }
        match result {
            Ok(out) => Ok(out),
            // Not-found and redirects are answers, not failures: no stale page stands in for them.
            Err(e) if !matches!(e.kind(), crate::ErrorKind::Internal(_)) => Err(e),
            Err(e) => {
                tracing::error!(key, error = %e, "ISR regeneration failed");
                if self.failure == FailurePolicy::ServeStale {
                    if let Some(prev) = previous {
                        if let Some(stale) = self.serve_record(prev, IsrState::Stale).await {
                            return Ok(stale);
                        }
                    }
                }
                Err(e)
            }
        }
    }

    async fn regenerate_inner<F, Fut>(
        &self,
        key: &str,
        lease: &Lease,
        revalidate_seconds: u64,
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Rendered, Error>>,
    {
        let generated_at = (self.clock)();
        let page = render().await?;
        if page.status >= 500 {
            return Err(Error::msg(format!("ISR regeneration produced status {}", page.status)));
        }
        if page.status != 200 {
            return Ok(IsrOutcome::Uncached(page));
        }
        let pointer =
            format!("{}{}/{generated_at}-{}.html", self.pointer_prefix, key::digest24(key), uuid::Uuid::new_v4());
        let etag = format!("\"{}\"", key::digest24(&String::from_utf8_lossy(&page.body)));
        // Body first, pointer second: until the commit, readers keep getting the previous page.
        self.html.put(&pointer, to_blob(&page, revalidate_seconds)).await?;
        let record = IsrRecord {
            html_pointer: pointer,
            generated_at_ms: generated_at,
            revalidate_seconds,
            etag: Some(etag.clone()),
        };
        if !self.meta.commit(key, lease, record.clone(), (self.clock)()).await? {
            tracing::warn!(key, "ISR lease lost before commit; serving this render without caching it");
        } else {
            self.remember(key, &record);
            self.bodies.lock().unwrap_or_else(|p| p.into_inner()).insert(&record.html_pointer, &page);
        }
        Ok(IsrOutcome::Served { state: IsrState::Miss, page, etag: Some(etag), revalidate_seconds })
    }
}

fn to_blob(page: &Rendered, revalidate_seconds: u64) -> Blob {
    let mut metadata = BTreeMap::from([
        ("facetheory-status".to_string(), page.status.to_string()),
        ("facetheory-content-type".to_string(), page.content_type.clone()),
    ]);
    if let Some(csp) = &page.csp {
        metadata.insert("facetheory-content-security-policy".into(), csp.clone());
    }
    for (name, value) in &page.kept_headers {
        metadata.insert(format!("facetheory-header-{name}"), value.clone());
    }
    Blob {
        body: page.body.clone(),
        content_type: page.content_type.clone(),
        cache_control: Some(blocking_cache_control(revalidate_seconds)),
        metadata,
    }
}

fn from_blob(blob: Blob) -> Rendered {
    let kept_headers = blob
        .metadata
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("facetheory-header-").map(|n| (n.to_string(), v.clone())))
        .collect();
    Rendered {
        status: blob
            .metadata
            .get("facetheory-status")
            .and_then(|s| s.parse().ok())
            .filter(|s| (100..600).contains(s))
            .unwrap_or(200),
        content_type: blob.metadata.get("facetheory-content-type").cloned().unwrap_or(blob.content_type),
        csp: blob.metadata.get("facetheory-content-security-policy").cloned(),
        kept_headers,
        body: blob.body,
    }
}

#[cfg(test)]
mod tests;
