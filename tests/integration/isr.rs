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

async fn send(app: &facetheory::App, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut req = http::Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.handle(req.body(body.to_string()).unwrap()).await;
    let status = res.status().as_u16();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

/// The `href` of the page's hydration link (`&amp;` unescaped).
fn hydration_href(html: &str) -> String {
    let at = html.find("id=\"__FACETHEORY_DATA_URL__\"").expect("a hydration link");
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let href = tag.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    href.replace("&amp;", "&")
}

#[tokio::test]
async fn strict_isr_pages_hydrate_from_a_sidecar_bound_to_their_cache_key() {
    let app = blog::app().isr(IsrRuntime::memory()).build().unwrap();
    let (parts, html) = get(&app, "/blog/hello-world?ref=feed", &[]).await;
    assert_eq!(state(&parts), "miss");
    let csp = parts.headers["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline") && !csp.contains("nonce-"), "{csp}");
    assert!(!html.contains("<script id=\"__FACETHEORY_DATA__\""), "no inline data on a strict page");
    let href = hydration_href(&html);
    assert!(href.starts_with("/blog/hello-world?ref=feed&__facetheory_isr_hydration="), "{href}");
    let (sidecar, json) = get(&app, &href, &[]).await;
    assert_eq!(sidecar.status, 200);
    assert_eq!(sidecar.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(sidecar.headers["cache-control"], "no-store");
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(data["islands"]["counter"]["start"], 7, "{data}");
    // The cached page points at the same sidecar.
    let (hit, again) = get(&app, "/blog/hello-world?ref=feed", &[]).await;
    assert_eq!((state(&hit), hydration_href(&again)), ("hit", href.clone()));
    let refused = [
        href.replace("?ref=feed&", "?"),                             // another cache key (query)
        href.replace("/hello-world", "/routing"),                    // another page
        format!("{href}&__facetheory_isr_hydration=x"),              // given twice
        format!("{}A", href),                                        // tampered pointer
        "/blog/hello-world?__facetheory_isr_hydration=".to_string(), // empty
    ];
    for url in refused {
        let (parts, body) = get(&app, &url, &[]).await;
        assert_eq!((parts.status.as_u16(), body.as_str()), (404, "Not Found"), "{url}");
        assert_eq!(parts.headers["cache-control"], "no-store");
    }
    let (signed_in, _) = get(&app, &href, &[("authorization", "Bearer alice")]).await;
    assert_eq!(signed_in.status, 404, "another variant's key");
}

const SECRET: &str = "a-revalidation-secret-for-tests";

#[tokio::test]
async fn on_demand_revalidation_over_the_protected_route() {
    let app = blog::app().isr(IsrRuntime::memory()).revalidate_secret(SECRET).build().unwrap();
    for path in ["/blog/hello-world", "/blog/routing"] {
        assert_eq!(state(&get(&app, path, &[]).await.0), "miss");
        assert_eq!(state(&get(&app, path, &[]).await.0), "hit");
    }
    let route = "/_facetheory/revalidate";
    let auth = format!("Bearer {SECRET}");
    let json = ("content-type", "application/json");
    assert_eq!(send(&app, "POST", route, &[json], r#"{"tags":["posts"]}"#).await.0, 401);
    assert_eq!(send(&app, "POST", route, &[("authorization", "Bearer wrong")], "{}").await.0, 401);
    assert_eq!(send(&app, "GET", route, &[("authorization", &auth)], "").await.0, 405);
    let (status, body) = send(&app, "POST", route, &[("authorization", &auth)], "{\"tags\": 3}").await;
    assert_eq!(status, 400);
    assert!(body.contains("expected {\\\"tags\\\""), "{body}");
    assert_eq!(send(&app, "POST", route, &[("authorization", &auth)], "{}").await.0, 400);
    let (status, body) =
        send(&app, "POST", route, &[("authorization", &auth)], r#"{"tags":["post:hello-world"]}"#).await;
    assert_eq!((status, body.as_str()), (200, r#"{"revalidated":1}"#));
    assert_eq!(state(&get(&app, "/blog/hello-world", &[]).await.0), "miss");
    assert_eq!(state(&get(&app, "/blog/routing", &[]).await.0), "hit");
    let (_, body) = send(&app, "POST", route, &[("authorization", &auth)], r#"{"paths":["/blog/routing/"]}"#).await;
    assert_eq!(body, r#"{"revalidated":1}"#);
    assert_eq!(state(&get(&app, "/blog/routing", &[]).await.0), "miss");
    let (_, body) = send(&app, "POST", route, &[("authorization", &auth)], r#"{"tags":["posts"]}"#).await;
    assert_eq!(body, r#"{"revalidated":2}"#, "the face's tag covers every post");
    // Without a secret the route does not exist; a short secret is refused when the app is built.
    let closed = blog::app().isr(IsrRuntime::memory()).build().unwrap();
    assert_eq!(send(&closed, "POST", route, &[("authorization", &auth)], r#"{"tags":["posts"]}"#).await.0, 404);
    let err = blog::app().revalidate_secret("short").build().expect_err("refused");
    assert!(err.to_string().contains("at least 16 bytes"), "{err}");
}

#[tokio::test]
async fn stale_while_revalidate_regenerates_after_the_response_over_tcp() {
    use facetheory::isr::Revalidation;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let now = Arc::new(AtomicU64::new(1_000_000));
    let clock = Arc::clone(&now);
    let isr = IsrRuntime::memory()
        .revalidation(Revalidation::StaleWhileRevalidate)
        .clock(move || clock.load(Ordering::SeqCst));
    let app = blog::app().isr(isr).build().unwrap();
    let after = app.after_response().clone();
    let server = facetheory::server::Server::bind(app, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        stopped.await.ok();
    }));
    let first = crate::http_client::get(addr, "/blog/hello-world").await;
    assert_eq!(first.headers["x-facetheory-isr"], "miss");
    now.fetch_add(61_000, Ordering::SeqCst);
    let stale = crate::http_client::get(addr, "/blog/hello-world").await;
    assert_eq!(stale.headers["x-facetheory-isr"], "stale", "served at once from the cache");
    assert_eq!(stale.body, first.body);
    after.drain().await;
    assert_eq!(after.pending(), 0);
    let fresh = crate::http_client::get(addr, "/blog/hello-world").await;
    assert_eq!(fresh.headers["x-facetheory-isr"], "hit", "regenerated after the stale response");
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

/// Files under a directory, recursively, and their total size.
fn files_and_bytes(dir: &std::path::Path) -> (usize, u64) {
    let mut out = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            let (n, b) = files_and_bytes(&path);
            out = (out.0 + n, out.1 + b);
        } else {
            out = (out.0 + 1, out.1 + e.metadata().map(|m| m.len()).unwrap_or(0));
        }
    }
    out
}

#[tokio::test]
async fn query_busting_and_regenerations_leave_the_store_bounded() {
    let dir = std::env::temp_dir().join(format!("facetheory-isr-bounded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app = blog::app().isr(IsrRuntime::local(&dir).max_variants(20)).build().unwrap();
    // Parameters the face does not list do not vary the page, and the page does not see them.
    for i in 0..300 {
        let (parts, body) = get(&app, &format!("/blog/hello-world?utm_source=x{i}&ref2={i}"), &[]).await;
        assert_eq!(parts.status, 200);
        assert_eq!(state(&parts), if i == 0 { "miss" } else { "hit" }, "request {i}");
        assert!(!body.contains(&format!("x{i}")));
    }
    let (files, bytes) = files_and_bytes(&dir.join("html"));
    println!("300 unique unlisted queries: {files} files, {bytes} bytes in the HTML store");
    assert_eq!(files, 2, "one generation and its hydration sidecar");
    // A listed parameter varies the page, up to the variant cap; past it pages are rendered, not stored.
    for i in 0..300 {
        let (parts, body) = get(&app, &format!("/blog/hello-world?ref=r{i}"), &[]).await;
        assert!(body.contains(&format!("from r{i}.")), "request {i}");
        if i >= 20 {
            assert_eq!(parts.headers["cache-control"], "private, no-store", "over the cap: uncached");
        }
    }
    let (files, bytes) = files_and_bytes(&dir.join("html"));
    println!("300 unique listed queries, cap 20: {files} files, {bytes} bytes in the HTML store");
    assert!(files <= 20 * 2, "{files} files");
    // Regenerating replaces the generation: the superseded one is deleted.
    let before = files_and_bytes(&dir.join("html")).0;
    for _ in 0..5 {
        app.isr().unwrap().revalidate_path("/blog/hello-world").await.unwrap();
        let (parts, _) = get(&app, "/blog/hello-world", &[]).await;
        assert_eq!(state(&parts), "miss");
    }
    assert_eq!(files_and_bytes(&dir.join("html")).0, before, "no generation left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_new_build_never_serves_the_previous_builds_pages() {
    let dir = std::env::temp_dir().join(format!("facetheory-isr-builds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let old = blog::app().isr(IsrRuntime::local(&dir).build_id("build-1")).build().unwrap();
    assert_eq!(state(&get(&old, "/blog/hello-world", &[]).await.0), "miss");
    assert_eq!(state(&get(&old, "/blog/hello-world", &[]).await.0), "hit");
    drop(old);
    // The deploy: same store, another build. Its first request renders; it never sees build-1's page.
    let new = blog::app().isr(IsrRuntime::local(&dir).build_id("build-2")).build().unwrap();
    assert_eq!(state(&get(&new, "/blog/hello-world", &[]).await.0), "miss");
    assert_eq!(state(&get(&new, "/blog/hello-world", &[]).await.0), "hit");
    // A restart of the same build keeps its cache.
    let restarted = blog::app().isr(IsrRuntime::local(&dir).build_id("build-2")).build().unwrap();
    assert_eq!(state(&get(&restarted, "/blog/hello-world", &[]).await.0), "hit");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every `.json` file under the metadata directory.
fn meta_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(meta_files(&path));
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn an_unwritable_store_and_a_corrupt_record_do_not_take_pages_down() {
    let root = std::env::temp_dir().join(format!("facetheory-isr-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    // The HTML store's directory is a file: every write fails (as on a read-only or full disk; root ignores
    // permission bits, so a file in the way is the fault a test can inject).
    std::fs::write(root.join("html"), b"not a directory").unwrap();
    let app = blog::app().isr(IsrRuntime::local(&root)).build().unwrap();
    let (parts, body) = get(&app, "/blog/hello-world", &[]).await;
    assert_eq!(parts.status, 200, "rendered although nothing can be stored");
    assert_eq!(parts.headers["cache-control"], "private, no-store");
    assert!(body.contains("<article><h1>"), "the post itself: {body}");
    // The disk is back: the page is cached again.
    std::fs::remove_file(root.join("html")).unwrap();
    assert_eq!(state(&get(&app, "/blog/hello-world", &[]).await.0), "miss");
    // A metadata record overwritten with garbage is treated as absent and replaced by the next commit.
    let records = meta_files(&root.join("meta"));
    assert_eq!(records.len(), 1, "{records:?}");
    std::fs::write(&records[0], b"{ this is not json").unwrap();
    let restarted = blog::app().isr(IsrRuntime::local(&root)).build().unwrap();
    assert_eq!(state(&get(&restarted, "/blog/hello-world", &[]).await.0), "miss", "regenerated over it");
    assert_eq!(state(&get(&restarted, "/blog/hello-world", &[]).await.0), "hit", "and repaired");
    std::fs::remove_dir_all(&root).unwrap();
}
