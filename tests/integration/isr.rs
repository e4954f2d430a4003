//! ISR through the app: the blog's posts are cached, marked with `x-facetheory-isr`, survive a restart with the
//! embedded local store, and fail closed for tenant headers.

use facetheory::isr::IsrRuntime;
use http_body_util::BodyExt;

async fn get(app: &facetheory::App, path: &str, headers: &[(&str, &str)]) -> (http::response::Parts, String) {
    let mut req = http::Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.handle(req.body(String::new()).unwrap()).await;
    let (parts, body) = res.into_parts();
    (parts, String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

fn state(parts: &http::response::Parts) -> &str {
    parts.headers["x-facetheory-isr"].to_str().unwrap()
}

#[tokio::test]
async fn posts_are_cached_and_marked() {
    let app = blog::app().isr(IsrRuntime::memory()).build().unwrap();
    let (first, body1) = get(&app, "/blog/hello-world", &[]).await;
    assert_eq!(first.status, 200);
    assert_eq!(state(&first), "miss");
    assert_eq!(first.headers["cache-control"], "public, max-age=0, s-maxage=0, stale-if-error=60, must-revalidate");
    assert_eq!(first.headers["content-type"], "text/html; charset=utf-8");
    let (second, body2) = get(&app, "/blog/hello-world", &[("x-request-id", "another")]).await;
    assert_eq!(state(&second), "hit");
    assert_eq!(body1, body2, "the cached document is served byte for byte");
    assert_eq!(second.headers["etag"], first.headers["etag"]);
    assert_eq!(second.headers["x-request-id"], "another");
    // HEAD shares the cache; other posts have their own keys; unknown posts are 404s, not cached.
    let (head, empty) = get(&app, "/blog/routing", &[]).await;
    assert_eq!((state(&head), empty.is_empty()), ("miss", false));
    let (missing, body) = get(&app, "/blog/nope", &[]).await;
    assert_eq!(missing.status, 404);
    assert!(body.contains("Page not found"));
    assert!(!missing.headers.contains_key("x-facetheory-isr"));
}

#[tokio::test]
async fn tenant_headers_fail_closed() {
    let app = blog::app().isr(IsrRuntime::memory()).build().unwrap();
    let (parts, body) = get(&app, "/blog/hello-world", &[("x-tenant-id", "acme")]).await;
    assert_eq!(parts.status, 500);
    assert!(!body.contains("tenant"), "the reason is logged, not shown");
}

#[tokio::test]
async fn the_embedded_local_store_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("facetheory-isr-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = blog::app().isr(IsrRuntime::local(&dir)).build().unwrap();
    let (parts, body) = get(&first, "/blog/hello-world", &[]).await;
    assert_eq!(state(&parts), "miss");
    drop(first);
    // A new app over the same directory: a restarted `serve`.
    let restarted = blog::app().isr(IsrRuntime::local(&dir)).build().unwrap();
    let (parts, again) = get(&restarted, "/blog/hello-world", &[]).await;
    assert_eq!(state(&parts), "hit");
    assert_eq!(body, again);
    let _ = std::fs::remove_dir_all(&dir);
}
