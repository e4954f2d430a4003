//! The framework's own cost on a realistic page: a synthetic ~11 KB article (title, description, canonical, Open
//! Graph, JSON-LD, inline hydration data) through the app as a `tower::Service`, and through the Lambda event path,
//! against the floor — the same bytes rendered with raw maud + serde_json (checked byte-identical at start).
//! Also: how much of the floor is maud escaping the article's text (the same page with pre-escaped text).

#[path = "../../facetheory/benches/support/interleave.rs"]
mod interleave;

use std::time::Duration;

use bytes::Bytes;
use criterion::black_box;
use facetheory::html;
use http_body_util::BodyExt;

/// Counts allocations, to print how many a request makes (the system allocator does the work).
struct Counting;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and reallocations) made by one call of `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(|n| n.get());
    f();
    ALLOCATIONS.with(|n| n.get()) - before
}

#[path = "support/article_page.rs"]
mod article_page;
#[path = "support/valgrind.rs"]
mod valgrind;

use article_page::{app, floor, floor_with};
use valgrind::{Counts, Footprint};

fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the request awaited something"),
    }
}

fn drain<B>(res: http::Response<B>) -> Vec<Bytes>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Debug,
{
    let mut body = res.into_body();
    let mut out = Vec::new();
    while let Some(frame) = ready(body.frame()) {
        if let Ok(d) = frame.unwrap().into_data() {
            out.push(d);
        }
    }
    out
}

fn through_app(app: &facetheory::App) -> usize {
    through_app_at(app, "/article")
}

fn through_app_at(app: &facetheory::App, path: &'static str) -> usize {
    let req = http::Request::get(path).body(http_body_util::Empty::<Bytes>::new()).unwrap();
    drain(ready(app.handle(req))).iter().map(Bytes::len).sum()
}

const EVENT: &str = r#"{"version":"2.0","routeKey":"$default","rawPath":"/article","rawQueryString":"",
 "headers":{"host":"abc.lambda-url.us-east-1.on.aws","accept":"text/html","x-forwarded-proto":"https"},
 "requestContext":{"accountId":"anonymous","apiId":"abc","domainName":"abc.lambda-url.us-east-1.on.aws",
  "domainPrefix":"abc","http":{"method":"GET","path":"/article","protocol":"HTTP/1.1","sourceIp":"203.0.113.7",
  "userAgent":"bench"},"requestId":"8f0c2a1e","routeKey":"$default","stage":"$default","time":"30/Nov/2026:10:00:00 +0000",
  "timeEpoch":1795330400000},"isBase64Encoded":false}"#;

/// A Function URL event as browsers send it through CloudFront: 14 headers.
const REAL_EVENT: &str = r#"{"version":"2.0","routeKey":"$default","rawPath":"/article","rawQueryString":"",
 "headers":{"host":"abc.lambda-url.us-east-1.on.aws","accept":"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-encoding":"gzip, deflate, br","accept-language":"en-GB,en;q=0.9","cloudfront-forwarded-proto":"https",
  "cloudfront-is-desktop-viewer":"true","cloudfront-viewer-country":"GB","user-agent":"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
  "via":"2.0 0a1b2c3d.cloudfront.net (CloudFront)","x-amz-cf-id":"Q2xvdWRGcm9udCBpZA==","x-amzn-trace-id":"Root=1-67890abc-0123456789abcdef01234567",
  "x-forwarded-for":"203.0.113.7, 198.51.100.2","x-forwarded-port":"443","x-forwarded-proto":"https"},
 "requestContext":{"accountId":"anonymous","apiId":"abc","domainName":"abc.lambda-url.us-east-1.on.aws",
  "domainPrefix":"abc","http":{"method":"GET","path":"/article","protocol":"HTTP/1.1","sourceIp":"203.0.113.7",
  "userAgent":"Mozilla/5.0"},"requestId":"8f0c2a1e","routeKey":"$default","stage":"$default","time":"30/Nov/2026:10:00:00 +0000",
  "timeEpoch":1795330400000},"isBase64Encoded":false}"#;

/// What the streaming handler does per invocation: the event's request (`request_from_event`: one borrowed parse
/// of the common Function URL event), handled, content-length dropped, the body streamed.
fn through_lambda(app: &facetheory::App) -> usize {
    let ctx = facetheory::lambda::lambda_runtime::Context::default();
    let req = facetheory::lambda::request_from_event(EVENT.as_bytes(), ctx).expect("a valid event");
    let mut res = ready(app.handle(req));
    res.headers_mut().remove(http::header::CONTENT_LENGTH);
    drain(res).iter().map(Bytes::len).sum()
}

/// The floor as the smallest hand-written handler serving it: the same request in, a response with the
/// same document, content type and length out, drained the same way. What any server pays around a page,
/// without a framework.
fn through_handler(path: &'static str) -> usize {
    let req = http::Request::get(path).body(http_body_util::Empty::<Bytes>::new()).unwrap();
    let page = if req.uri().path() == "/article" { floor(true) } else { floor_with(html! {}) };
    let res = http::Response::builder()
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(http::header::CONTENT_LENGTH, page.len())
        .body(http_body_util::Full::new(Bytes::from(page)))
        .unwrap();
    drain(res).iter().map(Bytes::len).sum()
}

/// One request of a profile mode (`FACETHEORY_BENCH_PROFILE`, `FACETHEORY_BENCH_COMPARE`).
fn run_mode(app: &facetheory::App, which: &str) -> usize {
    match which {
        "lambda" => through_lambda(app),
        "head" => through_app_at(app, "/article-head"),
        "methods" => through_app_at(app, "/article-head-methods"),
        "ping" => through_app_at(app, "/ping"),
        "floor" => floor(true).len(),
        "floor-head" => floor_with(html! {}).len(),
        "handler" => through_handler("/article"),
        "event" => {
            let ctx = facetheory::lambda::lambda_runtime::Context::default();
            usize::from(facetheory::lambda::request_from_event(EVENT.as_bytes(), ctx).is_ok())
        }
        _ => through_app(app),
    }
}

fn main() {
    // A deployed app always has a subscriber (`facetheory::run` installs one). Without any, `tracing` hands every
    // span to the `log` crate (its `log` feature, which `lambda_runtime` turns on): work no deployment does.
    // This one listens to nothing, so the figures are the framework's own work.
    if std::env::var_os("FACETHEORY_BENCH_NO_SUBSCRIBER").is_none() {
        let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
    }
    let app = app();
    let framework: Vec<u8> =
        drain(ready(app.handle(http::Request::get("/article").body(String::new()).unwrap()))).concat();
    let framework = String::from_utf8(framework).unwrap();
    // A/B aid: FACETHEORY_BENCH_COMPARE=app,floor times two profile modes in interleaved rounds.
    if let Ok(pair) = std::env::var("FACETHEORY_BENCH_COMPARE") {
        let (a, b) = pair.split_once(',').expect("FACETHEORY_BENCH_COMPARE=a,b");
        let round = Duration::from_millis(40);
        let (ra, rb) = interleave::interleaved_rounds(
            81,
            round,
            || {
                black_box(run_mode(&app, a));
            },
            || {
                black_box(run_mode(&app, b));
            },
        );
        let (na, nb) = (ra.median, rb.median);
        println!("{a}: {na:.0} ns, {b}: {nb:.0} ns: {:+.1}%", (na / nb - 1.0) * 100.0);
        let (fa, fb) = (ra.fastest, rb.fastest);
        println!("  fastest rounds: {a}: {fa:.0} ns, {b}: {fb:.0} ns: {:+.1}%", (fa / fb - 1.0) * 100.0);
        return;
    }
    // Profiling aid: FACETHEORY_BENCH_PROFILE=app|head|methods|ping|lambda|event|floor|floor-head|handler spins on one path (for perf record).
    if let Ok(which) = std::env::var("FACETHEORY_BENCH_PROFILE") {
        // FACETHEORY_BENCH_ITERS: a fixed count instead of 4 s (instruction counts under cachegrind: run two
        // counts and subtract, which leaves the cost of one request times the difference).
        let iters = std::env::var("FACETHEORY_BENCH_ITERS").ok().and_then(|n| n.parse::<u64>().ok());
        let until = std::time::Instant::now() + Duration::from_secs(4);
        let mut done = 0;
        while iters.map_or(std::time::Instant::now() < until, |n| done < n) {
            done += 1;
            black_box(run_mode(&app, &which));
        }
        if iters.is_none() {
            eprintln!("{which}: {:.0} ns per request", 4e9 / done as f64);
        }
        return;
    }
    if std::env::var_os("FACETHEORY_BENCH_SIZE").is_some() {
        let request = http::Request::get("/article").body(http_body_util::Empty::<Bytes>::new()).unwrap();
        println!("the request's future: {} bytes", std::mem::size_of_val(&app.handle(request)));
        return;
    }
    if std::env::var_os("FACETHEORY_BENCH_PRINT").is_some() {
        println!("{framework}\n----\n{}", floor(true));
        return;
    }
    assert_eq!(framework, floor(true), "the floor renders exactly the framework's bytes");
    let head_only = drain(ready(app.handle(http::Request::get("/article-head").body(String::new()).unwrap()))).concat();
    assert_eq!(String::from_utf8(head_only).unwrap(), floor_with(html! {}), "the same, with an empty body");
    for path in ["/article-methods", "/article-head-methods"] {
        let page = drain(ready(app.handle(http::Request::get(path).body(String::new()).unwrap()))).concat();
        let want = if path == "/article-methods" { floor(true) } else { floor_with(html! {}) };
        assert_eq!(String::from_utf8(page).unwrap(), want, "{path}: the same bytes from the Page methods");
    }
    let with_tags = drain(ready(app.handle(http::Request::get("/article-tags").body(String::new()).unwrap()))).concat();
    assert_eq!(String::from_utf8(with_tags).unwrap(), floor_with(html! {}), "the same, from head::* tags");
    let size = framework.len();
    assert_eq!(through_lambda(&app), size);
    assert_eq!(facetheory::lambda::fast_path_agrees(EVENT.as_bytes()), Ok(true), "the event takes the fast path");

    let round = Duration::from_millis(40);
    let (app_ns, floor_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app(&app));
        },
        || {
            black_box(floor(true).len());
        },
    );
    let (app3_ns, handler_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app(&app));
        },
        || {
            black_box(through_handler("/article"));
        },
    );
    let (lambda_ns, app2_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_lambda(&app));
        },
        || {
            black_box(through_app(&app));
        },
    );
    let (escaped_ns, pre_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(floor(true).len());
        },
        || {
            black_box(floor(false).len());
        },
    );
    let (event_ns, parse_ns) = interleave::interleaved(
        41,
        round,
        || {
            let ctx = facetheory::lambda::lambda_runtime::Context::default();
            black_box(facetheory::lambda::request_from_event(EVENT.as_bytes(), ctx).is_ok());
        },
        || {
            black_box(facetheory::lambda::normalize_event(EVENT.as_bytes()).is_ok());
            black_box(lambda_http::request::from_str(EVENT).is_ok());
        },
    );
    // The runtime hands over each event in a buffer of its own: both sides copy the event into one, then the
    // request either copies every header value or shares the buffer.
    assert_eq!(
        facetheory::lambda::fast_path_agrees(REAL_EVENT.as_bytes()),
        Ok(true),
        "the real event takes the fast path"
    );
    let (shared_ns, copied_ns) = interleave::interleaved(
        41,
        round,
        || {
            let ctx = facetheory::lambda::lambda_runtime::Context::default();
            let payload = Bytes::from(REAL_EVENT.as_bytes().to_vec());
            black_box(facetheory::lambda::request_from_payload(payload, ctx).is_ok());
        },
        || {
            let ctx = facetheory::lambda::lambda_runtime::Context::default();
            let payload = REAL_EVENT.as_bytes().to_vec();
            black_box(facetheory::lambda::request_from_event(&payload, ctx).is_ok());
        },
    );
    let (head_app_ns, head_floor_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app_at(&app, "/article-head"));
        },
        || {
            black_box(floor_with(html! {}).len());
        },
    );
    let (methods_ns, methods_floor_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app_at(&app, "/article-methods"));
        },
        || {
            black_box(floor(true).len());
        },
    );
    let (head_methods_ns, _) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app_at(&app, "/article-head-methods"));
        },
        || {
            black_box(floor_with(html! {}).len());
        },
    );
    let (tags_ns, _) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app_at(&app, "/article-tags"));
        },
        || {
            black_box(floor_with(html! {}).len());
        },
    );
    let (ping_ns, _) = interleave::interleaved(
        41,
        round,
        || {
            black_box(through_app_at(&app, "/ping"));
        },
        || {
            black_box(floor_with(html! {}).len());
        },
    );
    let ping_allocs = allocations(|| {
        black_box(through_app_at(&app, "/ping"));
    });
    let app_allocs = allocations(|| {
        black_box(through_app_at(&app, "/article-head"));
    });
    let floor_allocs = allocations(|| drop(black_box(floor_with(html! {}))));
    println!("synthetic article page, {size} bytes (interleaved rounds, medians):");
    let request = http::Request::get("/article").body(http_body_util::Empty::<Bytes>::new()).unwrap();
    println!("  the request's future: {} bytes", std::mem::size_of_val(&app.handle(request)));
    println!("  floor: raw maud + serde_json, same bytes  {floor_ns:9.0} ns");
    println!("  through the app (tower::Service)          {app_ns:9.0} ns");
    println!(
        "  SSR overhead = {:.1}% (goal <= 10%), {:.0} ns per request",
        (app_ns / floor_ns - 1.0) * 100.0,
        app_ns - floor_ns
    );
    println!(
        "  against the floor as a minimal hand-written handler ({handler_ns:.0} ns: the same request in, response \
         out): {:.1}%, {:.0} ns per request",
        (app3_ns / handler_ns - 1.0) * 100.0,
        app3_ns - handler_ns
    );
    println!(
        "    the same page with an empty body: floor {head_floor_ns:.0} ns, app {head_app_ns:.0} ns: the framework's own work is {:.0} ns",
        head_app_ns - head_floor_ns
    );
    println!(
        "    the same with the head from the Page methods (meta, description, canonical, open_graph): {head_methods_ns:.0} ns; \
         from head::* tags: {tags_ns:.0} ns"
    );
    println!(
        "  the whole page with its head from the Page methods instead of head!: {methods_ns:.0} ns against {methods_floor_ns:.0} ns: \
         {:.1}%, {:.0} ns per request",
        (methods_ns / methods_floor_ns - 1.0) * 100.0,
        methods_ns - methods_floor_ns
    );
    println!("    allocations per request with an empty body: floor {floor_allocs}, app {app_allocs}");
    println!("    a trivial page (empty head and body) through the app: {ping_ns:.0} ns, {ping_allocs} allocations");
    println!("  through the Lambda event path             {lambda_ns:9.0} ns");
    println!(
        "  Lambda / in-process = {:.2}x (goal <= 1.15x), {:.0} ns for the event",
        lambda_ns / app2_ns,
        lambda_ns - app2_ns
    );
    println!(
        "    of which the event to a request: {event_ns:.0} ns (the full path, normalize_event + lambda_http's parse: {parse_ns:.0} ns)"
    );
    println!(
        "    a 14-header event in the runtime's buffer: {shared_ns:.0} ns with header values shared \
         (request_from_payload, what the handler does), {copied_ns:.0} ns copied"
    );
    println!("  of the floor, maud escaping the article text: {:.0} ns ({:.0}%; the same page pre-escaped renders in {pre_ns:.0} ns)",
        escaped_ns - pre_ns, (escaped_ns - pre_ns) / escaped_ns * 100.0);
    print_instruction_counts();
}

/// What one request executes, counted under valgrind (`support/valgrind.rs`). Printed when `valgrind` is
/// installed (`scripts/test` installs it).
fn print_instruction_counts() {
    let counts: Option<Vec<Counts>> = ["floor", "app", "handler", "floor-head", "head", "ping", "lambda"]
        .iter()
        .map(|m| valgrind::counts(m, None))
        .collect();
    let Some(c) = counts else {
        println!("  instructions per request: valgrind is not installed (apt-get install valgrind)");
        return;
    };
    let [floor, app, handler, floor_head, head, ping, lambda] = [0, 1, 2, 3, 4, 5, 6].map(|i| c[i]);
    let pct = |a: Counts, b: Counts| (a.instructions as f64 / b.instructions as f64 - 1.0) * 100.0;
    println!("  instructions per request (cachegrind: deterministic, unlike the times above):");
    println!(
        "    floor {}, app {}: {:+.1}% ({:+} instructions); against the minimal handler ({}): {:+.1}%",
        floor.instructions,
        app.instructions,
        pct(app, floor),
        app.instructions as i64 - floor.instructions as i64,
        handler.instructions,
        pct(app, handler)
    );
    println!(
        "    empty body: floor {}, app {}; trivial page {}; Lambda event path {} ({:.2}x in-process)",
        floor_head.instructions,
        head.instructions,
        ping.instructions,
        lambda.instructions,
        lambda.instructions as f64 / app.instructions as f64
    );
    println!(
        "    instruction-cache misses (cachegrind's 32 KiB L1i model): floor {}, handler {}, app {}, trivial page {}",
        floor.i1_misses, handler.i1_misses, app.i1_misses, ping.i1_misses
    );
    // Graviton's (the arm64 Lambda's) L1i is 64 KiB.
    if let (Some(floor64), Some(app64)) = (valgrind::counts("floor", Some(65536)), valgrind::counts("app", Some(65536)))
    {
        println!("      with a 64 KiB L1i: floor {}, app {}", floor64.i1_misses, app64.i1_misses);
    }
    let footprints: Option<Vec<Footprint>> =
        ["floor", "handler", "app", "ping"].iter().map(|m| valgrind::footprint(m)).collect();
    if let Some(f) = footprints {
        let line = |f: Footprint| format!("{} lines ({} B in {} instructions)", f.lines, f.bytes, f.instructions);
        println!("  code run per request, in 64-byte lines (lackey; a 32 KiB L1i holds 512):");
        println!("    floor {}", line(f[0]));
        println!("    minimal handler {}", line(f[1]));
        println!("    app {}", line(f[2]));
        println!("    trivial page through the app {}", line(f[3]));
    }
}
