//! Out-of-order deferred sections over TCP: the shell and fallbacks first, then each section in completion order
//! (gated by the test, so the order is the test's, not the scheduler's); a failing section keeps its fallback and
//! leaks nothing; strict pages stream and every chunk is checked; a frame wraps a stream (`Page::within`).

use std::sync::LazyLock;
use std::time::Duration;

use facetheory::server::Server;
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

use crate::http_client::{connect, start};

/// One gate per section: the test opens them in the order it wants the sections to complete.
static GATES: LazyLock<[Semaphore; 3]> = LazyLock::new(|| [Semaphore::new(0), Semaphore::new(0), Semaphore::new(0)]);

mod faces {
    use super::GATES;
    use facetheory::prelude::*;

    async fn gated(i: usize) -> Result<Markup> {
        GATES[i].acquire().await.expect("gate").forget();
        if i == 2 {
            return Err(Error::msg("secret database detail"));
        }
        Ok(html! { p.section { "content " (i) } })
    }

    #[face(route = "/sections")]
    pub fn sections() -> Page {
        Page::with_sections(|s| {
            let a = s.defer(html! { i { "fallback 0" } }, gated(0));
            let b = s.defer(html! { i { "fallback 1" } }, gated(1));
            let c = s.defer(html! { i { "fallback 2" } }, gated(2));
            html! { main { (a) (b) (c) } }
        })
        .strict_csp()
    }

    #[face(route = "/strict-late-handler")]
    pub fn strict_late_handler() -> Page {
        Page::stream(futures_util::stream::iter([
            Ok(html! { p { "fine" } }),
            Ok(html! { p onclick="steal()" { "not sent" } }),
            Ok(html! { p { "never reached" } }),
        ]))
        .strict_csp()
    }

    #[face(route = "/strict-open-textarea")]
    pub fn strict_open_textarea() -> Page {
        Page::stream(futures_util::stream::iter([
            Ok(html! { p { "fine" } }),
            Ok(facetheory::PreEscaped("<textarea>".to_string())),
            Ok(html! { p { "would be read as text" } }),
        ]))
        .strict_csp()
    }

    #[face(route = "/framed")]
    pub fn framed() -> Page {
        Page::stream(futures_util::stream::iter([Ok(html! { p { "one" } }), Ok(html! { p { "two" } })]))
            .within(|body| html! { header { "site" } main { (body) } footer { "end" } })
    }

    #[face(route = "/framed-twice")]
    pub fn framed_twice() -> Page {
        Page::new(html! { p { "x" } }).within(|body| html! { (body) (body) })
    }
}

fn app() -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_sections)
        .route(&faces::__FACETHEORY_ROUTE_strict_late_handler)
        .route(&faces::__FACETHEORY_ROUTE_strict_open_textarea)
        .route(&faces::__FACETHEORY_ROUTE_framed)
        .route(&faces::__FACETHEORY_ROUTE_framed_twice)
        .build()
        .unwrap()
}

/// Reads frames until `needle` has arrived; fails if it does not within 5 s.
async fn read_until(body: &mut hyper::body::Incoming, seen: &mut String, needle: &str) {
    while !seen.contains(needle) {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .unwrap_or_else(|_| panic!("{needle:?} did not arrive; so far: {seen}"))
            .expect("a frame")
            .expect("no error");
        if let Ok(data) = frame.into_data() {
            seen.push_str(std::str::from_utf8(&data).unwrap());
        }
    }
}

#[tokio::test]
async fn sections_stream_in_completion_order_and_a_failure_keeps_its_fallback() {
    let running = start(Server::bind(app(), "127.0.0.1:0".parse().unwrap()).await.unwrap()).await;
    let mut sender = connect(running.addr).await;
    let req = http::Request::get("/sections").header("host", "x").body(http_body_util::Empty::new()).unwrap();
    let res = sender.send_request(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self' 'nonce-"));
    assert_eq!(res.headers()["transfer-encoding"], "chunked", "a strict page streams");
    let mut body = res.into_body();
    let mut seen = String::new();
    // Every gate is closed: the shell with all three fallbacks arrives, and no section.
    read_until(&mut body, &mut seen, "</main>").await;
    for i in 0..3 {
        assert!(
            seen.contains(&format!("<facetheory-slot id=\"ft-s{i}\"><i>fallback {i}</i></facetheory-slot>")),
            "{seen}"
        );
    }
    assert!(seen.contains("<script async=\"\" nonce=\""), "the swap module is in the head: {seen}");
    assert!(seen.contains("src=\"/_facetheory/runtime/sections-"), "{seen}");
    assert!(!seen.contains("<facetheory-section"));
    // Complete them in the order 1, 2 (fails), 0: each arrives before the next gate opens.
    for (gate, expected) in [
        (1, "<facetheory-section for=\"ft-s1\"><p class=\"section\">content 1</p></facetheory-section><facetheory-section-end for=\"ft-s1\"></facetheory-section-end>"),
        (2, "<facetheory-section for=\"ft-s2\" data-facetheory-error></facetheory-section><facetheory-section-end for=\"ft-s2\"></facetheory-section-end>"),
        (0, "<facetheory-section for=\"ft-s0\"><p class=\"section\">content 0</p></facetheory-section><facetheory-section-end for=\"ft-s0\"></facetheory-section-end>"),
    ] {
        let before = seen.len();
        GATES[gate].add_permits(1);
        read_until(&mut body, &mut seen, expected).await;
        assert_eq!(seen.find(expected), Some(before), "section {gate} is the next thing sent: {}", &seen[before..]);
    }
    let rest = body.collect().await.unwrap().to_bytes();
    seen.push_str(std::str::from_utf8(&rest).unwrap());
    assert!(seen.ends_with("</facetheory-section-end></body></html>"), "{seen}");
    assert!(!seen.contains("secret") && !seen.contains("stream-error"), "one failed section ends nothing: {seen}");
    running.stop().await;
}

async fn get(path: &str) -> (http::StatusCode, String) {
    let res = app().handle(http::Request::get(path).body(String::new()).unwrap()).await;
    let status = res.status();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

#[tokio::test]
async fn a_strict_stream_is_checked_chunk_by_chunk_and_a_bad_chunk_is_never_sent() {
    let (status, body) = get("/strict-late-handler").await;
    assert_eq!(status, 200, "the response had started");
    assert!(
        body.ends_with("<p>fine</p><template data-facetheory-stream-error=\"true\"></template></body></html>"),
        "{body}"
    );
    assert!(!body.contains("steal") && !body.contains("never reached"));
    // A chunk that would leave the browser inside a raw-text element is refused too: the next chunk's markup
    // would otherwise be read in a state the check did not assume.
    let (status, body) = get("/strict-open-textarea").await;
    assert_eq!(status, 200);
    assert!(
        body.ends_with("<p>fine</p><template data-facetheory-stream-error=\"true\"></template></body></html>"),
        "{body}"
    );
}

#[tokio::test]
async fn a_frame_wraps_a_stream_and_must_place_its_content_once() {
    let (status, body) = get("/framed").await;
    assert_eq!(status, 200);
    assert!(
        body.ends_with(
            "<body><header>site</header><main><p>one</p><p>two</p></main><footer>end</footer></body></html>"
        ),
        "{body}"
    );
    let (status, body) = get("/framed-twice").await;
    assert_eq!(status, 500);
    assert!(!body.contains("<p>x</p>"));
}
