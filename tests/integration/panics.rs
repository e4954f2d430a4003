//! A panic in a face, a resource or a streamed chunk is answered, not dropped: the fixed 500 page with the
//! request id (or, once the stream has started, the stream-error marker), and an error log line carrying the
//! panic message and the request id — over TCP on the local server and through the Lambda event path.

use std::sync::{Arc, Mutex};

use facetheory::server::Server;
use http_body_util::BodyExt;

mod faces {
    use facetheory::prelude::*;

    #[face(route = "/panics")]
    pub fn panics() -> Page {
        panic!("face exploded with secret 42")
    }

    #[resource(route = "/api/panics", methods = ["POST"])]
    pub fn resource_panics() -> ResourceResponse {
        panic!("resource exploded")
    }

    #[face(route = "/panics-late")]
    pub fn panics_late() -> Page {
        let mut n = 0;
        Page::stream(futures_util::stream::poll_fn(move |_| {
            n += 1;
            match n {
                1 => std::task::Poll::Ready(Some(Ok(html! { p { "first" } }))),
                _ => panic!("stream exploded"),
            }
        }))
    }

    #[face(route = "/panics-early")]
    pub fn panics_early() -> Page {
        Page::stream(futures_util::stream::poll_fn(|_| -> std::task::Poll<Option<Result<Markup>>> {
            panic!("stream exploded before it began")
        }))
    }

    #[face(route = "/isr-panics", mode = "isr", revalidate = 60)]
    pub fn isr_panics() -> Page {
        panic!("isr render exploded")
    }
}

fn app() -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_panics)
        .route(&faces::__FACETHEORY_ROUTE_resource_panics)
        .route(&faces::__FACETHEORY_ROUTE_panics_late)
        .route(&faces::__FACETHEORY_ROUTE_panics_early)
        .route(&faces::__FACETHEORY_ROUTE_isr_panics)
        .isr(facetheory::isr::IsrRuntime::memory())
        .build()
        .unwrap()
}

/// Log output captured from this test's thread (the test runtime is single-threaded, so the server's tasks
/// log here too).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn panics_over_tcp_are_answered_with_the_500_page_and_logged() {
    let (logs, _guard) = capture();
    let running = crate::http_client::start(Server::bind(app(), "127.0.0.1:0".parse().unwrap()).await.unwrap()).await;
    let addr = running.addr;

    for (method, path, id, needle) in [
        ("GET", "/panics", "req-face", "face exploded with secret 42"),
        ("POST", "/api/panics", "req-resource", "resource exploded"),
        ("GET", "/panics-early", "req-early", "stream exploded before it began"),
        ("GET", "/isr-panics", "req-isr", "isr render exploded"),
    ] {
        let reply = crate::http_client::send(addr, method, path, &[("x-request-id", id)], "").await;
        assert_eq!(reply.status, 500, "{path}");
        assert_eq!(reply.headers["x-request-id"], id, "{path}");
        assert!(reply.body.contains("<template data-facetheory-error=\"true\">"), "{path}: {}", reply.body);
        assert!(!reply.body.contains("exploded"), "the panic message is never sent");
        let log = logs.text();
        let logged = log.lines().any(|l| l.contains(needle) && l.contains(id) && l.contains("ERROR"));
        assert!(logged, "an error line with {needle:?} and {id}: {log}");
    }

    // After the first chunk the status is sent: the document ends with the stream-error marker.
    let reply = crate::http_client::send(addr, "GET", "/panics-late", &[("x-request-id", "req-late")], "").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.ends_with("<p>first</p><template data-facetheory-stream-error=\"true\"></template></body></html>"),
        "{}",
        reply.body
    );
    let log = logs.text();
    assert!(log.lines().any(|l| l.contains("stream exploded") && l.contains("req-late")), "{log}");

    // The server is still serving.
    assert_eq!(crate::http_client::get(addr, "/panics").await.status, 500);
    running.stop().await;
}

#[tokio::test]
async fn a_panic_through_the_lambda_event_path_is_a_500_with_the_lambda_request_id() {
    let path = format!("{}/fixtures/lambda/get_missing.json", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(path).unwrap().replace("/nothing/here", "/panics");
    let req = facetheory::lambda::prepare_request(lambda_http::request::from_str(&json).unwrap());
    let res = app().handle(req).await;
    assert_eq!(res.status(), 500);
    assert_eq!(res.headers()["x-request-id"], "8f0c2a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert!(std::str::from_utf8(&body).unwrap().contains("data-facetheory-error"));
}
