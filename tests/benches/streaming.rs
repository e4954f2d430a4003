//! Streaming figures (printed, never asserted):
//! 1. time to first byte vs total time for a face whose data takes 200 ms, over a real TCP connection
//!    (goal: the head flush at ≤ 5% of the total);
//! 2. time to first byte and to each out-of-order section (50, 200 and 400 ms, declared slowest first) vs the
//!    total, strict CSP, over TCP;
//! 3. throughput of a streamed SSR request vs the same page buffered, in process (ratio).

#[path = "../../facetheory/benches/support/interleave.rs"]
mod interleave;

use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::black_box;
use http_body_util::BodyExt;

mod faces {
    use facetheory::prelude::*;
    use std::time::Duration;

    fn shell() -> Markup {
        html! { header { nav { a href="/" { "Home" } } } h1 { "Report" } }
    }

    fn rows(n: usize) -> Markup {
        html! { table { @for i in 0..n { tr { td { (i) } td { "row " (i) " & <data>" } } } } }
    }

    /// The head and shell leave at once; the data takes 200 ms.
    #[face(route = "/slow-data")]
    pub fn slow_data() -> Page {
        Page::deferred(shell(), async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok(rows(50))
        })
        .title("Report")
        .head(head::charset("utf-8"))
        .head(head::stylesheet("/assets/app.css"))
    }

    /// Three deferred sections declared slowest first, strict CSP.
    #[face(route = "/sections")]
    pub fn sections() -> Page {
        let after = |ms: u64| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(html! { section data-ms=(ms) { (rows(10)) } })
        };
        Page::with_sections(|s| {
            let slow = s.defer(html! { p { "…" } }, after(400));
            let fast = s.defer(html! { p { "…" } }, after(50));
            let middle = s.defer(html! { p { "…" } }, after(200));
            html! { (shell()) (slow) (fast) (middle) }
        })
        .title("Sections")
        .strict_csp()
    }

    #[face(route = "/streamed")]
    pub fn streamed() -> Page {
        let chunks = (0..10).map(|_| Ok(rows(20)));
        Page::stream(futures_util::stream::iter(std::iter::once(Ok(shell())).chain(chunks))).title("Report")
    }

    #[face(route = "/buffered")]
    pub fn buffered() -> Page {
        Page::new(html! { (shell()) @for _ in 0..10 { (rows(20)) } }).title("Report")
    }
}

fn app() -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_slow_data)
        .route(&faces::__FACETHEORY_ROUTE_streamed)
        .route(&faces::__FACETHEORY_ROUTE_buffered)
        .route(&faces::__FACETHEORY_ROUTE_sections)
        .build()
        .unwrap()
}

/// Sends a GET on a fresh connection: when it was sent, and the response body.
async fn request(addr: std::net::SocketAddr, path: &str) -> (Instant, hyper::body::Incoming) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, http_body_util::Empty<Bytes>>(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let started = Instant::now();
    let req = http::Request::get(path).header("host", "x").body(http_body_util::Empty::new()).unwrap();
    (started, sender.send_request(req).await.unwrap().into_body())
}

/// Time of the first byte, of the frame carrying each section (by its `data-ms`), and of the last byte.
async fn section_times(addr: std::net::SocketAddr) -> (Duration, Vec<(u64, Duration)>, Duration) {
    let (started, mut body) = request(addr, "/sections").await;
    let (mut first, mut sections) = (None, Vec::new());
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.unwrap().into_data() else { continue };
        let at = started.elapsed();
        first.get_or_insert(at);
        let text = String::from_utf8_lossy(&data);
        for ms in [50u64, 200, 400] {
            if text.contains(&format!("data-ms=\"{ms}\"")) {
                sections.push((ms, at));
            }
        }
    }
    (first.unwrap(), sections, started.elapsed())
}

async fn ttfb_and_total(addr: std::net::SocketAddr) -> (Duration, Duration) {
    let (started, mut body) = request(addr, "/slow-data").await;
    let mut first = None;
    while let Some(frame) = body.frame().await {
        if frame.unwrap().is_data() && first.is_none() {
            first = Some(started.elapsed());
        }
    }
    (first.unwrap(), started.elapsed())
}

fn in_process(rt: &tokio::runtime::Runtime, app: &facetheory::App, path: &str) -> usize {
    rt.block_on(async {
        let res = app.handle(http::Request::get(path).body(http_body_util::Empty::<Bytes>::new()).unwrap()).await;
        let mut body = res.into_body();
        let mut n = 0;
        while let Some(frame) = body.frame().await {
            n += frame.unwrap().into_data().map(|d| d.len()).unwrap_or(0);
        }
        n
    })
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (ttfb, total) = rt.block_on(async {
        let server = facetheory::server::Server::bind(app(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.local_addr();
        tokio::spawn(server.run_until(std::future::pending()));
        let mut samples = Vec::new();
        for _ in 0..20 {
            samples.push(ttfb_and_total(addr).await);
        }
        samples.sort();
        samples[samples.len() / 2]
    });
    println!("TTFB vs total, face whose data takes 200 ms, over TCP (median of 20):");
    println!("  first byte (head + shell) {:8.2} ms", ttfb.as_secs_f64() * 1e3);
    println!("  last byte                 {:8.2} ms", total.as_secs_f64() * 1e3);
    println!("  head flush at {:.2}% of the total (goal <= 5%)", ttfb.as_secs_f64() / total.as_secs_f64() * 100.0);

    let (first, sections, total) = rt.block_on(async {
        let server = facetheory::server::Server::bind(app(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = server.local_addr();
        tokio::spawn(server.run_until(std::future::pending()));
        let mut runs = Vec::new();
        for _ in 0..9 {
            runs.push(section_times(addr).await);
        }
        runs.sort_by_key(|r| r.2);
        runs.swap_remove(runs.len() / 2)
    });
    println!("\nout-of-order sections (50/200/400 ms, declared 400, 50, 200), strict CSP, over TCP (median of 9):");
    println!("  first byte (head + shell + fallbacks) {:8.2} ms", first.as_secs_f64() * 1e3);
    for (ms, at) in &sections {
        println!("  section {ms:3} ms arrived after        {:8.2} ms", at.as_secs_f64() * 1e3);
    }
    println!("  last byte                             {:8.2} ms", total.as_secs_f64() * 1e3);
    println!(
        "  order: {:?} (completion order; in-order streaming would hold the 50 ms section until 400 ms)",
        sections.iter().map(|(ms, _)| *ms).collect::<Vec<_>>()
    );

    let app = app();
    let local = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let size = in_process(&local, &app, "/buffered");
    assert_eq!(in_process(&local, &app, "/streamed"), size, "both paths send the same document");
    let (streamed, buffered) = interleave::interleaved(
        31,
        Duration::from_millis(40),
        || {
            black_box(in_process(&local, &app, "/streamed"));
        },
        || {
            black_box(in_process(&local, &app, "/buffered"));
        },
    );
    println!("\nfull SSR request in process, same page ({size} bytes), interleaved medians:");
    println!("  streamed (11 chunks) {:9.0} ns   {:8.0} req/s", streamed, 1e9 / streamed);
    println!("  buffered             {:9.0} ns   {:8.0} req/s", buffered, 1e9 / buffered);
    println!("  throughput ratio streamed/buffered = {:.2}x", buffered / streamed);
}
