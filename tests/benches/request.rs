//! A full in-process request → response for the blog post page (route match, context, face, document, head
//! normalisation, headers, request id, body) vs the floor: the same bytes written with raw maud + serde_json
//! (checked byte-identical first). Also vs calling the face function alone, which builds the same maud body but
//! not the document. Prints each and the overhead (goal ≤ 10% over the floor).

#[path = "../../facetheory/benches/support/interleave.rs"]
mod interleave;

use criterion::{black_box, Criterion};
use facetheory::{FaceContext, Page};
use http_body_util::BodyExt;

/// The likes counter as the post page renders it (without the island wrapper).
fn likes() -> facetheory::Markup {
    facetheory::html! { button.counter type="button" { "Likes: 3" } }
}

fn render_alone() -> usize {
    let ctx = FaceContext::builder("GET", "/blog/hello-world").param("slug", "hello-world").build();
    let page: Page =
        blog::faces::blog_slug::article(&blog::posts::Posts::new(), "hello-world", &ctx, likes()).expect("page");
    page.status().as_u16() as usize
}

/// The floor: the same document the app serves for `/post/hello-world`, written with raw maud and serde_json
/// (the same post lookup, no framework). Checked byte-identical to the app's response before anything is timed.
fn floor() -> String {
    use facetheory::PreEscaped;
    let posts = blog::posts::Posts::new();
    let post = posts.find("hello-world").expect("the post");
    let comments = posts.comments("hello-world");
    let ld = serde_json::json!({"@context": "https://schema.org", "@type": "BlogPosting", "headline": post.title});
    let ld = serde_json::to_string(&ld).unwrap();
    facetheory::html! {
        (PreEscaped("<!doctype html>"))
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (post.title) " · facetheory blog" }
                meta content="width=device-width, initial-scale=1" name="viewport";
                meta content=(post.summary) name="description";
                script type="application/ld+json" { (PreEscaped(ld)) }
            }
            body {
                header {
                    nav {
                        a href="/" { "Home" } " · "
                        a href="/about" { "About" } " · "
                        a href="/live" { "Live" } " · "
                        a href="/deferred" { "Deferred" } " · "
                        a href="/docs" { "Docs" } " · "
                        a href="/api/posts" { "API" }
                    }
                }
                main {
                    article {
                        h1 { (post.title) }
                        @for para in post.body { p { (para) } }
                    }
                    (likes())
                    section #comments {
                        h2 { "Comments" }
                        @if comments.is_empty() { p { "No comments yet." } }
                        ul.comments { @for c in &comments { li { strong { (c.name) } ": " (c.text) } } }
                        form method="post" action="/post/hello-world" data-facetheory-oac-form {
                            label { "Name " input name="name" required maxlength="60"; }
                            label { "Comment " textarea name="text" required maxlength="1000" {} }
                            button type="submit" { "Post comment" }
                        }
                    }
                    p.meta { small { "raw slug: " code { "hello-world" } } }
                }
                footer { p { "An example facetheory site." } }
            }
        }
    }
    .into_string()
}

/// The floor as the smallest hand-written handler serving it: the same request in, a response with the same
/// document, content type and length out, drained the same way. What any Rust server pays around this page
/// without a framework (`http` request and response, header map, body frame).
fn through_handler() -> usize {
    let req = http::Request::get("/post/hello-world").body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap();
    let page = if req.uri().path() == "/post/hello-world" { floor() } else { String::new() };
    let res = http::Response::builder()
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(http::header::CONTENT_LENGTH, page.len())
        .body(http_body_util::Full::new(bytes::Bytes::from(page)))
        .unwrap();
    let mut body = res.into_body();
    let mut len = 0;
    while let Some(frame) = futures_ready(body.frame()) {
        len += frame.unwrap().into_data().map(|d| d.len()).unwrap_or(0);
    }
    len
}

/// Polls a future that never waits (the face is async but does no I/O).
fn futures_ready<F: std::future::Future>(f: F) -> F::Output {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the face awaited something"),
    }
}

fn full_request(app: &facetheory::App) -> usize {
    let req = http::Request::get("/post/hello-world").body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap();
    let res = futures_ready(app.handle(req));
    // Drain the frames as a server does (it writes each chunk out; it does not concatenate them).
    let mut body = res.into_body();
    let mut len = 0;
    while let Some(frame) = futures_ready(body.frame()) {
        len += frame.unwrap().into_data().map(|d| d.len()).unwrap_or(0);
    }
    len
}

/// The served document, as one string.
fn response_text(app: &facetheory::App) -> String {
    let req = http::Request::get("/post/hello-world").body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap();
    let mut body = futures_ready(app.handle(req)).into_body();
    let mut out = Vec::new();
    while let Some(frame) = futures_ready(body.frame()) {
        out.extend_from_slice(&frame.unwrap().into_data().unwrap_or_default());
    }
    String::from_utf8(out).unwrap()
}

/// The blog's post document as an SSR face (the blog serves it through ISR, which `benches/isr.rs` measures).
mod post {
    use facetheory::prelude::*;

    #[face(route = "/post/<slug>")]
    pub fn post(slug: String, ctx: &FaceContext) -> Result<Page> {
        blog::faces::blog_slug::article(&blog::posts::Posts::new(), &slug, ctx, super::likes())
    }
}

/// A larger page (~20 KB of escaped text), to show how the fixed overhead compares with a realistic body.
mod big {
    use facetheory::prelude::*;

    #[face(route = "/big")]
    pub fn big() -> Page {
        Page::new(html! {
            main { @for i in 0..300 { p { "Paragraph " (i) ": some text with <escapes> & more text." } } }
        })
        .title("Big")
        .head(head::charset("utf-8"))
        .head(head::meta("description", "A larger page"))
    }
}

fn big_alone() -> usize {
    big::big().status().as_u16() as usize
}

fn big_request(app: &facetheory::App) -> usize {
    let req = http::Request::get("/big").body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap();
    let mut body = futures_ready(app.handle(req)).into_body();
    let mut len = 0;
    while let Some(frame) = futures_ready(body.frame()) {
        len += frame.unwrap().into_data().map(|d| d.len()).unwrap_or(0);
    }
    len
}

/// Interleaved medians of two paths, in nanoseconds per call.
fn medians(mut a: impl FnMut() -> usize, mut b: impl FnMut() -> usize) -> (f64, f64) {
    interleave::interleaved(
        41,
        std::time::Duration::from_millis(40),
        || {
            black_box(a());
        },
        || {
            black_box(b());
        },
    )
}

/// What a request costs more with `subscriber` listening than with nothing listening (interleaved medians).
fn log_line_cost(app: &facetheory::App, subscriber: &tracing::Dispatch) -> f64 {
    let (on, off) =
        medians(|| tracing::dispatcher::with_default(subscriber, || full_request(app)), || full_request(app));
    on - off
}

/// A subscriber logging at info with `JsonLines` (what the Lambda binary writes) to a sink.
fn json_lines() -> tracing::Dispatch {
    tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .event_format(facetheory::observe::JsonLines)
            .with_writer(std::io::sink)
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .finish(),
    )
}

fn main() {
    // A deployed app always has a subscriber (`facetheory::run` installs one). Without any, `tracing` hands every
    // span to the `log` crate (its `log` feature, which `lambda_runtime` turns on): work no deployment does.
    // This one listens to nothing; "on" below scopes a real one over it.
    let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
    // Profiling aid: FACETHEORY_BENCH_PROFILE=big spins on the larger page only (for perf record).
    if std::env::var("FACETHEORY_BENCH_PROFILE").as_deref() == Ok("big") {
        let big_app = facetheory::App::builder().route(&big::__FACETHEORY_ROUTE_big).build().unwrap();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while std::time::Instant::now() < until {
            black_box(big_request(&big_app));
        }
        return;
    }
    let app = facetheory::App::builder().route(&post::__FACETHEORY_ROUTE_post).build().unwrap();
    assert!(full_request(&app) > 500);
    let served = response_text(&app);
    let floor_text = floor();
    assert!(served == floor_text, "the floor differs from the served page:\n{served}\n---\n{floor_text}");
    assert_eq!(through_handler(), floor_text.len(), "the hand-written handler serves the floor");
    // FACETHEORY_BENCH_PROFILE=post|floor|alone|handler|lines|metrics spins on one path, for 3 s or
    // FACETHEORY_BENCH_ITERS requests (instruction counts: run two counts under valgrind and subtract). `lines`
    // is the post page logging with JsonLines (what Lambda writes), `metrics` with the EMF recorder, both to a sink.
    if let Ok(which @ ("post" | "floor" | "alone" | "handler" | "lines" | "metrics")) =
        std::env::var("FACETHEORY_BENCH_PROFILE").as_deref()
    {
        let iters = std::env::var("FACETHEORY_BENCH_ITERS").ok().and_then(|n| n.parse::<u64>().ok());
        let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let lines = json_lines();
        let recorder = facetheory::observe::EmfRecorder::new("bench").writer(std::io::sink());
        let mut done = 0;
        while iters.map_or(std::time::Instant::now() < until, |n| done < n) {
            done += 1;
            black_box(match which {
                "post" => full_request(&app),
                "floor" => floor().len(),
                "handler" => through_handler(),
                "lines" => tracing::dispatcher::with_default(&lines, || full_request(&app)),
                "metrics" => metrics::with_local_recorder(&recorder, || full_request(&app)),
                _ => render_alone(),
            });
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args().warm_up_time(std::time::Duration::from_millis(500));
    let mut group = c.benchmark_group("blog_post");
    group.bench_function("render_face_alone", |b| b.iter(|| black_box(render_alone())));
    group.bench_function("raw_maud_floor", |b| b.iter(|| black_box(floor().len())));
    group.bench_function("full_request", |b| b.iter(|| black_box(full_request(&app))));
    group.finish();
    c.final_summary();

    let (full, alone) = medians(|| full_request(&app), render_alone);
    println!("\nblog post page (interleaved rounds, medians):");
    println!("  face + maud body alone   {alone:9.0} ns");
    println!("  full request -> response {full:9.0} ns");
    println!("  overhead = {:.1}%, {:.0} ns per request", (full / alone - 1.0) * 100.0, full - alone);
    // The goal's ratio: the same bytes with raw maud + serde_json (the face alone above builds the body, not
    // the document).
    let (full, raw) = medians(|| full_request(&app), || floor().len());
    println!("\nblog post page vs the raw-maud floor, {} bytes (interleaved rounds, medians):", floor_text.len());
    println!("  raw maud + serde_json, same bytes {raw:9.0} ns");
    println!("  full request -> response          {full:9.0} ns");
    println!("  overhead = {:.1}% (goal <= 10%), {:.0} ns per request", (full / raw - 1.0) * 100.0, full - raw);
    // What any server pays around the page: the floor inside the smallest hand-written handler.
    let (full, handler) = medians(|| full_request(&app), through_handler);
    println!("  against the floor as a minimal hand-written handler ({handler:.0} ns): request in, response with");
    println!(
        "  type and length out, drained the same way: {:+.1}%, {:.0} ns",
        (full / handler - 1.0) * 100.0,
        full - handler
    );

    // Observability on: the request log at info through a fmt subscriber (to a sink) and every metric through
    // the EMF recorder (to a sink), vs no subscriber and no recorder. Scoped per call, which only adds to "on".
    let subscriber = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_writer(std::io::sink)
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .finish(),
    );
    let recorder = facetheory::observe::EmfRecorder::new("bench").writer(std::io::sink());
    let (on, off) = medians(
        || {
            tracing::dispatcher::with_default(&subscriber, || {
                metrics::with_local_recorder(&recorder, || full_request(&app))
            })
        },
        || full_request(&app),
    );
    println!("\nblog post page, observability on vs off (interleaved rounds, medians):");
    println!("  off (no subscriber, no recorder)      {off:9.0} ns");
    println!("  on  (info log to a sink, EMF to a sink) {on:9.0} ns");
    println!("  overhead = {:.1}% (goal <= 5%), {:.0} ns per request", (on / off - 1.0) * 100.0, on - off);
    let log_only = log_line_cost(&app, &subscriber);
    let (metrics_only, off2) =
        medians(|| metrics::with_local_recorder(&recorder, || full_request(&app)), || full_request(&app));
    println!("  of which the log line {:.0} ns, the metrics {:.0} ns", log_only, metrics_only - off2);
    // The log line as JSON, fields at the top level: tracing_subscriber's format, and facetheory's (what the
    // Lambda binary writes, `observe::init_logging`).
    let json = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_writer(std::io::sink)
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .finish(),
    );
    let json_only = log_line_cost(&app, &json);
    let lines = json_lines();
    let lines_only = log_line_cost(&app, &lines);
    println!(
        "  the log line as JSON lines: facetheory::observe::JsonLines (what Lambda writes) {:.0} ns, \
         tracing_subscriber's json() {:.0} ns",
        lines_only, json_only
    );
    // Everything on as the Lambda binary has it: the JSON log line and the EMF metrics (both to a sink here; on
    // Lambda both go to stdout).
    let (on, off) = medians(
        || tracing::dispatcher::with_default(&lines, || metrics::with_local_recorder(&recorder, || full_request(&app))),
        || full_request(&app),
    );
    println!(
        "  on as on Lambda (JsonLines + EMF): {on:.0} ns vs {off:.0} ns, {:+.1}%, {:.0} ns per request",
        (on / off - 1.0) * 100.0,
        on - off
    );

    let big_app = facetheory::App::builder().route(&big::__FACETHEORY_ROUTE_big).build().unwrap();
    let size = big_request(&big_app);
    let (full, alone) = medians(|| big_request(&big_app), big_alone);
    println!("\nlarger page, {size} bytes (interleaved rounds, medians):");
    println!("  face + maud body alone   {alone:9.0} ns");
    println!("  full request -> response {full:9.0} ns");
    println!("  overhead = {:.1}%, {:.0} ns per request", (full / alone - 1.0) * 100.0, full - alone);
}
