//! The engine against its state machine, with an injected clock. The same scenarios run on the in-memory and
//! the filesystem stores.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::*;
use crate::store::StoreError;

struct Clock(Arc<AtomicU64>);
impl Clock {
    fn new(t: u64) -> Self {
        Clock(Arc::new(AtomicU64::new(t)))
    }
    fn set(&self, t: u64) {
        self.0.store(t, Ordering::SeqCst);
    }
    fn f(&self) -> impl Fn() -> u64 + Send + Sync + 'static {
        let c = Arc::clone(&self.0);
        move || c.load(Ordering::SeqCst)
    }
}

fn page(text: &str) -> Rendered {
    Rendered {
        status: 200,
        content_type: "text/html; charset=utf-8".into(),
        csp: None,
        kept_headers: vec![("content-language".into(), "en".into())],
        body: Bytes::from(text.to_string()),
    }
}

fn ctx() -> FaceContext {
    FaceContext::builder("GET", "/blog/a").param("slug", "a").build()
}

async fn serve(rt: &IsrRuntime, ctx: &FaceContext, body: Result<&str, &str>) -> Result<(IsrState, String), Error> {
    let out = rt
        .serve(ctx, "/blog/<slug>", 10, || async move {
            match body {
                Ok(b) => Ok(page(b)),
                Err(e) => Err(Error::msg(e)),
            }
        })
        .await?;
    match out {
        IsrOutcome::Served { state, page, .. } => Ok((state, String::from_utf8(page.body.to_vec()).unwrap())),
        IsrOutcome::Uncached(p) => Ok((IsrState::Miss, format!("uncached {}", p.status))),
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("facetheory-isr-{tag}-{}-{}", std::process::id(), uuid::Uuid::new_v4()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn runtimes(tag: &str, clock: &Clock) -> Vec<(&'static str, IsrRuntime)> {
    vec![
        ("memory", IsrRuntime::memory().clock(clock.f())),
        ("filesystem", IsrRuntime::local(temp_dir(tag)).clock(clock.f())),
    ]
}

#[tokio::test]
async fn state_sequence_miss_hit_miss_stale() {
    let clock = Clock::new(1_000);
    for (store, rt) in runtimes("sequence", &clock) {
        clock.set(1_000);
        assert_eq!(serve(&rt, &ctx(), Ok("v1")).await.unwrap(), (IsrState::Miss, "v1".into()), "{store}");
        clock.set(5_000);
        assert_eq!(serve(&rt, &ctx(), Ok("never rendered")).await.unwrap(), (IsrState::Hit, "v1".into()), "{store}");
        clock.set(11_000);
        assert_eq!(serve(&rt, &ctx(), Ok("v2")).await.unwrap(), (IsrState::Miss, "v2".into()), "{store}");
        clock.set(22_000);
        assert_eq!(serve(&rt, &ctx(), Err("db down")).await.unwrap(), (IsrState::Stale, "v2".into()), "{store}");
        // The failed regeneration changed nothing: still v2, and the next good render replaces it.
        assert_eq!(serve(&rt, &ctx(), Ok("v3")).await.unwrap(), (IsrState::Miss, "v3".into()), "{store}");
    }
}

#[tokio::test]
async fn failure_policy_error_and_first_render_failure_are_500s() {
    let clock = Clock::new(1_000);
    for (store, rt) in runtimes("failure", &clock) {
        assert!(serve(&rt, &ctx(), Err("boom")).await.is_err(), "{store}: nothing to fall back to");
        let rt = rt.on_failure(FailurePolicy::Error);
        serve(&rt, &ctx(), Ok("v1")).await.unwrap();
        clock.set(20_000);
        assert!(serve(&rt, &ctx(), Err("boom")).await.is_err(), "{store}");
        clock.set(1_000);
    }
}

#[tokio::test]
async fn contention_serve_stale_and_crashed_regenerator_lease_expiry() {
    let clock = Clock::new(1_000);
    for (store, rt) in runtimes("contention", &clock) {
        clock.set(1_000);
        serve(&rt, &ctx(), Ok("v1")).await.unwrap();
        clock.set(20_000);
        // Another instance took the lease and crashed (never committed, never released).
        let key = rt.cache_key(&ctx(), "/blog/<slug>").unwrap();
        assert!(rt.meta.try_acquire_lease(&key, 20_000, 5_000).await.unwrap().is_some());
        let impatient = rt.clone().on_contention(ContentionPolicy::ServeStale);
        assert_eq!(serve(&impatient, &ctx(), Ok("v2")).await.unwrap(), (IsrState::Stale, "v1".into()), "{store}");
        // It also wrote a body before crashing: that orphan is never served.
        rt.html.put("isr/orphan.html", to_blob(&page("orphan"), 10)).await.unwrap();
        // Once the lease expires, the next request regenerates: no deadlock.
        clock.set(25_001);
        assert_eq!(serve(&impatient, &ctx(), Ok("v2")).await.unwrap(), (IsrState::Miss, "v2".into()), "{store}");
    }
}

#[tokio::test]
async fn tenants_fail_closed_and_variants_are_separate() {
    let clock = Clock::new(1_000);
    let rt = IsrRuntime::memory().clock(clock.f());
    let rendered = AtomicUsize::new(0);
    let tenant_ctx = FaceContext::builder("GET", "/blog/a").param("slug", "a").header("x-tenant-id", "acme").build();
    let err = rt
        .serve(&tenant_ctx, "/blog/<slug>", 10, || async {
            rendered.fetch_add(1, Ordering::SeqCst);
            Ok(page("x"))
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("x-tenant-id"));
    assert_eq!(rendered.load(Ordering::SeqCst), 0, "nothing rendered or written");
    let by_tenant = rt.clone().tenant(|c| c.header("x-tenant-id").map(str::to_string));
    assert_eq!(serve(&by_tenant, &tenant_ctx, Ok("acme page")).await.unwrap().1, "acme page");
    let other_tenant =
        FaceContext::builder("GET", "/blog/a").param("slug", "a").header("x-tenant-id", "globex").build();
    assert_eq!(serve(&by_tenant, &other_tenant, Ok("globex page")).await.unwrap().1, "globex page");
    assert_eq!(serve(&by_tenant, &tenant_ctx, Ok("x")).await.unwrap(), (IsrState::Hit, "acme page".into()));
    let authed =
        FaceContext::builder("GET", "/blog/a").param("slug", "a").header("authorization", "Bearer alice").build();
    assert_eq!(serve(&rt, &ctx(), Ok("public")).await.unwrap().1, "public");
    assert_eq!(serve(&rt, &authed, Ok("alice's")).await.unwrap().1, "alice's");
    assert_eq!(serve(&rt, &ctx(), Ok("x")).await.unwrap(), (IsrState::Hit, "public".into()));
}

#[tokio::test]
async fn non_200_renders_are_served_once_uncached() {
    let rt = IsrRuntime::memory();
    let out =
        rt.serve(&ctx(), "/blog/<slug>", 10, || async { Ok(Rendered { status: 404, ..page("gone") }) }).await.unwrap();
    assert!(matches!(out, IsrOutcome::Uncached(ref p) if p.status == 404));
    let err = rt.serve(&ctx(), "/blog/<slug>", 10, || async { Ok(Rendered { status: 503, ..page("x") }) }).await;
    assert!(err.is_err(), "5xx is never cached or served from the engine");
}

/// A metadata store that counts calls and can be made to fail.
struct Probe<M> {
    inner: M,
    calls: AtomicUsize,
    failing: std::sync::atomic::AtomicBool,
}

impl<M: MetaStore> MetaStore for Probe<M> {
    fn get(&self, key: &str) -> crate::face::BoxFuture<Result<Option<IsrRecord>, StoreError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            let key = key.to_string();
            return Box::pin(async move { Err(StoreError::Io { key, source: std::io::Error::other("throttled") }) });
        }
        self.inner.get(key)
    }
    fn try_acquire_lease(
        &self,
        key: &str,
        now: u64,
        ms: u64,
    ) -> crate::face::BoxFuture<Result<Option<Lease>, StoreError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.try_acquire_lease(key, now, ms)
    }
    fn commit(&self, key: &str, l: &Lease, r: IsrRecord, now: u64) -> crate::face::BoxFuture<Result<bool, StoreError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.commit(key, l, r, now)
    }
    fn release(&self, key: &str, l: &Lease) -> crate::face::BoxFuture<Result<(), StoreError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.release(key, l)
    }
}

struct CountingBlobs<B> {
    inner: B,
    calls: AtomicUsize,
}

impl<B: BlobStore> BlobStore for CountingBlobs<B> {
    fn put(&self, key: &str, blob: Blob) -> crate::face::BoxFuture<Result<(), StoreError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.put(key, blob)
    }
    fn get(&self, key: &str) -> crate::face::BoxFuture<Result<Option<Blob>, StoreError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key)
    }
}

#[tokio::test]
async fn round_trips_and_metadata_failure_fallback() {
    let clock = Clock::new(1_000);
    let meta = Arc::new(Probe { inner: MemoryMetaStore::default(), calls: AtomicUsize::new(0), failing: false.into() });
    let html = Arc::new(CountingBlobs { inner: MemoryStore::default(), calls: AtomicUsize::new(0) });
    let rt = IsrRuntime::new(Arc::clone(&html), Arc::clone(&meta)).clock(clock.f());
    let count = || (meta.calls.swap(0, Ordering::SeqCst), html.calls.swap(0, Ordering::SeqCst));
    serve(&rt, &ctx(), Ok("v1")).await.unwrap();
    let miss = count();
    serve(&rt, &ctx(), Ok("x")).await.unwrap();
    let hit = count();
    println!(
        "ISR store round trips: miss = {} metadata + {} html, hit = {} metadata + {} html",
        miss.0, miss.1, hit.0, hit.1
    );
    assert_eq!(hit, (1, 1), "a hit is one metadata read and one body read");
    assert_eq!(miss, (4, 1), "a miss: get, acquire, commit, release + one body write");
    // The metadata store fails: the last known record is served, marked as such.
    meta.failing.store(true, Ordering::SeqCst);
    assert_eq!(serve(&rt, &ctx(), Ok("x")).await.unwrap(), (IsrState::StaleMetadataError, "v1".into()));
    let strict = rt.clone().on_failure(FailurePolicy::Error);
    assert!(serve(&strict, &ctx(), Ok("x")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_on_two_instances_regenerate_once() {
    let dir = temp_dir("concurrency");
    let clock = Clock::new(1_000);
    let a = IsrRuntime::local(&dir).clock(clock.f()).wait(Duration::from_secs(10), Duration::from_millis(5));
    let b = IsrRuntime::local(&dir).clock(clock.f()).wait(Duration::from_secs(10), Duration::from_millis(5));
    serve(&a, &ctx(), Ok("v1")).await.unwrap();
    clock.set(20_000); // stale for everyone
    let renders = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..50 {
        let rt = if i % 2 == 0 { a.clone() } else { b.clone() };
        let renders = Arc::clone(&renders);
        tasks.push(tokio::spawn(async move {
            let out = rt
                .serve(&ctx(), "/blog/<slug>", 10, || async move {
                    renders.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok(page("v2"))
                })
                .await
                .unwrap();
            match out {
                IsrOutcome::Served { state, .. } => state,
                IsrOutcome::Uncached(_) => unreachable!(),
            }
        }));
    }
    let mut states = Vec::new();
    for t in tasks {
        states.push(t.await.unwrap());
    }
    assert_eq!(renders.load(Ordering::SeqCst), 1, "exactly one regeneration");
    assert!(states.iter().all(|s| matches!(s, IsrState::Miss | IsrState::WaitHit | IsrState::Stale)), "{states:?}");
    assert_eq!(states.iter().filter(|s| **s == IsrState::Miss).count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
