//! The blog example served by the real server on a free port.

use crate::http_client::{get, send};
use facetheory::server::Server;
use std::net::SocketAddr;
use tokio::sync::oneshot;

async fn start() -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let app = blog::app().build().expect("blog app");
    let server = Server::bind(app, "127.0.0.1:0".parse().unwrap()).await.expect("bind");
    let addr = server.local_addr();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .run_until(async {
                rx.await.ok();
            })
            .await
            .expect("server");
    });
    (addr, tx, task)
}

#[tokio::test]
async fn pages_resources_errors_and_headers() {
    let (addr, stop, task) = start().await;

    let home = get(addr, "/").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(home.headers["content-length"], home.body.len().to_string());
    assert!(home.body.starts_with(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Home · facetheory blog</title>"
    ));
    assert!(home.body.contains("<a href=\"/blog/hello-world\">Hello, world</a>"));
    let generated_id = home.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated_id.len(), 36, "a UUID when the request has none");

    // The request's id is echoed.
    let echoed = send(addr, "GET", "/about", &[("x-request-id", "  trace-123 ")], "").await;
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.headers["x-request-id"], "trace-123");
    assert!(echoed.body.contains("property=\"og:title\""));

    // Typed parameters arrive decoded; the raw capture stays on the context.
    let post = get(addr, "/blog/caf%C3%A9").await;
    assert_eq!(post.status, 200);
    assert!(post.body.contains("<h1>Percent-decoding</h1>"));
    assert!(post.body.contains("raw slug: <code>caf%C3%A9</code>"));
    assert!(post.body.contains("<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\""));

    // Static beats parameter.
    assert!(get(addr, "/blog/new").await.body.contains("Write a new post"));

    // Optional catch-all: zero and many segments.
    assert!(get(addr, "/docs").await.body.contains("<strong class=\"doc-path\">index</strong>"));
    let deep = get(addr, "/docs/guide/routing").await;
    assert!(deep.body.contains("<strong class=\"doc-path\">guide / routing</strong>"));

    // A face that reports not-found renders the /404 face with status 404; so does an unknown path.
    for path in ["/blog/missing", "/no/such/page"] {
        let nf = get(addr, path).await;
        assert_eq!(nf.status, 404, "{path}");
        assert!(nf.body.contains("<h1>Page not found</h1>"), "{path}");
        assert!(nf.headers.contains_key("x-request-id"));
    }

    // Faces answer GET and HEAD only.
    let post_to_face = send(addr, "POST", "/about", &[], "x=1").await;
    assert_eq!(post_to_face.status, 405);
    assert_eq!(post_to_face.headers["allow"], "GET, HEAD");
    assert!(post_to_face.headers.contains_key("x-request-id"));

    // HEAD: GET's headers, no body.
    let head = send(addr, "HEAD", "/about", &[], "").await;
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    let about = get(addr, "/about").await;
    assert_eq!(head.headers["content-length"], about.body.len().to_string());

    // Resources: raw JSON, no document, no-store; methods enforced.
    let api = get(addr, "/api/posts").await;
    assert_eq!(api.status, 200);
    assert_eq!(api.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(api.headers["cache-control"], "no-store");
    let list: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(list[0]["slug"], "hello-world");
    let wrong = send(addr, "DELETE", "/api/posts", &[], "").await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.headers["allow"], "GET, HEAD");
    let sub =
        send(addr, "POST", "/api/subscribe", &[("content-type", "application/x-www-form-urlencoded")], "email=a%40b.c")
            .await;
    assert_eq!(sub.status, 200);
    assert_eq!(sub.body, r#"{"subscribed":"a@b.c"}"#);
    let bad = send(addr, "POST", "/api/subscribe", &[], "email=nope").await;
    assert_eq!(bad.status, 422);
    let get_sub = get(addr, "/api/subscribe").await;
    assert_eq!((get_sub.status.as_u16(), get_sub.headers["allow"].to_str().unwrap()), (405, "POST"));

    // Default trailing-slash policy: redirect, keeping the query.
    let slash = get(addr, "/about/?x=1").await;
    assert_eq!(slash.status, 308);
    assert_eq!(slash.headers["location"], "/about?x=1");

    stop.send(()).unwrap();
    task.await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "the listener is closed after shutdown");
}

mod slow {
    use facetheory::prelude::*;

    #[face(route = "/slow")]
    pub async fn slow() -> Page {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        Page::new(html! { "finally" })
    }
}

#[tokio::test]
async fn in_flight_request_finishes_during_graceful_shutdown() {
    let app = facetheory::App::builder().route(&slow::__FACETHEORY_ROUTE_slow).build().unwrap();
    let server = Server::bind(app, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = server.local_addr();
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .run_until(async {
                rx.await.ok();
            })
            .await
            .unwrap()
    });
    let request = tokio::spawn(async move { get(addr, "/slow").await });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    let reply = request.await.unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("finally"));
    task.await.unwrap();
}
