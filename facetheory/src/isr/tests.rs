//! The conformance suite on the in-memory and filesystem stores (the integration tests add S3 + DynamoDB).

use std::sync::Arc;

use super::conformance::{self, Stores};
use super::{FsMetaStore, IsrOutcome, IsrRuntime, MemoryMetaStore};
use crate::render::Rendered;
use crate::store::{FsStore, MemoryStore};

fn memory() -> Stores {
    (Arc::new(MemoryStore::default()), Arc::new(MemoryMetaStore::default()))
}

fn filesystem() -> Stores {
    let dir = std::env::temp_dir().join(format!("facetheory-isr-{}-{}", std::process::id(), uuid::Uuid::new_v4()));
    (Arc::new(FsStore::new(dir.join("html"))), Arc::new(FsMetaStore::new(dir.join("meta"))))
}

macro_rules! both {
    ($name:ident, $scenario:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            $scenario(memory()).await;
            $scenario(filesystem()).await;
        }
    };
}

both!(state_sequence, conformance::state_sequence);
both!(failure_policies, conformance::failure_policies);
both!(crashed_regenerator, conformance::crashed_regenerator);
both!(tenants_and_variants, conformance::tenants_and_variants);
both!(store_guarantees, conformance::store_guarantees);
both!(stale_while_revalidate, conformance::stale_while_revalidate);
both!(on_demand_revalidation, conformance::on_demand_revalidation);
both!(hydration_sidecars, conformance::hydration_sidecars);
both!(store_faults, conformance::store_faults);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_bursts_render_exactly_once() {
    conformance::cold_bursts(memory(), 10, 64).await;
    conformance::cold_bursts(filesystem(), 10, 64).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncacheable_bursts_are_answered_at_once() {
    conformance::uncacheable_bursts(memory(), 32).await;
    conformance::uncacheable_bursts(filesystem(), 32).await;
}

#[tokio::test]
async fn round_trips_and_metadata_failure() {
    for stores in [memory(), filesystem()] {
        let [miss, cold, warm] = conformance::round_trips_and_metadata_failure(stores).await;
        println!("ISR store round trips (metadata + html): miss {miss:?}, hit on another instance {cold:?}, repeat hit {warm:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_on_two_instances_regenerate_once() {
    conformance::concurrent_instances(memory(), 50).await;
    conformance::concurrent_instances(filesystem(), 50).await;
}

#[tokio::test]
async fn non_200_renders_are_served_once_uncached() {
    let rt = IsrRuntime::memory();
    let ctx = conformance::unique_ctx();
    let page = |status: u16| Rendered::html(http::StatusCode::from_u16(status).unwrap(), "x");
    let out = rt.serve(&ctx, "/c/<slug>", 10, move |_| async move { Ok(page(404)) }).await.unwrap();
    assert!(matches!(out, IsrOutcome::Uncached(ref p) if p.status == 404));
    let failed = rt.serve(&ctx, "/c/<slug>", 10, move |_| async move { Ok(page(503)) }).await;
    assert!(failed.is_err(), "5xx is a failure");
}
