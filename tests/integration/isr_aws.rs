//! ISR over the real S3 and DynamoDB wire protocols, against the local S3/DynamoDB-compatible server that
//! `scripts/test` installs and starts (moto; `AWS_ENDPOINT_URL` points at it). The conformance scenarios are the
//! same ones the memory and filesystem stores pass. Ignored by plain `cargo test`.

use std::sync::Arc;

use facetheory::isr::conformance::{self, Stores};
use facetheory::isr::{AwsIsrConfig, DynamoMetaStore};
use facetheory::store::S3Store;
use tokio::sync::OnceCell;

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL (the local S3/DynamoDB server) is set by scripts/test")
}

/// A bucket and a table for this test process (scenarios use distinct keys inside them).
async fn resources() -> &'static AwsIsrConfig {
    static RES: OnceCell<AwsIsrConfig> = OnceCell::const_new();
    RES.get_or_init(|| async {
        let _ = endpoint();
        let id = uuid_like();
        let cfg = AwsIsrConfig {
            bucket: format!("facetheory-isr-{id}"),
            prefix: "site-a".into(),
            table: format!("facetheory-cache-{id}"),
        };
        cfg.create_resources().await.expect("bucket and table");
        cfg
    })
    .await
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000
    )
}

async fn aws() -> Stores {
    let cfg = resources().await;
    let sdk = facetheory::isr::aws_config_from_env().await;
    (
        Arc::new(S3Store::new(facetheory::isr::s3_client(&sdk), &cfg.bucket, &cfg.prefix)),
        Arc::new(DynamoMetaStore::new(aws_sdk_dynamodb::Client::new(&sdk), &cfg.table)),
    )
}

macro_rules! over_the_wire {
    ($name:ident, $body:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = "needs the local S3/DynamoDB server started by scripts/test"]
        async fn $name() {
            $body.await;
        }
    };
}

over_the_wire!(aws_store_guarantees, async { conformance::store_guarantees(aws().await).await });
over_the_wire!(aws_state_sequence, async { conformance::state_sequence(aws().await).await });
over_the_wire!(aws_failure_policies, async { conformance::failure_policies(aws().await).await });
over_the_wire!(aws_crashed_regenerator, async { conformance::crashed_regenerator(aws().await).await });
over_the_wire!(aws_tenants_and_variants, async { conformance::tenants_and_variants(aws().await).await });
over_the_wire!(aws_stale_while_revalidate, async { conformance::stale_while_revalidate(aws().await).await });
over_the_wire!(aws_on_demand_revalidation, async { conformance::on_demand_revalidation(aws().await).await });
over_the_wire!(aws_hydration_sidecars, async { conformance::hydration_sidecars(aws().await).await });
over_the_wire!(aws_store_faults, async { conformance::store_faults(aws().await).await });
over_the_wire!(aws_cold_bursts, async { conformance::cold_bursts(aws().await, 5, 32).await });
over_the_wire!(aws_uncacheable_bursts, async { conformance::uncacheable_bursts(aws().await, 16).await });
over_the_wire!(aws_fifty_concurrent_requests_on_two_instances, async {
    conformance::concurrent_instances(aws().await, 50).await
});
over_the_wire!(aws_round_trips, async {
    let [miss, cold, warm] = conformance::round_trips_and_metadata_failure(aws().await).await;
    println!("ISR round trips on S3 + DynamoDB (DynamoDB + S3): miss {miss:?}, hit on another instance {cold:?}, repeat hit {warm:?}");
});

over_the_wire!(aws_blog_post_through_the_app, async {
    use http_body_util::BodyExt;
    let cfg = resources().await;
    let app = blog::app().isr(cfg.runtime()).build().unwrap();
    let get = |app: facetheory::App| async move {
        let res = app.handle(http::Request::get("/blog/routing").body(String::new()).unwrap()).await;
        let state = res.headers()["x-facetheory-isr"].to_str().unwrap().to_string();
        (state, res.into_body().collect().await.unwrap().to_bytes())
    };
    let (s1, b1) = get(app.clone()).await;
    let (s2, b2) = get(app).await;
    assert_eq!((s1.as_str(), s2.as_str()), ("miss", "hit"));
    assert_eq!(b1, b2);
    // Another instance (a second Lambda) over the same bucket and table gets the stored page.
    let other = blog::app().isr(cfg.runtime()).build().unwrap();
    assert_eq!(get(other).await.0, "hit");
});

/// The S3/DynamoDB endpoint is down (nothing listens on the port): a never-cached page is still answered, as
/// one uncached render, within the SDK bounds (two attempts, 2 s per call) instead of a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_store_degrades_to_an_uncached_render() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = format!("http://127.0.0.1:{port}");
    let sdk = facetheory::isr::bounded_sdk_loader()
        .endpoint_url(&dead)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new("test", "test", None, None, "test"))
        .load()
        .await;
    let html = S3Store::new(facetheory::isr::s3_client(&sdk), "down-bucket", "site");
    let meta = DynamoMetaStore::new(aws_sdk_dynamodb::Client::new(&sdk), "down-table");
    let rt = facetheory::isr::IsrRuntime::new(html, meta);
    let ctx = conformance::unique_ctx();
    let started = std::time::Instant::now();
    let out = rt
        .serve(&ctx, "/conformance/<slug>", 10, |_| async {
            Ok(facetheory::Rendered::html(http::StatusCode::OK, "rendered while the store is down"))
        })
        .await
        .expect("answered, not a 500");
    let facetheory::isr::IsrOutcome::Uncached(page) = out else { panic!("nothing can be cached") };
    assert_eq!(page.body, "rendered while the store is down");
    println!("answered during the outage in {:?}", started.elapsed());
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "bounded by the SDK timeouts");
}
