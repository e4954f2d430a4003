//! Defaults a site gets without asking: request ids that cannot forge log lines, `nosniff` on every
//! response, frame protection on pages, and `304 Not Modified` for a current ETag — over TCP.

use facetheory::isr::IsrRuntime;
use facetheory::server::Server;

use crate::http_client::{send, start, Running};

async fn serve() -> Running {
    let app = blog::app().isr(IsrRuntime::memory()).build().unwrap();
    start(Server::bind(app, "127.0.0.1:0".parse().unwrap()).await.unwrap()).await
}

#[tokio::test]
async fn request_ids_that_could_forge_log_fields_are_replaced() {
    let running = serve().await;
    let addr = running.addr;
    for forged in ["a\" level=ERROR msg=\"fake", "has space", "x".repeat(129).as_str(), "semi;colon", "é"] {
        let reply = send(addr, "GET", "/about", &[("x-request-id", forged)], "").await;
        let id = reply.headers["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(id, forged);
        assert_eq!(id.len(), 36, "a fresh UUID instead of {forged:?}: {id}");
    }
    for kept in ["client-supplied-id", "Root:1.2_3-4", "8f0c2a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b"] {
        let reply = send(addr, "GET", "/about", &[("x-request-id", kept)], "").await;
        assert_eq!(reply.headers["x-request-id"], kept);
    }
    running.stop().await;
}

#[tokio::test]
async fn every_response_says_nosniff_and_pages_refuse_framing() {
    let running = serve().await;
    let addr = running.addr;
    for path in ["/", "/about", "/blog/hello-world", "/nope", "/api/posts", "/assets/missing.js"] {
        let reply = send(addr, "GET", path, &[], "").await;
        assert_eq!(reply.headers["x-content-type-options"], "nosniff", "{path}");
    }
    for page in ["/", "/about", "/blog/hello-world", "/live"] {
        let reply = send(addr, "GET", page, &[], "").await;
        assert_eq!(reply.headers["x-frame-options"], "DENY", "{page}");
    }
    // A cached ISR hit carries it too (it is stored with the page).
    let hit = send(addr, "GET", "/blog/hello-world", &[], "").await;
    assert_eq!(hit.headers["x-facetheory-isr"], "hit");
    assert_eq!(hit.headers["x-frame-options"], "DENY");
    running.stop().await;
}

#[tokio::test]
async fn a_current_etag_is_answered_304_without_a_body() {
    let running = serve().await;
    let addr = running.addr;
    let first = send(addr, "GET", "/blog/routing", &[], "").await;
    let etag = first.headers["etag"].to_str().unwrap().to_string();
    for validator in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_string()] {
        let again = send(addr, "GET", "/blog/routing", &[("if-none-match", &validator)], "").await;
        assert_eq!(again.status, 304, "{validator}");
        assert!(again.body.is_empty());
        assert_eq!(again.headers["etag"], etag.as_str());
        assert!(again.headers.contains_key("cache-control"));
    }
    let stale = send(addr, "GET", "/blog/routing", &[("if-none-match", "\"not-it\"")], "").await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, first.body);
    // Only reads: a PUT with a matching validator is not a conditional GET.
    let put = send(addr, "PUT", "/blog/routing", &[("if-none-match", &etag)], "").await;
    assert_eq!(put.status, 405);
    running.stop().await;
}

#[tokio::test]
async fn the_original_uri_header_is_honoured_only_on_the_failover_shape() {
    let app = blog::app().isr(IsrRuntime::memory()).revalidate_secret("sixteen-bytes-secret").build().unwrap();
    let call = |method: &str, path: &str, original: &str| {
        let req = http::Request::builder()
            .method(method)
            .uri(path)
            .header("x-facetheory-original-uri", original)
            .body(String::new())
            .unwrap();
        let app = app.clone();
        async move {
            let res = app.handle(req).await;
            let status = res.status();
            let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    // The CloudFront failover: S3 key shape in the path, the viewer's URI in the header.
    let (status, body) = call("GET", "/about/index.html", "/about").await;
    assert_eq!(status, 200);
    assert!(body.contains("<title>About"), "{body}");
    assert_eq!(call("GET", "/index.html", "/").await.0, 200);
    assert_eq!(call("GET", "/about.html", "/about").await.0, 200, "the trailing-slash `never` layout");
    // A viewer naming another page, or a POST aimed at the revalidation endpoint, is routed as sent.
    let (_, body) = call("GET", "/blog/hello-world", "/about").await;
    assert!(!body.contains("<title>About"), "{body}");
    let (status, body) = call("POST", "/api/subscribe", "/_facetheory/revalidate").await;
    assert!(!body.contains("bearer secret") && status != 401, "{status} {body}");
    let (status, _) = call("POST", "/about/index.html", "/about").await;
    assert_eq!(status, 404, "only reads fail over");
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let running = serve().await;
    let addr = running.addr;
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = "POST /api/subscribe HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 7000000\r\n\r\n";
    socket.write_all(head.as_bytes()).await.unwrap();
    // No body byte is sent: the answer must come from the declared length alone.
    let mut buf = vec![0u8; 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut buf))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    running.stop().await;
}

#[tokio::test]
async fn static_files_stream_and_symlinks_out_of_the_directory_are_refused() {
    use http_body_util::BodyExt;
    let root = std::env::temp_dir().join(format!("facetheory-static-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("assets")).unwrap();
    let big: Vec<u8> = (0..4 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(root.join("assets/big.bin"), &big).unwrap();
    std::fs::write(root.join("secret.txt"), b"outside").unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), root.join("assets/escape.txt")).unwrap();
    std::fs::write(root.join("assets/inside.txt"), b"inside").unwrap();
    std::os::unix::fs::symlink(root.join("assets/inside.txt"), root.join("assets/alias.txt")).unwrap();
    let app = facetheory::App::builder().static_dir("/assets", root.join("assets")).build().unwrap();
    let running = start(Server::bind(app, "127.0.0.1:0".parse().unwrap()).await.unwrap()).await;
    let addr = running.addr;

    let mut sender = crate::http_client::connect(addr).await;
    let req = http::Request::get("/assets/big.bin").header("host", "x").body(http_body_util::Empty::new()).unwrap();
    let res = sender.send_request(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-length"], big.len().to_string());
    let mut body = res.into_body();
    let (mut frames, mut got) = (0, Vec::new());
    while let Some(frame) = body.frame().await {
        got.extend_from_slice(&frame.unwrap().into_data().unwrap());
        frames += 1;
    }
    assert_eq!(got, big, "the whole file, byte for byte");
    assert!(frames >= 8, "sent in chunks as read, not buffered whole ({frames} frames)");

    assert_eq!(crate::http_client::get(addr, "/assets/escape.txt").await.status, 404, "symlink out of the directory");
    let alias = crate::http_client::get(addr, "/assets/alias.txt").await;
    assert_eq!((alias.status.as_u16(), alias.body.as_str()), (200, "inside"), "a symlink inside it is fine");
    running.stop().await;
    std::fs::remove_dir_all(&root).unwrap();
}

/// Reads until the server closes the connection; `false` if it is still open after `limit`.
async fn closed_by_server(socket: &mut tokio::net::TcpStream, limit: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn slowloris_and_idle_sockets_are_closed_while_others_are_served() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;
    let app = blog::app().isr(IsrRuntime::memory()).build().unwrap();
    let server = Server::bind(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
        .header_read_timeout(Duration::from_millis(500))
        .max_connections(32);
    let running = start(server).await;
    let addr = running.addr;

    // 120 half-open requests, three times the connection cap: headers started, never finished.
    let mut slow = Vec::new();
    for _ in 0..120 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /about HTTP/1.1\r\nhost: x\r\nx-slow: ").await.unwrap();
        slow.push(s);
    }
    // A well-behaved client queued behind all of them is still served: timed-out sockets free their slots.
    let reply = tokio::time::timeout(Duration::from_secs(20), send(addr, "GET", "/about", &[], ""))
        .await
        .expect("served while 120 slow sockets are open");
    assert_eq!(reply.status, 200);
    for (i, s) in slow.iter_mut().enumerate() {
        assert!(closed_by_server(s, Duration::from_secs(20)).await, "slow socket {i} is closed by the server");
    }
    // A keep-alive connection left idle after a complete request is closed too.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /about HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    assert!(closed_by_server(&mut idle, Duration::from_secs(10)).await, "idle keep-alive socket closed");
    running.stop().await;
}
