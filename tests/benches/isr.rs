//! ISR figures (printed, never asserted):
//! 1. an ISR hit (in-memory stores, and the embedded file store) vs an SSR render of the same blog post page, and
//!    the ISR work of a hit (a hit minus a request for a trivial page through the same app), in process;
//! 2. hits/s against S3 + DynamoDB on the local server, when `AWS_ENDPOINT_URL` points at one (scripts/test's
//!    moto, started by hand for benchmarks: `moto_server -p 5055`, then `AWS_ENDPOINT_URL=http://127.0.0.1:5055`).

#[path = "../../facetheory/benches/support/interleave.rs"]
mod interleave;

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::black_box;
use facetheory::isr::{AwsIsrConfig, IsrRuntime};
use http_body_util::BodyExt;

/// The likes counter as the post page renders it (without the island wrapper).
fn likes() -> facetheory::Markup {
    facetheory::html! { button.counter type="button" { "Likes: 3" } }
}

mod faces {
    use facetheory::prelude::*;

    #[face(route = "/ssr/<slug>")]
    pub async fn ssr_post(slug: String, ctx: &FaceContext) -> Result<Page> {
        blog::faces::blog_slug::article(&blog::posts::Posts::new(), &slug, ctx, super::likes())
    }

    /// The request floor: a page with nothing in it.
    #[face(route = "/ping")]
    pub fn ping() -> Page {
        Page::new(html! { "pong" })
    }

    #[face(route = "/isr/<slug>", mode = "isr", revalidate = 3600)]
    pub async fn isr_post(slug: String, ctx: &FaceContext) -> Result<Page> {
        blog::faces::blog_slug::article(&blog::posts::Posts::new(), &slug, ctx, super::likes())
    }
}

fn app(isr: IsrRuntime) -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_ssr_post)
        .route(&faces::__FACETHEORY_ROUTE_isr_post)
        .route(&faces::__FACETHEORY_ROUTE_ping)
        .isr(isr)
        .build()
        .unwrap()
}

async fn get(app: &facetheory::App, path: &str) -> (String, Bytes) {
    let res = app.handle(http::Request::get(path).body(http_body_util::Empty::<Bytes>::new()).unwrap()).await;
    let state = res.headers().get("x-facetheory-isr").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (state, res.into_body().collect().await.unwrap().to_bytes())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = std::env::temp_dir().join(format!("facetheory-isr-bench-{}", std::process::id()));
    let local = app(IsrRuntime::local(&dir));
    rt.block_on(async {
        assert_eq!(get(&local, "/isr/hello-world").await.0, "miss");
        assert_eq!(get(&local, "/isr/hello-world").await.0, "hit");
    });
    let memory = app(IsrRuntime::memory());
    rt.block_on(async {
        assert_eq!(get(&memory, "/isr/hello-world").await.0, "miss");
        assert_eq!(get(&memory, "/isr/hello-world").await.0, "hit");
    });
    let round = Duration::from_millis(60);
    let run = |app: &facetheory::App, path: &'static str| black_box(rt.block_on(get(app, path)));
    if std::env::var_os("FACETHEORY_BENCH_SIZES").is_some() {
        let req = || http::Request::get("/x").body(http_body_util::Empty::<Bytes>::new()).unwrap();
        println!("handle future: {} bytes", std::mem::size_of_val(&memory.handle(req())));
        return;
    }
    // Profiling aid: FACETHEORY_BENCH_PROFILE=memory|file|ping spins on one path (for perf record).
    if let Ok(which) = std::env::var("FACETHEORY_BENCH_PROFILE") {
        let until = Instant::now() + Duration::from_secs(4);
        while Instant::now() < until {
            match which.as_str() {
                "file" => drop(run(&local, "/isr/hello-world")),
                "ping" => drop(run(&memory, "/ping")),
                _ => drop(run(&memory, "/isr/hello-world")),
            }
        }
        return;
    }
    let (hit, ssr) = interleave::interleaved(
        31,
        round,
        || drop(run(&local, "/isr/hello-world")),
        || drop(run(&local, "/ssr/hello-world")),
    );
    let (mem_hit, floor) =
        interleave::interleaved(31, round, || drop(run(&memory, "/isr/hello-world")), || drop(run(&memory, "/ping")));
    let (file_hit, floor2) =
        interleave::interleaved(31, round, || drop(run(&local, "/isr/hello-world")), || drop(run(&local, "/ping")));
    println!("blog post page, in process (interleaved medians):");
    println!("  ISR hit, embedded filesystem store {hit:9.0} ns");
    println!("  SSR render of the same page        {ssr:9.0} ns");
    println!("  ratio hit/ssr = {:.2}x (a hit stats the metadata file; the body comes from memory)", hit / ssr);
    println!("ISR work of a hit (hit minus a trivial-page request through the same app, both on a runtime):");
    println!("  in-memory stores   {mem_hit:7.0} ns - {floor:7.0} ns = {:6.0} ns (goal <= 500 ns)", mem_hit - floor);
    println!(
        "  embedded file store {file_hit:6.0} ns - {floor2:7.0} ns = {:6.0} ns (goal <= 2000 ns)",
        file_hit - floor2
    );
    let _ = std::fs::remove_dir_all(&dir);

    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        println!("\nS3 + DynamoDB hits/s: skipped (set AWS_ENDPOINT_URL to a local S3/DynamoDB server)");
        return;
    }
    rt.block_on(async {
        let id = std::process::id();
        let cfg = AwsIsrConfig {
            bucket: format!("bench-isr-{id}"),
            prefix: String::new(),
            table: format!("bench-cache-{id}"),
        };
        cfg.create_resources().await.expect("bucket and table");
        let aws = app(cfg.runtime());
        assert_eq!(get(&aws, "/isr/hello-world").await.0, "miss");
        for concurrency in [1usize, 8] {
            let started = Instant::now();
            let until = started + Duration::from_secs(3);
            let mut tasks = Vec::new();
            for _ in 0..concurrency {
                let aws = aws.clone();
                tasks.push(tokio::spawn(async move {
                    let mut n = 0u64;
                    while Instant::now() < until {
                        assert_eq!(get(&aws, "/isr/hello-world").await.0, "hit");
                        n += 1;
                    }
                    n
                }));
            }
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "S3 + DynamoDB (local server) ISR hits, {concurrency} in flight: {:.0} hits/s ({:.2} ms per hit)",
                total as f64 / secs,
                secs * 1e3 * concurrency as f64 / total as f64
            );
        }
    });
}
