//! [`IsrRuntime`]: the ISR stores, policies and caches of an app, and the state machine that serves a page
//! through them.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::cache::{BodyCache, LastKnown, Variants};
use super::codec::from_blob;
use super::key::{self, CookieVary};
use super::policy::{ContentionPolicy, FailurePolicy, Revalidation};
use super::revalidate::path_tag;
use super::served::served;
use super::{Generation, IsrOutcome, IsrState};
use crate::clock::{now_ms, ClockFn};
use crate::context::{FaceContext, RequestInfo};
use crate::error::Error;
use crate::meta::{FsMetaStore, IsrRecord, Lease, MemoryMetaStore, MetaStore};
use crate::render::Rendered;
use crate::store::{BlobStore, FsStore, MemoryStore, StoreError};

type TenantFn = dyn Fn(&FaceContext) -> Option<String> + Send + Sync;

/// The ISR stores and policies of an app, and its in-process caches. Clones share the caches.
#[derive(Clone)]
pub struct IsrRuntime {
    pub(super) config: IsrConfig,
    pub(super) caches: Arc<Caches>,
}

/// What the app configured: stores and policies. Never changes once the app is built.
#[derive(Clone)]
pub(super) struct IsrConfig {
    pub(super) html: Arc<dyn BlobStore>,
    pub(super) meta: Arc<dyn MetaStore>,
    pub(super) clock: Arc<ClockFn>,
    pub(super) lease_ms: u64,
    pub(super) wait_timeout: Duration,
    pub(super) poll: Duration,
    pub(super) failure: FailurePolicy,
    pub(super) contention: ContentionPolicy,
    pub(super) pointer_prefix: String,
    pub(super) tenant: Option<Arc<TenantFn>>,
    pub(super) cookies: CookieVary,
    pub(super) revalidation: Revalidation,
    pub(super) max_variants: usize,
    pub(super) build_id: String,
}

/// Default cap on cached variants (query, cookie, tenant combinations) of one route, per process.
pub(super) const DEFAULT_MAX_VARIANTS: usize = 1_000;

/// What the engine learns while serving: bounded, and safe to lose.
#[derive(Default)]
pub(super) struct Caches {
    pub(super) last_known: LastKnown,
    pub(super) bodies: BodyCache,
    pub(super) variants: Variants,
}

impl IsrRuntime {
    /// Who shares the cache: the narrower reach of the two stores.
    pub fn reach(&self) -> crate::store::StoreReach {
        self.config.html.reach().min(self.config.meta.reach())
    }

    /// A runtime over these stores, with the TypeScript runtime's defaults: lease 5 s, wait 7 s polling every 25 ms,
    /// serve stale on failure, wait on contention, pointers under `isr/`, default tenant.
    pub fn new(html: impl BlobStore, meta: impl MetaStore) -> Self {
        let config = IsrConfig {
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
            max_variants: DEFAULT_MAX_VARIANTS,
            build_id: crate::build_id::current().to_string(),
        };
        IsrRuntime { config, caches: Arc::default() }
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
        self.config.clock = Arc::new(f);
        self
    }

    /// Lease duration (a crashed regenerator blocks others at most this long).
    pub fn lease(mut self, d: Duration) -> Self {
        self.config.lease_ms = d.as_millis() as u64;
        self
    }

    /// How long a request waits for another's regeneration, and how often it looks.
    pub fn wait(mut self, timeout: Duration, poll: Duration) -> Self {
        self.config.wait_timeout = timeout;
        self.config.poll = poll.max(Duration::from_millis(1));
        self
    }

    /// Failure policy.
    pub fn on_failure(mut self, p: FailurePolicy) -> Self {
        self.config.failure = p;
        self
    }

    /// Contention policy.
    pub fn on_contention(mut self, p: ContentionPolicy) -> Self {
        self.config.contention = p;
        self
    }

    /// The tenant of a request (part of every key). Without it, requests carrying `x-tenant-id` or
    /// `x-facetheory-tenant` fail closed.
    pub fn tenant(mut self, f: impl Fn(&FaceContext) -> Option<String> + Send + Sync + 'static) -> Self {
        self.config.tenant = Some(Arc::new(f));
        self
    }

    /// How stale pages are revalidated (default [`Revalidation::Blocking`]).
    pub fn revalidation(mut self, r: Revalidation) -> Self {
        self.config.revalidation = r;
        self
    }

    /// Most cached variants of one route this process stores (default 1,000, at least 1): past it a new variant
    /// (another query, cookie or tenant combination) is rendered uncached instead of stored.
    pub fn max_variants(mut self, n: usize) -> Self {
        self.config.max_variants = n.max(1);
        self
    }

    /// Which cookies make variants (default: all).
    pub fn vary_cookies(mut self, names: &[&str]) -> Self {
        self.config.cookies = CookieVary::Only(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// The cache key of a request, or the fail-closed error.
    pub fn cache_key(&self, ctx: &FaceContext, route: &str) -> Result<String, Error> {
        let tenant: std::borrow::Cow<'_, str> = match &self.config.tenant {
            Some(f) => match f(ctx) {
                Some(t) if !t.trim().is_empty() => t.trim().to_string().into(),
                _ => "default".into(),
            },
            None => {
                if let Some(h) = key::tenant_header(ctx) {
                    return Err(Error::msg(format!(
                        "ISR tenant boundary header {h} requires explicit tenant configuration (IsrRuntime::tenant)"
                    )));
                }
                "default".into()
            }
        };
        // Namespaced by the build: a new deployment never serves the previous one's HTML.
        let build = &self.config.build_id;
        let mut out = String::with_capacity(build.len() + tenant.len() + route.len() + 64);
        out.push_str(build);
        out.push('@');
        key::write_cache_key(&mut out, &tenant, route, ctx, &self.config.cookies);
        Ok(out)
    }

    /// Names the build whose pages this runtime caches (default: `FACETHEORY_BUILD_ID`, else a digest of the
    /// executable's size and modification time). Pages cached under another build id are never served.
    pub fn build_id(mut self, id: impl Into<String>) -> Self {
        self.config.build_id = id.into();
        self
    }

    pub(super) fn remember(&self, key: &str, rec: &Arc<IsrRecord>) {
        self.caches.last_known.remember(key, rec);
    }

    /// The metadata store (on-demand revalidation writes through it).
    pub(super) fn meta(&self) -> &dyn MetaStore {
        &*self.config.meta
    }

    /// The HTML store (the conformance suite plants records through it).
    #[cfg(any(test, feature = "testing"))]
    pub(super) fn html(&self) -> &dyn BlobStore {
        &*self.config.html
    }

    /// The engine's clock, in milliseconds since the epoch.
    pub(super) fn now(&self) -> u64 {
        (self.config.clock)()
    }

    pub(super) async fn read(&self, rec: &IsrRecord) -> Option<Rendered<Bytes>> {
        if let Some(page) = self.caches.bodies.get(&rec.html_pointer) {
            return Some(page);
        }
        match self.config.html.get(&rec.html_pointer).await {
            Ok(Some(blob)) => {
                let page = from_blob(blob);
                self.caches.bodies.insert(&rec.html_pointer, &page);
                Some(page)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "ISR html read failed");
                None
            }
        }
    }

    pub(super) async fn serve_record(&self, rec: &IsrRecord, state: IsrState) -> Option<IsrOutcome> {
        let cached_hit = if state == IsrState::Hit { self.caches.bodies.hit(rec) } else { None };
        let page = match cached_hit {
            Some(page) => page,
            None => served(self.read(rec).await?, state, rec.etag.as_deref(), rec.revalidate_seconds),
        };
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
        Fut: Future<Output = Result<Rendered<Bytes>, Error>> + Send + 'static,
    {
        let key = self.cache_key(ctx, route)?;
        let now = (self.config.clock)();
        let span = tracing::debug_span!("facetheory.isr.metadata_read", key);
        let record = match tracing::Instrument::instrument(self.config.meta.get(&key), span).await {
            Ok(r) => r,
            // A record that cannot be read is treated as absent: the next commit replaces it.
            Err(e @ StoreError::Corrupt { .. }) => {
                tracing::warn!(key, error = %e, "ISR metadata record is corrupt; regenerating over it");
                None
            }
            Err(e) => return Box::pin(self.metadata_failure(&ctx.request, &key, e, render)).await,
        };
        if let Some(rec) = &record {
            self.remember(&key, rec);
            if rec.is_fresh(now) {
                if let Some(hit) = self.serve_record(rec, IsrState::Hit).await {
                    return Ok(hit);
                }
            } else if self.config.revalidation == Revalidation::StaleWhileRevalidate {
                // An unreadable stale body falls through to a blocking regeneration.
                if let Some(page) = self.read(rec).await {
                    let background = match self.config.meta.try_acquire_lease(&key, now, self.config.lease_ms).await {
                        Ok(Some(lease)) => Some(self.background(
                            Arc::clone(&ctx.request),
                            key,
                            lease,
                            Arc::clone(rec),
                            revalidate_seconds,
                            implicit_tags(ctx, route),
                            render,
                        )),
                        // Another request is regenerating it.
                        Ok(None) => None,
                        Err(e) => {
                            tracing::warn!(key, error = %e, "ISR lease failed; serving stale without regenerating");
                            None
                        }
                    };
                    return Ok(IsrOutcome::Served {
                        state: IsrState::Stale,
                        page: served(page, IsrState::Stale, rec.etag.as_deref(), rec.revalidate_seconds),
                        etag: rec.etag.clone(),
                        revalidate_seconds: rec.revalidate_seconds,
                        background,
                    });
                }
            }
        }
        // Boxed: a hit's future (what every request moves) stays small.
        Box::pin(self.regenerate_or_wait(ctx, route, key, record, now, revalidate_seconds, render)).await
    }

    /// No fresh page to serve: regenerate under a lease, wait for another request's, serve stale, or render
    /// uncached.
    #[allow(clippy::too_many_arguments)]
    async fn regenerate_or_wait<F, Fut>(
        &self,
        ctx: &FaceContext,
        route: &str,
        key: String,
        record: Option<Arc<IsrRecord>>,
        now: u64,
        revalidate_seconds: u64,
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Rendered<Bytes>, Error>> + Send + 'static,
    {
        // Only a write can grow the store: a key this route has no room for is rendered, not stored.
        if !self.caches.variants.admit(route, &key, self.config.max_variants) {
            tracing::warn!(key, route, cap = self.config.max_variants, "ISR variant cap reached; rendering uncached");
            return self.render_uncached(&key, render).await;
        }
        let lease = match self.config.meta.try_acquire_lease(&key, now, self.config.lease_ms).await {
            Ok(l) => l,
            Err(e) => return self.metadata_failure(&ctx.request, &key, e, render).await,
        };
        if let Some(lease) = lease {
            let latest = match self.committed_meanwhile(&key, &lease, record.as_ref(), IsrState::Hit).await {
                Meanwhile::Served(hit) => return Ok(*hit),
                Meanwhile::Latest(latest) => latest,
            };
            return self
                .regenerate(
                    &ctx.request,
                    &key,
                    lease,
                    latest.as_deref(),
                    revalidate_seconds,
                    &implicit_tags(ctx, route),
                    render,
                )
                .await;
        }
        tracing::debug!(key, "ISR lease held elsewhere");
        let policy = if self.config.contention == ContentionPolicy::Wait { "wait" } else { "serve-stale" };
        crate::observe::lease_contention(ctx.method().as_str(), route, policy);
        if self.config.contention == ContentionPolicy::Wait {
            let started = Instant::now();
            while started.elapsed() < self.config.wait_timeout {
                tokio::time::sleep(self.config.poll).await;
                if let Ok(Some(rec)) = self.config.meta.get(&key).await {
                    if is_newer(&rec, record.as_deref()) || rec.is_fresh((self.config.clock)()) {
                        if let Some(hit) = self.serve_record(&rec, IsrState::WaitHit).await {
                            self.remember(&key, &rec);
                            return Ok(hit);
                        }
                    }
                }
                // The lease is free again but nothing newer was committed: the holder's page was not cacheable
                // (a 404, a redirect, a failure) or its lease lapsed. Waiting longer cannot help; answer now
                // with a render of our own, uncached, so a burst on an uncacheable URL is never held.
                let now = (self.config.clock)();
                if let Ok(Some(lease)) = self.config.meta.try_acquire_lease(&key, now, self.config.lease_ms).await {
                    if let Meanwhile::Served(hit) =
                        self.committed_meanwhile(&key, &lease, record.as_ref(), IsrState::WaitHit).await
                    {
                        return Ok(*hit);
                    }
                    self.release(&key, &lease).await;
                    return self.render_uncached(&key, render).await;
                }
            }
        }
        if self.config.contention == ContentionPolicy::ServeStale || self.config.failure == FailurePolicy::ServeStale {
            if let Some(rec) = &record {
                if let Some(stale) = self.serve_record(rec, IsrState::Stale).await {
                    return Ok(stale);
                }
            }
        }
        Err(Error::msg(format!("ISR regeneration lock is busy for key {key:?}")))
    }

    /// After winning a lease: another request may have committed between our read and our lease. If so, and
    /// its page is fresh, serve it and give the lease back, so a burst regenerates exactly once. Otherwise the
    /// latest record is what a regeneration replaces.
    async fn committed_meanwhile(
        &self,
        key: &str,
        lease: &Lease,
        seen: Option<&Arc<IsrRecord>>,
        state: IsrState,
    ) -> Meanwhile {
        let latest = match self.config.meta.get(key).await {
            Ok(latest) => latest,
            Err(_) => return Meanwhile::Latest(seen.cloned()),
        };
        let Some(rec) = latest else { return Meanwhile::Latest(seen.cloned()) };
        if is_newer(&rec, seen.map(|r| &**r)) && rec.is_fresh((self.config.clock)()) {
            if let Some(out) = self.serve_record(&rec, state).await {
                self.remember(key, &rec);
                self.release(key, lease).await;
                return Meanwhile::Served(Box::new(out));
            }
        }
        Meanwhile::Latest(Some(rec))
    }

    pub(super) async fn release(&self, key: &str, lease: &Lease) {
        if let Err(e) = self.config.meta.release(key, lease).await {
            tracing::warn!(key, error = %e, "ISR lease release failed (it expires on its own)");
        }
    }

    /// Renders without the cache: the page is answered once (`private, no-store`) and nothing is written.
    pub(super) async fn render_uncached<F, Fut>(&self, key: &str, render: F) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut,
        Fut: Future<Output = Result<Rendered<Bytes>, Error>>,
    {
        let generation = Generation {
            html_pointer: format!("{}uncached/{}.html", self.config.pointer_prefix, uuid::Uuid::new_v4()),
        };
        let mut page = render(generation).await?;
        if page.status.is_server_error() {
            return Err(Error::msg(format!("ISR render produced status {}", page.status)));
        }
        // A sidecar of an uncached render has nowhere to live: the page cannot hydrate from it.
        if page.sidecar.take().is_some() {
            tracing::warn!(key, "uncached ISR render dropped its hydration sidecar");
        }
        Ok(IsrOutcome::Uncached(page))
    }

    /// The metadata store failed: the last record this process read, when the policy allows; otherwise one
    /// uncached render (the site stays up while its cache is down).
    async fn metadata_failure<F, Fut>(
        &self,
        request: &RequestInfo,
        key: &str,
        err: StoreError,
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut,
        Fut: Future<Output = Result<Rendered<Bytes>, Error>>,
    {
        tracing::error!(key, error = %err, "ISR metadata store failed");
        request.report(crate::observe::Phase::IsrMetadata, "store", &err);
        if self.config.failure == FailurePolicy::Error {
            return Err(err.into());
        }
        if let Some(rec) = self.caches.last_known.get(key) {
            if let Some(out) = self.serve_record(&rec, IsrState::StaleMetadataError).await {
                return Ok(out);
            }
        }
        self.render_uncached(key, render).await
    }
}

/// True when `rec` was generated after `seen` (or nothing was seen).
/// The tags every generation carries; built only when one is written, not on a hit.
fn implicit_tags(ctx: &FaceContext, route: &str) -> [String; 2] {
    [path_tag(ctx.path()), format!("route:{route}")]
}

fn is_newer(rec: &IsrRecord, seen: Option<&IsrRecord>) -> bool {
    seen.is_none_or(|old| rec.generated_at_ms > old.generated_at_ms)
}

/// What a lease winner found when it read the record again.
enum Meanwhile {
    /// Another request committed a fresh page: served, lease given back.
    Served(Box<IsrOutcome>),
    /// The latest record (what a regeneration replaces).
    Latest(Option<Arc<IsrRecord>>),
}
