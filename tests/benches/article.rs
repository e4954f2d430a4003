//! The framework's own cost on a realistic page: a synthetic ~11 KB article (title, description, canonical, Open
//! Graph, JSON-LD, inline hydration data) through the app as a `tower::Service`, and through the Lambda event path,
//! against the floor — the same bytes rendered with raw maud + serde_json (checked byte-identical at start).
//! Also: how much of the floor is maud escaping the article's text (the same page with pre-escaped text).

#[path = "../../facetheory/benches/support/interleave.rs"]
mod interleave;

use std::time::Duration;

use bytes::Bytes;
use criterion::black_box;
use facetheory::{html, Markup, PreEscaped};
use http_body_util::BodyExt;

const PARAGRAPHS: usize = 44;

fn paragraph(i: usize) -> String {
    format!(
        "Paragraph {i}: streaming server-rendered pages from Lambda means the shell & the head leave first, \
         while \"slow\" data <loads> later; each section is escaped as text, never trusted as markup. {i}"
    )
}

#[derive(serde::Serialize)]
struct ArticleData {
    slug: &'static str,
    likes: u32,
    tags: Vec<&'static str>,
    related: Vec<(&'static str, &'static str)>,
}

fn data() -> ArticleData {
    ArticleData {
        slug: "streaming-on-lambda",
        likes: 42,
        tags: vec!["lambda", "streaming", "rust"],
        related: vec![("isr-on-dynamodb", "ISR on DynamoDB"), ("strict-csp", "Strict CSP without pain")],
    }
}

fn json_ld() -> serde_json::Value {
    serde_json::json!({"@context": "https://schema.org", "@type": "Article", "headline": "Streaming on Lambda",
        "author": {"@type": "Person", "name": "A. Writer"}, "datePublished": "2026-11-30"})
}

fn body(escaped: bool) -> Markup {
    html! {
        header { nav { a href="/" { "Home" } " · " a href="/blog" { "Blog" } } }
        main {
            article {
                h1 { "Streaming on Lambda" }
                p.meta { "By A. Writer · 30 November 2026" }
                @for i in 0..PARAGRAPHS {
                    @if escaped { p { (paragraph(i)) } } @else { p { (PreEscaped(paragraph(i))) } }
                }
            }
            button.likes type="button" { "Likes: 42" }
        }
        footer { p { "An example facetheory site." } }
    }
}

mod faces {
    use facetheory::prelude::*;

    #[face(route = "/article")]
    pub fn article() -> Result<Page<super::ArticleData>> {
        Ok(Page::new(super::body(true))
            .title("Streaming on Lambda")
            .head(head::charset("utf-8"))
            .head(head::meta("viewport", "width=device-width, initial-scale=1"))
            .head(head::meta("description", "How a facetheory page streams from Lambda, shell first."))
            .head(head::canonical("https://blog.example/articles/streaming-on-lambda")?)
            .head_tags(head::open_graph(&head::OpenGraph {
                title: Some("Streaming on Lambda".into()),
                description: Some("Shell first, data later.".into()),
                url: Some("https://blog.example/articles/streaming-on-lambda".into()),
                kind: Some("article".into()),
                ..Default::default()
            }))
            .head(head::json_ld(&super::json_ld())?)
            .hydrate(super::data(), "/assets/article-1a2b3c.js"))
    }
}

fn app() -> facetheory::App {
    facetheory::App::builder().route(&faces::__FACETHEORY_ROUTE_article).build().unwrap()
}

fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the request awaited something"),
    }
}

fn drain(res: http::Response<facetheory::Body>) -> Vec<Bytes> {
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
    let req = http::Request::get("/article").body(http_body_util::Empty::<Bytes>::new()).unwrap();
    drain(ready(app.handle(req))).iter().map(Bytes::len).sum()
}

const EVENT: &str = r#"{"version":"2.0","routeKey":"$default","rawPath":"/article","rawQueryString":"",
 "headers":{"host":"abc.lambda-url.us-east-1.on.aws","accept":"text/html","x-forwarded-proto":"https"},
 "requestContext":{"accountId":"anonymous","apiId":"abc","domainName":"abc.lambda-url.us-east-1.on.aws",
  "domainPrefix":"abc","http":{"method":"GET","path":"/article","protocol":"HTTP/1.1","sourceIp":"203.0.113.7",
  "userAgent":"bench"},"requestId":"8f0c2a1e","routeKey":"$default","stage":"$default","time":"30/Nov/2026:10:00:00 +0000",
  "timeEpoch":1795330400000},"isBase64Encoded":false}"#;

/// What the streaming handler does per invocation: check the event, parse it as lambda_http does, handle it,
/// drop content-length, stream the body.
fn through_lambda(app: &facetheory::App) -> usize {
    let raw = EVENT.as_bytes();
    let event = match facetheory::lambda::normalize_event(raw) {
        Ok(None) => std::borrow::Cow::Borrowed(raw),
        Ok(Some(v)) => std::borrow::Cow::Owned(v),
        Err(_) => panic!("a valid event"),
    };
    let req = lambda_http::request::from_str(std::str::from_utf8(&event).unwrap()).unwrap();
    let mut res = ready(app.handle(facetheory::lambda::prepare_request(req)));
    res.headers_mut().remove(http::header::CONTENT_LENGTH);
    drain(res).iter().map(Bytes::len).sum()
}

/// The floor: the same document with raw maud and serde_json, no framework.
fn floor(escaped: bool) -> String {
    let ld = serde_json::to_string(&json_ld()).unwrap();
    let data = serde_json::to_string(&data()).unwrap();
    html! {
        (PreEscaped("<!doctype html>"))
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Streaming on Lambda" }
                meta content="width=device-width, initial-scale=1" name="viewport";
                meta content="How a facetheory page streams from Lambda, shell first." name="description";
                link href="https://blog.example/articles/streaming-on-lambda" rel="canonical";
                meta content="Streaming on Lambda" property="og:title";
                meta content="article" property="og:type";
                meta content="https://blog.example/articles/streaming-on-lambda" property="og:url";
                meta content="Shell first, data later." property="og:description";
                script type="application/ld+json" { (PreEscaped(ld)) }
                script id="__FACETHEORY_DATA__" type="application/json" { (PreEscaped(data)) }
                script src="/assets/article-1a2b3c.js" type="module" {}
            }
            body { (body(escaped)) }
        }
    }
    .into_string()
}

fn main() {
    let app = app();
    let framework: Vec<u8> =
        drain(ready(app.handle(http::Request::get("/article").body(String::new()).unwrap()))).concat();
    let framework = String::from_utf8(framework).unwrap();
    // Profiling aid: FACETHEORY_BENCH_PROFILE=app|lambda spins on one path (for perf record).
    if let Ok(which) = std::env::var("FACETHEORY_BENCH_PROFILE") {
        let until = std::time::Instant::now() + Duration::from_secs(4);
        while std::time::Instant::now() < until {
            black_box(if which == "lambda" { through_lambda(&app) } else { through_app(&app) });
        }
        return;
    }
    if std::env::var_os("FACETHEORY_BENCH_PRINT").is_some() {
        println!("{framework}\n----\n{}", floor(true));
        return;
    }
    assert_eq!(framework, floor(true), "the floor renders exactly the framework's bytes");
    let size = framework.len();
    assert_eq!(through_lambda(&app), size);

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
    let (normalize_ns, parse_ns) = interleave::interleaved(
        41,
        round,
        || {
            black_box(facetheory::lambda::normalize_event(EVENT.as_bytes()).is_ok());
        },
        || {
            black_box(lambda_http::request::from_str(EVENT).is_ok());
        },
    );
    println!("synthetic article page, {size} bytes (interleaved rounds, medians):");
    println!("  floor: raw maud + serde_json, same bytes  {floor_ns:9.0} ns");
    println!("  through the app (tower::Service)          {app_ns:9.0} ns");
    println!(
        "  SSR overhead = {:.1}% (goal <= 10%), {:.0} ns per request",
        (app_ns / floor_ns - 1.0) * 100.0,
        app_ns - floor_ns
    );
    println!("  through the Lambda event path             {lambda_ns:9.0} ns");
    println!(
        "  Lambda / in-process = {:.2}x (goal <= 1.15x), {:.0} ns for the event",
        lambda_ns / app2_ns,
        lambda_ns - app2_ns
    );
    println!(
        "    of which: checking the event (normalize_event) {normalize_ns:.0} ns, lambda_http's parse {parse_ns:.0} ns"
    );
    println!("  of the floor, maud escaping the article text: {:.0} ns ({:.0}%; the same page pre-escaped renders in {pre_ns:.0} ns)",
        escaped_ns - pre_ns, (escaped_ns - pre_ns) / escaped_ns * 100.0);
}
