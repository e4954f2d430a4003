//! The blog binary running as a Lambda function under the cargo-lambda emulator (`cargo lambda watch`, started
//! by `scripts/test`, which sets `FACETHEORY_LAMBDA_EMULATOR`): real runtime API, real streaming prelude,
//! Function URL requests. Ignored by plain `cargo test`; `scripts/test` runs it.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::time::{Duration, Instant};

fn emulator() -> String {
    std::env::var("FACETHEORY_LAMBDA_EMULATOR")
        .expect("FACETHEORY_LAMBDA_EMULATOR (host:port of `cargo lambda watch`) is set by scripts/test")
}

/// Sends a request to the emulator's Function URL endpoint and returns the response head and every body frame
/// with the time it arrived.
async fn invoke(method: &str, path: &str, body: &str) -> (http::response::Parts, Vec<(Duration, Bytes)>) {
    let addr = emulator();
    let stream = tokio::net::TcpStream::connect(&addr).await.expect("emulator reachable");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let req = http::Request::builder()
        .method(method)
        .uri(format!("/lambda-url/blog{path}"))
        .header("host", addr)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(http_body_util::Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let started = Instant::now();
    // The first invocation may compile the function: allow for it.
    let res = tokio::time::timeout(Duration::from_secs(600), sender.send_request(req)).await.unwrap().unwrap();
    let (parts, mut body) = res.into_parts();
    let mut frames = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            frames.push((started.elapsed(), data));
        }
    }
    (parts, frames)
}

fn text(frames: &[(Duration, Bytes)]) -> String {
    frames.iter().map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect()
}

#[tokio::test]
#[ignore = "needs the cargo-lambda emulator started by scripts/test"]
async fn emulator_streams_the_live_page_incrementally() {
    let (parts, frames) = invoke("GET", "/live", "").await;
    assert_eq!(parts.status, 200);
    assert_eq!(parts.headers["content-type"], "text/html; charset=utf-8");
    assert!(!parts.headers.contains_key("content-length"), "streamed responses carry no content-length");
    let first = String::from_utf8_lossy(&frames[0].1).into_owned();
    assert!(first.starts_with("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Live"), "{first}");
    // Sections are produced 100 ms apart; had the response been buffered, the first frame would hold them all.
    assert!(!first.contains("Section 3"), "the first frame left before the last section existed");
    assert!(frames.len() >= 3, "{} frames", frames.len());
    let all = text(&frames);
    let (s1, s2, s3) = (all.find("Section 1").unwrap(), all.find("Section 2").unwrap(), all.find("Section 3").unwrap());
    assert!(s1 < s2 && s2 < s3);
    assert!(all.ends_with("</footer></body></html>"), "{all}");
    let (first_at, last_at) = (frames[0].0, frames[frames.len() - 1].0);
    println!(
        "lambda emulator /live: first byte after {first_at:?}, last byte after {last_at:?}, {} frames",
        frames.len()
    );
}

#[tokio::test]
#[ignore = "needs the cargo-lambda emulator started by scripts/test"]
async fn emulator_streams_deferred_sections_in_completion_order() {
    let (parts, frames) = invoke("GET", "/deferred", "").await;
    assert_eq!(parts.status, 200);
    assert!(parts.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self' 'nonce-"));
    // The head and the shell with its three fallbacks arrive before any section (in one frame or a few).
    let mut shell = String::new();
    for (_, frame) in &frames {
        shell.push_str(&String::from_utf8_lossy(frame));
        if shell.contains("</main>") {
            break;
        }
    }
    assert!(shell.contains("<facetheory-slot id=\"ft-s0\">") && !shell.contains("<facetheory-section"), "{shell}");
    // Declared slow (400 ms), fast (50), middle (200); each arrives in a frame of its own, fast first.
    let at = |name: &str| {
        let needle = format!("data-section=\"{name}\"");
        frames.iter().find(|(_, b)| String::from_utf8_lossy(b).contains(&needle)).map(|(t, _)| *t).expect(name)
    };
    let (fast, middle, slow) = (at("fast"), at("middle"), at("slow"));
    assert!(fast < middle && middle < slow, "{fast:?} {middle:?} {slow:?}");
    assert!(slow - fast >= Duration::from_millis(250), "the frames left as the sections finished");
    let all = text(&frames);
    assert!(all.ends_with("</facetheory-section-end></body></html>"), "{all}");
    println!(
        "lambda emulator /deferred: shell after {:?}, sections after {fast:?} (50 ms), {middle:?} (200 ms), {slow:?} (400 ms)",
        frames[0].0
    );
}

#[tokio::test]
#[ignore = "needs the cargo-lambda emulator started by scripts/test"]
async fn emulator_serves_resources_errors_and_bodies() {
    let (parts, frames) = invoke("GET", "/api/posts", "").await;
    assert_eq!(parts.status, 200);
    assert_eq!(parts.headers["content-type"], "application/json; charset=utf-8");
    assert!(text(&frames).starts_with("[{\"slug\":\"hello-world\""));
    let (parts, frames) = invoke("POST", "/api/subscribe", "email=reader%40example.com").await;
    assert_eq!(parts.status, 200);
    assert_eq!(text(&frames), r#"{"subscribed":"reader@example.com"}"#);
    let (parts, frames) = invoke("GET", "/missing/page", "").await;
    assert_eq!(parts.status, 404);
    assert!(text(&frames).contains("<h1>Page not found</h1>"));
    let (parts, frames) = invoke("GET", "/live?fail=1", "").await;
    assert_eq!(parts.status, 200);
    assert!(text(&frames).ends_with("<template data-facetheory-stream-error=\"true\"></template></body></html>"));
}

#[tokio::test]
#[ignore = "needs the cargo-lambda emulator started by scripts/test"]
async fn emulator_caches_isr_on_s3_and_dynamodb_and_a_form_post_revalidates_it() {
    // scripts/test points the function at buckets and a table on the local S3/DynamoDB server; the app
    // refuses to start on Lambda with per-instance stores, so a 200 here means it runs on them.
    let path = "/blog/hello-world";
    let (parts, frames) = invoke("GET", path, "").await;
    assert_eq!(parts.status, 200, "{}", text(&frames));
    let first = parts.headers["x-facetheory-isr"].to_str().unwrap().to_string();
    assert!(first == "miss" || first == "hit", "{first}");
    let (parts, _) = invoke("GET", path, "").await;
    assert_eq!(parts.headers["x-facetheory-isr"], "hit");

    let (parts, _) = invoke("POST", path, "name=Emu&text=From+the+emulator").await;
    assert_eq!(parts.status, 303);
    assert_eq!(parts.headers["location"], "/blog/hello-world#comments");
    let (parts, frames) = invoke("GET", path, "").await;
    assert_eq!(parts.headers["x-facetheory-isr"], "miss", "the POST revalidated the page");
    assert!(text(&frames).contains("<strong>Emu</strong>: From the emulator"));
    let (parts, _) = invoke("PUT", path, "").await;
    assert_eq!((parts.status.as_u16(), parts.headers["allow"].to_str().unwrap()), (405, "GET, HEAD, POST"));
}
