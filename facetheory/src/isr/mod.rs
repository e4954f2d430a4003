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
use crate::face::BoxFuture;
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

/// How a stale page is revalidated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revalidation {
    /// The request that finds the page stale regenerates it and waits (FaceTheory's behaviour, the default).
    Blocking,
    /// Stale-while-revalidate: serve the stale page at once (`x-facetheory-isr: stale`) and regenerate after
    /// the response has been sent, under the same lease. A page never generated still blocks once.
    StaleWhileRevalidate,
}

/// Query parameter of ISR hydration sidecar requests (FaceTheory E9).
pub const HYDRATION_PARAM: &str = "__facetheory_isr_hydration";

/// Most tags one page may carry (its `path:` and `route:` tags included). DynamoDB writes the tag index in the
/// commit transaction, which holds at most 100 items.
pub const MAX_TAGS: usize = 64;
/// Longest tag, in bytes (as Next.js).
pub const MAX_TAG_LEN: usize = 256;

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
    revalidation: Revalidation,
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
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub status: u16,
    pub content_type: String,
    pub csp: Option<String>,
    pub kept_headers: Vec<(String, String)>,
    pub body: Bytes,
    /// Tags of the page (the engine adds `path:<path>` and `route:<pattern>`).
    pub tags: Vec<String>,
    /// Hydration data kept beside the page (strict-CSP pages, FaceTheory E9), stored at
    /// [`Generation::hydration_pointer`].
    pub hydration: Option<Bytes>,
}

/// The generation a render produces: where its HTML and hydration sidecar will be stored, known before the
/// render so that the page can point at its own sidecar.
#[derive(Clone, Debug)]
pub struct Generation {
    pub html_pointer: String,
}

impl Generation {
    /// `….html` → `….hydration.json`.
    pub fn hydration_pointer(&self) -> String {
        hydration_pointer(&self.html_pointer)
    }

    /// The value of [`HYDRATION_PARAM`] for this generation (base64url of the sidecar pointer, no padding).
    pub fn hydration_param(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.hydration_pointer())
    }
}

fn hydration_pointer(html_pointer: &str) -> String {
    format!("{}.hydration.json", html_pointer.strip_suffix(".html").unwrap_or(html_pointer))
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
        state: IsrState,
        page: Rendered,
        etag: Option<String>,
        revalidate_seconds: u64,
        /// Regeneration to run once this response has been sent (stale-while-revalidate).
        background: Option<Background>,
    },
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
            revalidation: Revalidation::Blocking,
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

    /// How stale pages are revalidated (default [`Revalidation::Blocking`]).
    pub fn revalidation(mut self, r: Revalidation) -> Self {
        self.revalidation = r;
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
        Some(IsrOutcome::Served {
            state,
            page,
            etag: rec.etag.clone(),
            revalidate_seconds: rec.revalidate_seconds,
            background: None,
        })
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
        F: FnOnce(Generation) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Rendered, Error>> + Send + 'static,
    {
        let key = self.cache_key(ctx, route)?;
        let implicit = [format!("path:{}", normalize_path(ctx.path())), format!("route:{route}")];
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
            } else if self.revalidation == Revalidation::StaleWhileRevalidate {
                // An unreadable stale body falls through to a blocking regeneration.
                if let Some(page) = self.read(rec).await {
                    let background = match self.meta.try_acquire_lease(&key, now, self.lease_ms).await {
                        Ok(Some(lease)) => {
                            Some(self.background(key, lease, rec.clone(), revalidate_seconds, implicit, render))
                        }
                        // Another request is regenerating it.
                        Ok(None) => None,
                        Err(e) => {
                            tracing::warn!(key, error = %e, "ISR lease failed; serving stale without regenerating");
                            None
                        }
                    };
                    return Ok(IsrOutcome::Served {
                        state: IsrState::Stale,
                        page,
                        etag: rec.etag.clone(),
                        revalidate_seconds: rec.revalidate_seconds,
                        background,
                    });
                }
            }
        }
        let lease = match self.meta.try_acquire_lease(&key, now, self.lease_ms).await {
            Ok(l) => l,
            Err(e) => return self.metadata_failure(&key, e).await,
        };
        if let Some(lease) = lease {
            return self.regenerate(&key, lease, record.as_ref(), revalidate_seconds, &implicit, render).await;
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
                return self.regenerate(&key, lease, record.as_ref(), revalidate_seconds, &implicit, render).await;
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

    fn background<F, Fut>(
        &self,
        key: String,
        lease: Lease,
        previous: IsrRecord,
        revalidate_seconds: u64,
        implicit: [String; 2],
        render: F,
    ) -> Background
    where
        F: FnOnce(Generation) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Rendered, Error>> + Send + 'static,
    {
        let rt = self.clone();
        Background(Box::pin(async move {
            let result = rt.regenerate(&key, lease, Some(&previous), revalidate_seconds, &implicit, render).await;
            match result {
                Ok(IsrOutcome::Served { state: IsrState::Miss, .. }) => {
                    tracing::debug!(key, "ISR background regeneration committed")
                }
                Ok(_) => tracing::warn!(key, "ISR background regeneration did not produce a cacheable page"),
                Err(e) => tracing::error!(key, error = %e, "ISR background regeneration failed; the stale page stays"),
            }
        }))
    }

    async fn regenerate<F, Fut>(
        &self,
        key: &str,
        lease: Lease,
        previous: Option<&IsrRecord>,
        revalidate_seconds: u64,
        implicit: &[String; 2],
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut,
        Fut: Future<Output = Result<Rendered, Error>>,
    {
        let result = self.regenerate_inner(key, &lease, revalidate_seconds, implicit, render).await;
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
        implicit: &[String; 2],
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut,
        Fut: Future<Output = Result<Rendered, Error>>,
    {
        let generated_at = (self.clock)();
        let pointer =
            format!("{}{}/{generated_at}-{}.html", self.pointer_prefix, key::digest24(key), uuid::Uuid::new_v4());
        let generation = Generation { html_pointer: pointer.clone() };
        let mut page = render(generation.clone()).await?;
        if page.status >= 500 {
            return Err(Error::msg(format!("ISR regeneration produced status {}", page.status)));
        }
        if page.status != 200 {
            return Ok(IsrOutcome::Uncached(page));
        }
        page.tags = checked_tags(key, implicit, std::mem::take(&mut page.tags));
        let etag = body_etag(&page.body);
        // Sidecar and body first, pointer second: until the commit, readers keep getting the previous page.
        if let Some(data) = &page.hydration {
            self.html.put(&generation.hydration_pointer(), hydration_blob(data)).await?;
        }
        self.html.put(&pointer, to_blob(&page, revalidate_seconds)).await?;
        let record = IsrRecord {
            html_pointer: pointer,
            generated_at_ms: generated_at,
            revalidate_seconds,
            etag: Some(etag.clone()),
            tags: page.tags.clone(),
            invalidated_at_ms: None,
        };
        if !self.meta.commit(key, lease, record.clone(), (self.clock)()).await? {
            tracing::warn!(key, "ISR lease lost before commit; serving this render without caching it");
        } else {
            self.remember(key, &record);
            self.bodies.lock().unwrap_or_else(|p| p.into_inner()).insert(&record.html_pointer, &page);
        }
        Ok(IsrOutcome::Served { state: IsrState::Miss, page, etag: Some(etag), revalidate_seconds, background: None })
    }

    /// Marks stale every cached page tagged `tag` (by its face's `tags`, [`crate::Page::tag`], or the implicit
    /// `path:<path>` / `route:<pattern>` tags). Returns how many cached pages were marked; each regenerates on
    /// its next request, under the usual policies.
    pub async fn revalidate_tag(&self, tag: &str) -> Result<u64, RevalidateError> {
        self.revalidate(&[tag.to_string()], &[]).await
    }

    /// Marks stale every cached variant (query, cookies, tenants) of the page at `path` (as requested, e.g.
    /// `/blog/hello`; a trailing slash is ignored).
    pub async fn revalidate_path(&self, path: &str) -> Result<u64, RevalidateError> {
        self.revalidate(&[], &[path.to_string()]).await
    }

    /// Tags and paths together (what `POST /_facetheory/revalidate` calls).
    pub async fn revalidate(&self, tags: &[String], paths: &[String]) -> Result<u64, RevalidateError> {
        let mut all: Vec<String> = Vec::with_capacity(tags.len() + paths.len());
        for tag in tags {
            check_tag(tag).map_err(RevalidateError::Invalid)?;
            all.push(tag.clone());
        }
        for path in paths {
            if !path.starts_with('/') || path.chars().any(char::is_control) {
                return Err(RevalidateError::Invalid(format!(
                    "revalidate path {path:?} must start with '/' and contain no control characters"
                )));
            }
            all.push(format!("path:{}", normalize_path(path)));
        }
        let marked = self.meta.invalidate_tags(&all, (self.clock)()).await?;
        tracing::info!(tags = ?all, marked, "ISR on-demand revalidation");
        Ok(marked)
    }

    /// Serves an ISR hydration sidecar (FaceTheory E9): `encoded` must name the sidecar of a generation of
    /// this very request's cache key. `None` (→ 404) for anything else.
    pub async fn hydration(&self, ctx: &FaceContext, route: &str, encoded: &str) -> Option<(Bytes, Option<String>)> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded.as_bytes()).ok()?;
        let pointer = String::from_utf8(raw).ok()?;
        if pointer.starts_with('/') || pointer.starts_with('\\') {
            return None;
        }
        let relative = pointer.strip_prefix(&self.pointer_prefix)?;
        let (digest, file) = relative.split_once('/')?;
        let (stamp, id) = file.strip_suffix(".hydration.json")?.split_once('-')?;
        let hex24 = digest.len() == 24 && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let stamp_ok = !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit());
        let id_ok = id.len() == 36 && id.bytes().all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !(hex24 && stamp_ok && id_ok) {
            return None;
        }
        let key = self.cache_key(ctx, route).ok()?;
        if key::digest24(&key) != digest {
            return None;
        }
        let blob = self.html.get(&pointer).await.ok()??;
        let etag = Some(body_etag(&blob.body));
        Some((blob.body, etag))
    }
}

/// Why on-demand revalidation failed.
#[derive(Debug, thiserror::Error)]
pub enum RevalidateError {
    /// A tag or path the call cannot use (nothing was marked).
    #[error("{0}")]
    Invalid(String),
    /// The metadata store failed (some pages may have been marked; calling again is safe).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A strong ETag from a body's digest (the same bytes give the same tag on every store).
fn body_etag(body: &[u8]) -> String {
    format!("\"{}\"", key::digest24(&String::from_utf8_lossy(body)))
}

/// A path as a tag: a trailing slash (other than the root's) does not make a different page.
fn normalize_path(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    }
}

fn check_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("an ISR tag is empty".into());
    }
    if tag.len() > MAX_TAG_LEN {
        let start: String = tag.chars().take(40).collect();
        return Err(format!("ISR tag {start:?}… is longer than {MAX_TAG_LEN} bytes"));
    }
    if tag.chars().any(char::is_control) {
        return Err(format!("ISR tag {tag:?} contains a control character"));
    }
    Ok(())
}

/// Implicit tags first, then the page's, deduplicated; invalid tags and those over [`MAX_TAGS`] are dropped
/// with a warning (as Next.js does) rather than failing the page.
fn checked_tags(key: &str, implicit: &[String; 2], tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = implicit.to_vec();
    for tag in tags {
        if let Err(problem) = check_tag(&tag) {
            tracing::warn!(key, "{problem}; tag dropped");
        } else if out.len() >= MAX_TAGS {
            tracing::warn!(key, tag, "a page carries more than {MAX_TAGS} ISR tags; tag dropped");
        } else if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

fn hydration_blob(data: &Bytes) -> Blob {
    let mut body = data.to_vec();
    body.push(b'\n');
    Blob {
        body: Bytes::from(body),
        content_type: "application/json; charset=utf-8".into(),
        cache_control: Some("no-store".into()),
        metadata: BTreeMap::new(),
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
        tags: Vec::new(),
        hydration: None,
    }
}

#[cfg(test)]
mod tests;
