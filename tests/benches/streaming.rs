//! Streaming figures (printed, never asserted):
//! 1. time to first byte vs total time for a face whose data takes 200 ms, over a real TCP connection
//!    (goal: the head flush at ≤ 5% of the total);
//! 2. throughput of a streamed SSR request vs the same page buffered, in process (ratio).

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
        .build()
        .unwrap()
}

async fn ttfb_and_total(addr: std::net::SocketAddr) -> (Duration, Duration) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, http_body_util::Empty<Bytes>>(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let started = Instant::now();
    let req = http::Request::get("/slow-data").header("host", "x").body(http_body_util::Empty::new()).unwrap();
    let mut body = sender.send_request(req).await.unwrap().into_body();
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
