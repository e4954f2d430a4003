//! The ISR conformance suite: every scenario of the state machine, written once and run against each store
//! implementation (memory and filesystem in unit tests; S3 + DynamoDB over the wire in the integration tests).
//! Each scenario gets fresh stores from `stores()` and uses its own cache keys, so scenarios may share a bucket
//! and a table.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::{
    ContentionPolicy, FailurePolicy, IsrOutcome, IsrRecord, IsrRuntime, IsrState, Lease, MetaStore, Revalidation,
};
use crate::context::FaceContext;
use crate::error::Error;
use crate::hydration::HYDRATION_PARAM;
use crate::render::Rendered;
use crate::store::{Blob, BlobStore, StoreError};
use crate::BoxFuture;

/// Fresh stores for one scenario (two runtimes built over the same pair act as two app instances).
pub type Stores = (Arc<dyn BlobStore>, Arc<dyn MetaStore>);

const ROUTE: &str = "/conformance/<slug>";

/// A settable clock.
#[derive(Clone)]
pub struct Clock(Arc<AtomicU64>);

impl Clock {
    /// A clock at `t` ms.
    pub fn new(t: u64) -> Self {
        Clock(Arc::new(AtomicU64::new(t)))
    }
    /// Moves it to `t` ms.
    pub fn set(&self, t: u64) {
        self.0.store(t, Ordering::SeqCst);
    }
    /// The clock function to hand a runtime.
    pub fn f(&self) -> impl Fn() -> u64 + Send + Sync + 'static {
        let c = Arc::clone(&self.0);
        move || c.load(Ordering::SeqCst)
    }
}

fn page(text: &str) -> Rendered<Bytes> {
    let mut page = Rendered::html(http::StatusCode::OK, text.to_string());
    page.headers.insert("content-security-policy", http::HeaderValue::from_static("default-src 'self'"));
    page.headers.insert("content-language", http::HeaderValue::from_static("en"));
    page
}

fn tagged(text: &str, tags: &[&str]) -> Rendered<Bytes> {
    Rendered { tags: tags.iter().map(|t| t.to_string()).collect(), ..page(text) }
}

/// A request for a page no other scenario uses.
pub fn unique_ctx() -> FaceContext {
    let slug = uuid::Uuid::new_v4().to_string();
    FaceContext::builder("GET", &format!("/conformance/{slug}")).param("slug", &slug).build()
}

fn with_header(ctx: &FaceContext, name: &str, value: &str) -> FaceContext {
    let slug = ctx.raw_param("slug").unwrap_or_default().to_string();
    FaceContext::builder("GET", ctx.path()).param("slug", &slug).header(name, value).build()
}

async fn serve(rt: &IsrRuntime, ctx: &FaceContext, body: Result<&str, &str>) -> Result<(IsrState, String), Error> {
    let body = body.map(str::to_string).map_err(str::to_string);
    let out = rt
        .serve(ctx, ROUTE, 10, move |_| async move {
            match body {
                Ok(b) => Ok(page(&b)),
                Err(e) => Err(Error::msg(e)),
            }
        })
        .await?;
    outcome(out)
}

fn outcome(out: IsrOutcome) -> Result<(IsrState, String), Error> {
    match out {
        IsrOutcome::Served { state, page, .. } => Ok((state, String::from_utf8(page.body.to_vec()).expect("utf-8"))),
        IsrOutcome::Uncached(p) => Ok((IsrState::Miss, format!("uncached {}", p.status))),
    }
}

fn runtime((html, meta): Stores, clock: &Clock) -> IsrRuntime {
    IsrRuntime::new(html, meta).clock(clock.f())
}

/// miss → hit → miss after expiry → stale on failure → miss again; metadata, status, CSP and kept headers
/// round-trip through the stores.
pub async fn state_sequence(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock);
    let ctx = unique_ctx();
    assert_eq!(serve(&rt, &ctx, Ok("v1")).await.unwrap(), (IsrState::Miss, "v1".into()));
    clock.set(5_000);
    assert_eq!(serve(&rt, &ctx, Ok("never rendered")).await.unwrap(), (IsrState::Hit, "v1".into()));
    let out = rt.serve(&ctx, ROUTE, 10, |_| async { Ok(page("unused")) }).await.unwrap();
    let IsrOutcome::Served { page: stored, etag, .. } = out else { panic!("a hit") };
    assert_eq!(stored.headers["content-security-policy"], "default-src 'self'");
    assert_eq!(stored.headers["content-language"], "en");
    assert_eq!(stored.content_type(), Some("text/html; charset=utf-8"));
    assert!(etag.is_some());
    clock.set(11_000);
    assert_eq!(serve(&rt, &ctx, Ok("v2")).await.unwrap(), (IsrState::Miss, "v2".into()));
    clock.set(22_000);
    assert_eq!(serve(&rt, &ctx, Err("db down")).await.unwrap(), (IsrState::Stale, "v2".into()));
    assert_eq!(serve(&rt, &ctx, Ok("v3")).await.unwrap(), (IsrState::Miss, "v3".into()));
}

/// A first render that fails is a 500; with `FailurePolicy::Error` a failing regeneration is too.
pub async fn failure_policies(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock);
    let ctx = unique_ctx();
    assert!(serve(&rt, &ctx, Err("boom")).await.is_err());
    let strict = rt.on_failure(FailurePolicy::Error);
    serve(&strict, &ctx, Ok("v1")).await.unwrap();
    clock.set(20_000);
    assert!(serve(&strict, &ctx, Err("boom")).await.is_err());
}

/// A crashed regenerator (lease taken, body written, never committed): others serve stale, the orphan body is
/// never served, and once the lease expires the next request regenerates.
pub async fn crashed_regenerator(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock);
    let ctx = unique_ctx();
    serve(&rt, &ctx, Ok("v1")).await.unwrap();
    clock.set(20_000);
    let key = rt.cache_key(&ctx, ROUTE).unwrap();
    assert!(rt.meta().try_acquire_lease(&key, 20_000, 5_000).await.unwrap().is_some());
    rt.html()
        .put(&format!("isr/orphans/{}.html", uuid::Uuid::new_v4()), super::codec::to_blob(&page("orphan"), 10))
        .await
        .unwrap();
    let impatient = rt.clone().on_contention(ContentionPolicy::ServeStale);
    assert_eq!(serve(&impatient, &ctx, Ok("v2")).await.unwrap(), (IsrState::Stale, "v1".into()));
    clock.set(25_001);
    assert_eq!(serve(&impatient, &ctx, Ok("v2")).await.unwrap(), (IsrState::Miss, "v2".into()));
}

/// Tenant headers fail closed without tenant configuration (nothing rendered); tenants and signed-in variants
/// never read each other's pages.
pub async fn tenants_and_variants(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock);
    let ctx = unique_ctx();
    let rendered = Arc::new(AtomicUsize::new(0));
    let acme = with_header(&ctx, "x-tenant-id", "acme");
    let counter = Arc::clone(&rendered);
    let err = rt
        .serve(&acme, ROUTE, 10, move |_| async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(page("x"))
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("x-tenant-id"));
    assert_eq!(rendered.load(Ordering::SeqCst), 0);
    let by_tenant = rt.clone().tenant(|c| c.header("x-tenant-id").map(str::to_string));
    assert_eq!(serve(&by_tenant, &acme, Ok("acme page")).await.unwrap().1, "acme page");
    let globex = with_header(&ctx, "x-tenant-id", "globex");
    assert_eq!(serve(&by_tenant, &globex, Ok("globex page")).await.unwrap().1, "globex page");
    assert_eq!(serve(&by_tenant, &acme, Ok("x")).await.unwrap(), (IsrState::Hit, "acme page".into()));
    let alice = with_header(&ctx, "authorization", "Bearer alice");
    assert_eq!(serve(&rt, &ctx, Ok("public")).await.unwrap().1, "public");
    assert_eq!(serve(&rt, &alice, Ok("alice's")).await.unwrap().1, "alice's");
    assert_eq!(serve(&rt, &ctx, Ok("x")).await.unwrap(), (IsrState::Hit, "public".into()));
}

/// Counts calls and can fail `get` (an outage), report a corrupt record once, or fail writes.
struct Probe {
    meta: Arc<dyn MetaStore>,
    html: Arc<dyn BlobStore>,
    meta_calls: AtomicUsize,
    html_calls: AtomicUsize,
    failing: AtomicBool,
    corrupt_once: AtomicBool,
    failing_puts: AtomicBool,
}

impl Probe {
    fn over((html, meta): Stores) -> Arc<Probe> {
        Arc::new(Probe {
            meta,
            html,
            meta_calls: AtomicUsize::new(0),
            html_calls: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
            corrupt_once: AtomicBool::new(false),
            failing_puts: AtomicBool::new(false),
        })
    }

    fn runtime(self: &Arc<Self>, clock: &Clock) -> IsrRuntime {
        IsrRuntime::new(ProbeHtml(Arc::clone(self)), ProbeMeta(Arc::clone(self))).clock(clock.f())
    }
}

struct ProbeMeta(Arc<Probe>);
struct ProbeHtml(Arc<Probe>);

impl MetaStore for ProbeMeta {
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Arc<IsrRecord>>, StoreError>> {
        self.0.meta_calls.fetch_add(1, Ordering::SeqCst);
        if self.0.failing.load(Ordering::SeqCst) {
            let key = key.to_string();
            return Box::pin(async move { Err(StoreError::Io { key, source: std::io::Error::other("throttled") }) });
        }
        if self.0.corrupt_once.swap(false, Ordering::SeqCst) {
            let key = key.to_string();
            return Box::pin(async move { Err(StoreError::Corrupt { key, reason: "garbage".into() }) });
        }
        self.0.meta.get(key)
    }
    fn try_acquire_lease(&self, key: &str, now: u64, ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>> {
        self.0.meta_calls.fetch_add(1, Ordering::SeqCst);
        self.0.meta.try_acquire_lease(key, now, ms)
    }
    fn commit(&self, key: &str, l: &Lease, r: IsrRecord, now: u64) -> BoxFuture<Result<bool, StoreError>> {
        self.0.meta_calls.fetch_add(1, Ordering::SeqCst);
        self.0.meta.commit(key, l, r, now)
    }
    fn release(&self, key: &str, l: &Lease) -> BoxFuture<Result<(), StoreError>> {
        self.0.meta_calls.fetch_add(1, Ordering::SeqCst);
        self.0.meta.release(key, l)
    }
    fn invalidate_tags(&self, tags: &[String], now: u64) -> BoxFuture<Result<u64, StoreError>> {
        self.0.meta_calls.fetch_add(1, Ordering::SeqCst);
        self.0.meta.invalidate_tags(tags, now)
    }
}

impl BlobStore for ProbeHtml {
    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>> {
        self.0.html_calls.fetch_add(1, Ordering::SeqCst);
        if self.0.failing_puts.load(Ordering::SeqCst) {
            let key = key.to_string();
            return Box::pin(async move { Err(StoreError::Io { key, source: std::io::Error::other("read-only") }) });
        }
        self.0.html.put(key, blob)
    }
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>> {
        self.0.html_calls.fetch_add(1, Ordering::SeqCst);
        self.0.html.get(key)
    }
    fn delete(&self, key: &str) -> BoxFuture<Result<(), StoreError>> {
        self.0.html_calls.fetch_add(1, Ordering::SeqCst);
        self.0.html.delete(key)
    }
}

/// Store round trips per request kind, returned for printing: (miss, hit on another instance, hit on the
/// instance that rendered), each as (metadata calls, body calls). Also: when the metadata store fails, the last
/// known record is served as `stale-metadata-error`.
pub async fn round_trips_and_metadata_failure(stores: Stores) -> [(usize, usize); 3] {
    let clock = Clock::new(1_000);
    let probe = Probe::over(stores);
    let (rt, other) = (probe.runtime(&clock), probe.runtime(&clock));
    let ctx = unique_ctx();
    let take = || (probe.meta_calls.swap(0, Ordering::SeqCst), probe.html_calls.swap(0, Ordering::SeqCst));
    serve(&rt, &ctx, Ok("v1")).await.unwrap();
    let miss = take();
    assert_eq!(serve(&other, &ctx, Ok("x")).await.unwrap().0, IsrState::Hit);
    let cold_hit = take();
    serve(&rt, &ctx, Ok("x")).await.unwrap();
    let warm_hit = take();
    assert_eq!(
        miss,
        (5, 1),
        "a miss: get, lease, get again (a commit may have landed meanwhile), commit, release and one body write"
    );
    assert_eq!(cold_hit, (1, 1), "a hit on another instance: one metadata read and one body read");
    assert_eq!(warm_hit, (1, 0), "bodies are cached by their immutable pointer: one metadata read");
    probe.failing.store(true, Ordering::SeqCst);
    assert_eq!(serve(&rt, &ctx, Ok("x")).await.unwrap(), (IsrState::StaleMetadataError, "v1".into()));
    assert!(serve(&rt.clone().on_failure(FailurePolicy::Error), &ctx, Ok("x")).await.is_err());
    [miss, cold_hit, warm_hit]
}

/// The store fails: with nothing cached, a metadata outage and a write failure each answer one uncached render
/// (never a 500), and a corrupt record is treated as absent and replaced by the next commit.
pub async fn store_faults(stores: Stores) {
    let clock = Clock::new(1_000);
    let probe = Probe::over(stores);
    let rt = probe.runtime(&clock);
    let uncached = |out: IsrOutcome| match out {
        IsrOutcome::Uncached(p) => (p.status.as_u16(), String::from_utf8(p.body.to_vec()).expect("utf-8")),
        IsrOutcome::Served { state, .. } => panic!("served from the cache as {state:?}"),
    };
    let fresh = |body: &'static str| move |_| async move { Ok(page(body)) };

    probe.failing.store(true, Ordering::SeqCst);
    let ctx = unique_ctx();
    let out = rt.serve(&ctx, ROUTE, 10, fresh("during the outage")).await.expect("answered");
    assert_eq!(uncached(out), (200, "during the outage".into()));
    probe.failing.store(false, Ordering::SeqCst);

    probe.failing_puts.store(true, Ordering::SeqCst);
    let ctx = unique_ctx();
    let out = rt.serve(&ctx, ROUTE, 10, fresh("store read-only")).await.expect("answered");
    assert_eq!(uncached(out), (200, "store read-only".into()));
    probe.failing_puts.store(false, Ordering::SeqCst);
    assert_eq!(serve(&rt, &ctx, Ok("writable again")).await.unwrap(), (IsrState::Miss, "writable again".into()));

    let ctx = unique_ctx();
    serve(&rt, &ctx, Ok("v1")).await.unwrap();
    clock.set(20_000);
    probe.corrupt_once.store(true, Ordering::SeqCst);
    assert_eq!(
        serve(&rt, &ctx, Ok("over the corrupt record")).await.unwrap(),
        (IsrState::Miss, "over the corrupt record".into())
    );
    assert_eq!(serve(&rt, &ctx, Ok("x")).await.unwrap(), (IsrState::Hit, "over the corrupt record".into()));
}

/// Cold bursts, repeated: `rounds` times, `n` concurrent first requests for a new key across two runtime
/// instances over the same stores. Each burst renders exactly once; every response is `miss` or `wait-hit`.
pub async fn cold_bursts(stores: Stores, rounds: usize, n: usize) {
    let clock = Clock::new(1_000);
    let make = || {
        IsrRuntime::new(Arc::clone(&stores.0), Arc::clone(&stores.1))
            .clock(clock.f())
            .wait(Duration::from_secs(20), Duration::from_millis(5))
    };
    let (a, b) = (make(), make());
    for round in 0..rounds {
        let ctx = unique_ctx();
        let renders = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..n {
            let rt = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (renders, ctx) = (Arc::clone(&renders), ctx.clone());
            tasks.push(tokio::spawn(async move {
                let out = rt
                    .serve(&ctx, ROUTE, 10, move |_| async move {
                        renders.fetch_add(1, Ordering::SeqCst);
                        Ok(page("cold"))
                    })
                    .await
                    .expect("served");
                outcome(out).expect("an outcome").0
            }));
        }
        let mut states = Vec::new();
        for t in tasks {
            states.push(t.await.expect("task"));
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1, "round {round}: exactly one render: {states:?}");
        assert_eq!(states.iter().filter(|s| **s == IsrState::Miss).count(), 1, "round {round}: {states:?}");
    }
}

/// A burst on a URL whose render is not cacheable (a 404 page, a not-found error): the holder releases its
/// lease without a commit and every waiter is answered at once, not after the wait timeout.
pub async fn uncacheable_bursts(stores: Stores, n: usize) {
    let clock = Clock::new(1_000);
    let rt =
        IsrRuntime::new(stores.0, stores.1).clock(clock.f()).wait(Duration::from_secs(60), Duration::from_millis(5));
    for not_found_error in [false, true] {
        let ctx = unique_ctx();
        let mut tasks = Vec::new();
        for _ in 0..n {
            let (rt, ctx) = (rt.clone(), ctx.clone());
            tasks.push(tokio::spawn(async move {
                rt.serve(&ctx, ROUTE, 10, move |_| async move {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if not_found_error {
                        Err(Error::not_found())
                    } else {
                        Ok(Rendered::html(http::StatusCode::NOT_FOUND, "gone"))
                    }
                })
                .await
            }));
        }
        // The wait timeout is 60 s: a waiter that polled for a record a 404 never writes would hold this up.
        let all = futures_util::future::join_all(tasks);
        let results = tokio::time::timeout(Duration::from_secs(20), all).await.expect("every waiter answered");
        for r in results {
            match r.expect("task") {
                Ok(IsrOutcome::Uncached(p)) => assert_eq!(p.status, 404),
                Err(e) => assert!(e.is_not_found(), "{e}"),
                Ok(IsrOutcome::Served { state, .. }) => panic!("a 404 was cached ({state:?})"),
            }
        }
    }
}

/// `n` concurrent requests for one stale key, alternating between two runtime instances over the same stores:
/// exactly one regeneration; every response is `miss`, `wait-hit` or `stale`.
pub async fn concurrent_instances(stores: Stores, n: usize) {
    let clock = Clock::new(1_000);
    let make = || {
        IsrRuntime::new(Arc::clone(&stores.0), Arc::clone(&stores.1))
            .clock(clock.f())
            .wait(Duration::from_secs(20), Duration::from_millis(10))
    };
    let (a, b) = (make(), make());
    let ctx = unique_ctx();
    serve(&a, &ctx, Ok("v1")).await.unwrap();
    clock.set(20_000);
    let renders = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..n {
        let rt = if i % 2 == 0 { a.clone() } else { b.clone() };
        let renders = Arc::clone(&renders);
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            let out = rt
                .serve(&ctx, ROUTE, 10, move |_| async move {
                    renders.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Ok(page("v2"))
                })
                .await
                .expect("served");
            match out {
                IsrOutcome::Served { state, .. } => state,
                IsrOutcome::Uncached(_) => panic!("200 renders are cached"),
            }
        }));
    }
    let mut states = Vec::new();
    for t in tasks {
        states.push(t.await.expect("task"));
    }
    assert_eq!(renders.load(Ordering::SeqCst), 1, "exactly one regeneration: {states:?}");
    assert!(states.iter().all(|s| matches!(s, IsrState::Miss | IsrState::WaitHit | IsrState::Stale)), "{states:?}");
    assert_eq!(states.iter().filter(|s| **s == IsrState::Miss).count(), 1);
}

/// Store-level guarantees: blobs round-trip; among 16 concurrent lease attempts exactly one wins; a commit
/// with a stale or foreign lease changes nothing.
pub async fn store_guarantees((html, meta): Stores) {
    let key = format!("store-test-{}", uuid::Uuid::new_v4());
    let blob = super::codec::to_blob(&page("body"), 10);
    let pointer = format!("isr/{key}.html");
    assert_eq!(html.get(&pointer).await.unwrap(), None);
    html.put(&pointer, blob.clone()).await.unwrap();
    assert_eq!(html.get(&pointer).await.unwrap().map(|b| b.body), Some(blob.body.clone()));
    let attempts: Vec<_> = (0..16).map(|_| meta.try_acquire_lease(&key, 1_000, 5_000)).collect();
    let mut winners = Vec::new();
    for a in attempts {
        if let Some(l) = a.await.unwrap() {
            winners.push(l);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one lease winner");
    let lease = winners.remove(0);
    let record = |p: &str| IsrRecord {
        html_pointer: p.into(),
        generated_at_ms: 1_000,
        revalidate_seconds: 10,
        etag: None,
        tags: vec![format!("path:/{key}"), "store-test".into()],
        invalidated_at_ms: None,
    };
    let foreign = Lease { token: "someone-else".into(), expires_at_ms: 6_000 };
    assert!(!meta.commit(&key, &foreign, record("wrong"), 2_000).await.unwrap());
    assert!(!meta.commit(&key, &lease, record("late"), 7_000).await.unwrap(), "an expired lease cannot commit");
    assert_eq!(meta.get(&key).await.unwrap(), None, "failed commits wrote nothing");
    let lease = meta.try_acquire_lease(&key, 7_000, 5_000).await.unwrap().expect("the expired lease is taken over");
    assert!(meta.commit(&key, &lease, record(&pointer), 8_000).await.unwrap());
    assert_eq!(meta.get(&key).await.unwrap().as_deref(), Some(&record(&pointer)));
    // Committing released the lease.
    let next = meta.try_acquire_lease(&key, 8_000, 5_000).await.unwrap().expect("free after commit");
    meta.release(&key, &next).await.unwrap();
    assert!(meta.try_acquire_lease(&key, 8_000, 5_000).await.unwrap().is_some(), "free after release");
}

/// Stale-while-revalidate: an expired page is served at once as `stale` with the regeneration handed back to
/// run after the response; a second request meanwhile gets `stale` without a second regeneration; after it
/// ran, `hit` with the new page. A failing background regeneration keeps the stale page and frees the lease.
pub async fn stale_while_revalidate(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock).revalidation(Revalidation::StaleWhileRevalidate);
    let ctx = unique_ctx();
    assert_eq!(serve(&rt, &ctx, Ok("v1")).await.unwrap(), (IsrState::Miss, "v1".into()), "no page yet: blocking");
    clock.set(20_000);
    let renders = Arc::new(AtomicUsize::new(0));
    let swr = |text: &'static str, fail: bool| {
        let renders = Arc::clone(&renders);
        move |_| async move {
            renders.fetch_add(1, Ordering::SeqCst);
            if fail {
                Err(Error::msg("upstream down"))
            } else {
                Ok(page(text))
            }
        }
    };
    let IsrOutcome::Served { state, page: served, background, .. } =
        rt.serve(&ctx, ROUTE, 10, swr("v2", false)).await.unwrap()
    else {
        panic!("served")
    };
    assert_eq!((state, served.body.as_ref()), (IsrState::Stale, &b"v1"[..]));
    assert_eq!(renders.load(Ordering::SeqCst), 0, "nothing rendered before the response");
    let background = background.expect("the regeneration is handed back");
    let IsrOutcome::Served { state, background: second, .. } =
        rt.serve(&ctx, ROUTE, 10, swr("v2-again", false)).await.unwrap()
    else {
        panic!("served")
    };
    assert_eq!(state, IsrState::Stale);
    assert!(second.is_none(), "the lease is held: no second regeneration");
    background.0.await;
    assert_eq!(renders.load(Ordering::SeqCst), 1);
    assert_eq!(serve(&rt, &ctx, Ok("x")).await.unwrap(), (IsrState::Hit, "v2".into()));
    clock.set(40_000);
    let IsrOutcome::Served { state, background, .. } = rt.serve(&ctx, ROUTE, 10, swr("", true)).await.unwrap() else {
        panic!("served")
    };
    assert_eq!(state, IsrState::Stale);
    background.expect("regeneration").0.await;
    let (state, body) = outcome(rt.serve(&ctx, ROUTE, 10, swr("v3", false)).await.unwrap()).unwrap();
    assert_eq!((state, body.as_str()), (IsrState::Stale, "v2"), "the failed regeneration kept the page");
}

/// On-demand revalidation: by tag (face and page tags), by path (every variant of the path), stale index
/// entries ignored, invalid tags refused; revalidated pages regenerate on their next request, others stay hits.
pub async fn on_demand_revalidation(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock);
    let run = uuid::Uuid::new_v4().simple().to_string();
    let (posts, post_a) = (format!("posts-{run}"), format!("post-a-{run}"));
    let a = unique_ctx();
    let a_variant = FaceContext::builder("GET", &format!("{}?page=2", a.path()))
        .param("slug", a.raw_param("slug").unwrap_or_default())
        .build();
    let b = unique_ctx();
    let render = |text: &str, tags: Vec<String>| {
        let text = text.to_string();
        move |_| async move { Ok(tagged(&text, &tags.iter().map(String::as_str).collect::<Vec<_>>())) }
    };
    let serve_tagged = |ctx: &FaceContext, text: &str, tags: &[&String]| {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        let f = render(text, tags);
        let rt = rt.clone();
        let ctx = ctx.clone();
        async move { outcome(rt.serve(&ctx, ROUTE, 3600, f).await.unwrap()).unwrap() }
    };
    assert_eq!(serve_tagged(&a, "a1", &[&posts, &post_a]).await.0, IsrState::Miss);
    assert_eq!(serve_tagged(&a_variant, "a1 p2", &[&posts, &post_a]).await.0, IsrState::Miss);
    assert_eq!(serve_tagged(&b, "b1", &[&posts]).await.0, IsrState::Miss);
    clock.set(2_000);
    assert_eq!(rt.revalidate_tag(&post_a).await.unwrap(), 2, "both variants of a");
    assert_eq!(serve_tagged(&a, "a2", &[&posts]).await, (IsrState::Miss, "a2".into()));
    assert_eq!(serve_tagged(&b, "x", &[&posts]).await, (IsrState::Hit, "b1".into()));
    // a's new generation no longer carries post_a: its index entry is ignored; the variant still does.
    assert_eq!(rt.revalidate_tag(&post_a).await.unwrap(), 1);
    assert_eq!(serve_tagged(&a_variant, "a2 p2", &[&posts]).await, (IsrState::Miss, "a2 p2".into()));
    assert_eq!(rt.revalidate_path(&format!("{}/", a.path())).await.unwrap(), 2, "every variant of the path");
    assert_eq!(serve_tagged(&a, "a3", &[&posts]).await, (IsrState::Miss, "a3".into()));
    assert_eq!(rt.revalidate_tag(&posts).await.unwrap(), 3);
    assert_eq!(serve_tagged(&b, "b2", &[&posts]).await, (IsrState::Miss, "b2".into()));
    assert_eq!(rt.revalidate_tag(&format!("unknown-{run}")).await.unwrap(), 0);
    assert!(matches!(rt.revalidate_tag("").await, Err(super::RevalidateError::Invalid(_))));
    assert!(matches!(rt.revalidate_path("blog").await, Err(super::RevalidateError::Invalid(_))));
    assert!(matches!(rt.revalidate_tag(&"x".repeat(257)).await, Err(super::RevalidateError::Invalid(_))));
}

/// Strict-CSP hydration sidecars: stored with the generation, served only to a request with the same cache
/// key (path, query, auth, tenant); tampered, foreign or malformed pointers are refused.
pub async fn hydration_sidecars(stores: Stores) {
    let clock = Clock::new(1_000);
    let rt = runtime(stores, &clock);
    let ctx = unique_ctx();
    let param = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = Arc::clone(&param);
    let out = rt
        .serve(&ctx, ROUTE, 10, move |generation| async move {
            let value = generation.hydration_param();
            *seen.lock().unwrap() = value.clone();
            Ok(Rendered {
                sidecar: Some(Bytes::from_static(br#"{"count":3}"#)),
                ..page(&format!("<link href=\"?{HYDRATION_PARAM}={value}\">"))
            })
        })
        .await
        .unwrap();
    assert_eq!(outcome(out).unwrap().0, IsrState::Miss);
    let value = param.lock().unwrap().clone();
    let with_param = |base: &FaceContext, v: &str, extra: Option<(&str, &str)>| {
        let slug = base.raw_param("slug").unwrap_or_default().to_string();
        let mut b = FaceContext::builder("GET", &format!("{}?{HYDRATION_PARAM}={v}", base.path())).param("slug", &slug);
        if let Some((n, val)) = extra {
            b = b.header(n, val);
        }
        b.build()
    };
    let (body, etag) = rt.hydration(&with_param(&ctx, &value, None), ROUTE, &value).await.expect("the sidecar");
    assert_eq!(body.as_ref(), b"{\"count\":3}\n");
    assert!(etag.is_some());
    let other = unique_ctx();
    assert!(rt.hydration(&with_param(&other, &value, None), ROUTE, &value).await.is_none(), "another page's key");
    let alice = with_param(&ctx, &value, Some(("authorization", "Bearer alice")));
    assert!(rt.hydration(&alice, ROUTE, &value).await.is_none(), "another variant");
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let real = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&value).unwrap()).unwrap();
    for bad in [
        b64(&real.replace(".hydration.json", ".html")),
        b64(&format!("/{real}")),
        b64(&real.replace("isr/", "other/")),
        b64(&real.replacen('/', "/../", 1)),
        "%%%".to_string(),
        String::new(),
    ] {
        assert!(rt.hydration(&with_param(&ctx, &bad, None), ROUTE, &bad).await.is_none(), "{bad}");
    }
}
