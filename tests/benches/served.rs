//! The article page served over real TCP (figures, never asserted): the app through facetheory's server
//! against the floor served by the smallest hand-written hyper server — the same HTTP/1.1 connection settings,
//! the same bytes, type and length — in paired rounds under the same load (`wrk -t2 -c64` when it is on
//! PATH, which scripts/test installs, else the built-in keep-alive generator; either shares the 2 cores).
//!
//! Where the `article` bench times a request alone, with each side's code hot in the CPU's caches, this is the
//! framework's cost in a served request: what a deployment's throughput sees.

#[allow(dead_code)]
#[path = "support/article_page.rs"]
mod article_page;
#[path = "support/load.rs"]
mod load;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

/// The floor as a server: hyper's HTTP/1.1 connection with the timer and header-read timeout facetheory's
/// server sets, each request answered with the floor's document.
async fn floor_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let service = hyper::service::service_fn(|_req: http::Request<hyper::body::Incoming>| async {
                let page = article_page::floor(true);
                let res = http::Response::builder()
                    .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
                    .header(http::header::CONTENT_LENGTH, page.len())
                    .body(Full::new(Bytes::from(page)))
                    .unwrap();
                Ok::<_, Infallible>(res)
            });
            tokio::spawn(async move {
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(Duration::from_secs(10));
                let _ = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
            });
        }
    });
    addr
}

/// The app through facetheory's own server.
async fn app_server() -> SocketAddr {
    let server = facetheory::server::Server::bind(article_page::app(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run_until(std::future::pending()));
    addr
}

fn main() {
    // As in the article bench: a subscriber that listens to nothing, as a deployment has one.
    let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (app, floor) = rt.block_on(async { (app_server().await, floor_server().await) });
    let (served_app, served_floor) = rt.block_on(async {
        (load::fetch(app, "/article").await.unwrap(), load::fetch(floor, "/article").await.unwrap())
    });
    assert_eq!(served_app.0, 200);
    assert_eq!(served_app, served_floor, "both servers send the same document");
    // Profiling aid: FACETHEORY_BENCH_PROFILE=app|floor serves one side under `wrk` for 4 s (for perf record).
    if let Ok(side) = std::env::var("FACETHEORY_BENCH_PROFILE") {
        let (rps, p99, _) = load::wrk(if side == "app" { app } else { floor }, "/article", 64, 4).expect("wrk");
        println!("{side}: {rps:.0} req/s, p99 {p99:.2} ms");
        return;
    }
    let with_wrk = load::wrk(app, "/article", 2, 1).is_some();
    // One round of load on one side: (req/s, p99 ms, errors).
    let round = |addr: SocketAddr| {
        if with_wrk {
            load::wrk(addr, "/article", 64, 1).expect("wrk ran a moment ago")
        } else {
            rt.block_on(load::load(addr, "/article", 64, Duration::from_secs(1)))
        }
    };
    let generator = if with_wrk { "wrk -t2 -c64" } else { "built-in generator, 64 connections (wrk is not installed)" };
    const PAIRS: usize = 15;
    println!("the article page served over TCP ({generator}; {PAIRS} pairs of 1 s rounds, sides alternating):");
    // Each pair's ratio: its two rounds ran back to back, under the same conditions.
    let (mut ratios, mut app_rps, mut floor_rps, mut app_p99, mut floor_p99, mut errors) =
        (vec![], vec![], vec![], vec![], vec![], 0);
    for i in 0..PAIRS {
        let ((a, ap, ae), (f, fp, fe)) = if i % 2 == 0 {
            let a = round(app);
            (a, round(floor))
        } else {
            let f = round(floor);
            (round(app), f)
        };
        errors += ae + fe;
        ratios.push(f / a);
        app_rps.push(a);
        floor_rps.push(f);
        app_p99.push(ap);
        floor_p99.push(fp);
    }
    let spread = |v: &[f64]| v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    let (lo, hi) = spread(&ratios);
    println!(
        "  floor: raw maud + serde_json in a hand-written hyper server   {:9.0} req/s   p99 {:6.2} ms",
        load::median(floor_rps),
        load::median(floor_p99)
    );
    println!(
        "  the app through facetheory's server                          {:9.0} req/s   p99 {:6.2} ms",
        load::median(app_rps),
        load::median(app_p99)
    );
    println!(
        "  time per served request: the app {:+.1}% over the floor (median of the pairs; pairs ranged {:+.1}% to {:+.1}%; errors: {errors})",
        (load::median(ratios) - 1.0) * 100.0,
        (lo - 1.0) * 100.0,
        (hi - 1.0) * 100.0
    );
}
