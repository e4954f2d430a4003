//! The ISR conformance suite: every scenario of the state machine, written once and run against each store
//! implementation (memory and filesystem in unit tests; S3 + DynamoDB over the wire in the integration tests).
//! Each scenario gets fresh stores from `stores()` and uses its own cache keys, so scenarios may share a bucket
//! and a table.
#![doc(hidden)]

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::{ContentionPolicy, FailurePolicy, IsrOutcome, IsrRecord, IsrRuntime, IsrState, Lease, MetaStore, Rendered};
use crate::context::FaceContext;
use crate::error::Error;
use crate::face::BoxFuture;
use crate::store::{Blob, BlobStore, StoreError};

/// Fresh stores for one scenario (two runtimes built over the same pair act as two app instances).
pub type Stores = (Arc<dyn BlobStore>, Arc<dyn MetaStore>);

const ROUTE: &str = "/conformance/<slug>";

/// A settable clock.
#[derive(Clone)]
pub struct Clock(Arc<AtomicU64>);

impl Clock {
    pub fn new(t: u64) -> Self {
        Clock(Arc::new(AtomicU64::new(t)))
    }
    pub fn set(&self, t: u64) {
        self.0.store(t, Ordering::SeqCst);
    }
    pub fn f(&self) -> impl Fn() -> u64 + Send + Sync + 'static {
        let c = Arc::clone(&self.0);
        move || c.load(Ordering::SeqCst)
    }
}

fn page(text: &str) -> Rendered {
    Rendered {
        status: 200,
        content_type: "text/html; charset=utf-8".into(),
        csp: Some("default-src 'self'".into()),
        kept_headers: vec![("content-language".into(), "en".into())],
        body: Bytes::from(text.to_string()),
    }
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
    let out = rt
        .serve(ctx, ROUTE, 10, || async move {
            match body {
                Ok(b) => Ok(page(b)),
                Err(e) => Err(Error::msg(e)),
            }
        })
        .await?;
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
    let out = rt.serve(&ctx, ROUTE, 10, || async { Ok(page("unused")) }).await.unwrap();
    let IsrOutcome::Served { page: stored, etag, .. } = out else { panic!("a hit") };
    assert_eq!(stored.csp.as_deref(), Some("default-src 'self'"));
    assert_eq!(stored.kept_headers, vec![("content-language".to_string(), "en".to_string())]);
    assert_eq!(stored.content_type, "text/html; charset=utf-8");
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
    assert!(rt.meta.try_acquire_lease(&key, 20_000, 5_000).await.unwrap().is_some());
    rt.html
        .put(&format!("isr/orphans/{}.html", uuid::Uuid::new_v4()), super::to_blob(&page("orphan"), 10))
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
    let rendered = AtomicUsize::new(0);
    let acme = with_header(&ctx, "x-tenant-id", "acme");
    let err = rt
        .serve(&acme, ROUTE, 10, || async {
            rendered.fetch_add(1, Ordering::SeqCst);
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

/// Counts calls and can fail `get`.
struct Probe {
    meta: Arc<dyn MetaStore>,
    html: Arc<dyn BlobStore>,
    meta_calls: AtomicUsize,
    html_calls: AtomicUsize,
    failing: AtomicBool,
}

struct ProbeMeta(Arc<Probe>);
struct ProbeHtml(Arc<Probe>);

impl MetaStore for ProbeMeta {
    fn get(&self, key: &str) -> BoxFuture<Result<Option<IsrRecord>, StoreError>> {
        self.0.meta_calls.fetch_add(1, Ordering::SeqCst);
        if self.0.failing.load(Ordering::SeqCst) {
            let key = key.to_string();
            return Box::pin(async move { Err(StoreError::Io { key, source: std::io::Error::other("throttled") }) });
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
}

impl BlobStore for ProbeHtml {
    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>> {
        self.0.html_calls.fetch_add(1, Ordering::SeqCst);
        self.0.html.put(key, blob)
    }
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>> {
        self.0.html_calls.fetch_add(1, Ordering::SeqCst);
        self.0.html.get(key)
    }
}

/// Store round trips per request kind, returned for printing: (miss, hit on another instance, hit on the
/// instance that rendered), each as (metadata calls, body calls). Also: when the metadata store fails, the last
/// known record is served as `stale-metadata-error`.
pub async fn round_trips_and_metadata_failure((html, meta): Stores) -> [(usize, usize); 3] {
    let clock = Clock::new(1_000);
    let probe = Arc::new(Probe {
        meta,
        html,
        meta_calls: AtomicUsize::new(0),
        html_calls: AtomicUsize::new(0),
        failing: AtomicBool::new(false),
    });
    let make = || IsrRuntime::new(ProbeHtml(Arc::clone(&probe)), ProbeMeta(Arc::clone(&probe))).clock(clock.f());
    let (rt, other) = (make(), make());
    let ctx = unique_ctx();
    let take = || (probe.meta_calls.swap(0, Ordering::SeqCst), probe.html_calls.swap(0, Ordering::SeqCst));
    serve(&rt, &ctx, Ok("v1")).await.unwrap();
    let miss = take();
    assert_eq!(serve(&other, &ctx, Ok("x")).await.unwrap().0, IsrState::Hit);
    let cold_hit = take();
    serve(&rt, &ctx, Ok("x")).await.unwrap();
    let warm_hit = take();
    assert_eq!(miss, (4, 1), "a miss: get, lease, commit, release and one body write");
    assert_eq!(cold_hit, (1, 1), "a hit on another instance: one metadata read and one body read");
    assert_eq!(warm_hit, (1, 0), "bodies are cached by their immutable pointer: one metadata read");
    probe.failing.store(true, Ordering::SeqCst);
    assert_eq!(serve(&rt, &ctx, Ok("x")).await.unwrap(), (IsrState::StaleMetadataError, "v1".into()));
    assert!(serve(&rt.clone().on_failure(FailurePolicy::Error), &ctx, Ok("x")).await.is_err());
    [miss, cold_hit, warm_hit]
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
                .serve(&ctx, ROUTE, 10, || async move {
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
    let blob = super::to_blob(&page("body"), 10);
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
    let record =
        |p: &str| IsrRecord { html_pointer: p.into(), generated_at_ms: 1_000, revalidate_seconds: 10, etag: None };
    let foreign = Lease { token: "someone-else".into(), expires_at_ms: 6_000 };
    assert!(!meta.commit(&key, &foreign, record("wrong"), 2_000).await.unwrap());
    assert!(!meta.commit(&key, &lease, record("late"), 7_000).await.unwrap(), "an expired lease cannot commit");
    assert_eq!(meta.get(&key).await.unwrap(), None, "failed commits wrote nothing");
    let lease = meta.try_acquire_lease(&key, 7_000, 5_000).await.unwrap().expect("the expired lease is taken over");
    assert!(meta.commit(&key, &lease, record(&pointer), 8_000).await.unwrap());
    assert_eq!(meta.get(&key).await.unwrap(), Some(record(&pointer)));
    // Committing released the lease.
    let next = meta.try_acquire_lease(&key, 8_000, 5_000).await.unwrap().expect("free after commit");
    meta.release(&key, &next).await.unwrap();
    assert!(meta.try_acquire_lease(&key, 8_000, 5_000).await.unwrap().is_some(), "free after release");
}
