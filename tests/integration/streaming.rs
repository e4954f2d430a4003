//! Streamed pages: the head and first chunk leave before the rest exists; failures before the first chunk are a
//! clean 500, after it the document ends with the stream-error marker.

use facetheory::server::Server;
use http_body_util::BodyExt;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Released by the test: the gated face's second chunk waits for it.
static GATE: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(0));

mod faces {
    use super::GATE;
    use facetheory::prelude::*;

    #[face(route = "/gated")]
    pub fn gated() -> Page {
        Page::deferred(html! { h1 { "shell" } }, async {
            GATE.acquire().await.expect("gate open").forget();
            Ok(html! { p { "after the gate" } })
        })
        .title("Gated")
    }

    #[face(route = "/fails-late")]
    pub fn fails_late() -> Page {
        Page::stream(futures_util::stream::iter([Ok(html! { p { "ok so far" } }), Err(Error::msg("secret detail"))]))
    }

    #[face(route = "/fails-early")]
    pub fn fails_early() -> Page {
        Page::stream(futures_util::stream::iter([Err::<Markup, _>(Error::msg("secret detail"))]))
    }

    #[face(route = "/empty-stream")]
    pub fn empty_stream() -> Page {
        Page::stream(futures_util::stream::empty()).title("E")
    }
}

fn app() -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_gated)
        .route(&faces::__FACETHEORY_ROUTE_fails_late)
        .route(&faces::__FACETHEORY_ROUTE_fails_early)
        .route(&faces::__FACETHEORY_ROUTE_empty_stream)
        .build()
        .unwrap()
}

#[tokio::test]
async fn first_chunk_arrives_over_tcp_before_the_rest_exists() {
    let server = Server::bind(app(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = server.local_addr();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        rx.await.ok();
    }));

    let mut sender = crate::http_client::connect(addr).await;
    let req = http::Request::get("/gated").header("host", "x").body(http_body_util::Empty::new()).unwrap();
    let res = sender.send_request(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["transfer-encoding"], "chunked");
    assert!(!res.headers().contains_key("content-length"));
    let mut body = res.into_body();
    // The gate is closed: whatever arrives now was sent before the rest of the page existed.
    let mut early = String::new();
    while !early.contains("<h1>shell</h1>") {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("head and shell arrive while the rest is still pending")
            .unwrap()
            .unwrap();
        early.push_str(std::str::from_utf8(&frame.into_data().unwrap()).unwrap());
    }
    assert!(early.starts_with("<!doctype html><html lang=\"en\"><head><title>Gated</title></head><body>"), "{early}");
    assert!(!early.contains("after the gate"));
    GATE.add_permits(1);
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(std::str::from_utf8(&rest).unwrap(), "<p>after the gate</p></body></html>");
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

async fn get(path: &str) -> (http::StatusCode, http::HeaderMap, String) {
    let res = app().handle(http::Request::get(path).body(String::new()).unwrap()).await;
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

#[tokio::test]
async fn failure_after_the_first_chunk_ends_the_document_with_the_marker() {
    let (status, _, body) = get("/fails-late").await;
    assert_eq!(status, 200);
    assert!(body
        .ends_with("<body><p>ok so far</p><template data-facetheory-stream-error=\"true\"></template></body></html>"));
    assert!(!body.contains("secret"));
}

#[tokio::test]
async fn failure_before_the_first_chunk_is_a_clean_500() {
    let (status, headers, body) = get("/fails-early").await;
    assert_eq!(status, 500);
    assert!(body.contains("data-facetheory-error=\"true\"") && !body.contains("secret"));
    assert_eq!(headers["content-length"], body.len().to_string());
}

#[tokio::test]
async fn an_empty_stream_is_still_a_whole_document() {
    let (status, _, body) = get("/empty-stream").await;
    assert_eq!(status, 200);
    assert_eq!(body, "<!doctype html><html lang=\"en\"><head><title>E</title></head><body></body></html>");
}
