//! The app is a `tower::Service` over `http` types, so it mounts anywhere tower services do.

use tower::ServiceExt;

#[tokio::test]
async fn app_is_a_tower_service() {
    let app = blog::app().build().unwrap();
    let res = app
        .clone()
        .oneshot(http::Request::get("/blog/routing").body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let routes: Vec<&str> = app.routes().map(|r| r.pattern).collect();
    assert_eq!(
        routes,
        [
            "/404",
            "/about",
            "/api/posts",
            "/api/subscribe",
            "/blog/new",
            "/blog/<slug>",
            "/blog/<slug>",
            "/deferred",
            "/docs/<rest*>",
            "/favicon.ico",
            "/live",
            "/secure",
            "/topics/<topic>",
            "/"
        ]
    );
}

#[tokio::test]
async fn a_conflicting_registration_fails_fast_at_startup() {
    // A face declared outside `faces/` (registered through inventory) that collides with the table.
    let err = blog::app().with_registered().build().expect_err("conflict");
    let msg = err.to_string();
    assert!(msg.contains("`/blog/<id>`") && msg.contains("`/blog/<slug>`"), "{msg}");
    assert!(msg.contains("faces/blog/[slug].rs:"), "{msg}");
}

#[test]
fn a_route_at_a_reserved_endpoint_fails_at_startup_naming_both() {
    // The blog's revalidation endpoint is a route in the same table as its faces.
    let shadow = &elsewhere::__FACETHEORY_ROUTE_shadow_revalidate;
    let err = blog::app().route(shadow).revalidate_secret("sixteen-bytes-secret").build().expect_err("conflict");
    let msg = err.to_string();
    assert!(msg.contains("`/_facetheory/revalidate`"), "{msg}");
    assert!(msg.contains("tests/integration/service.rs:") && msg.contains("on-demand ISR revalidation"), "{msg}");
    // Without a secret the endpoint does not exist, but the framework's namespace stays reserved.
    let err = blog::app().route(shadow).build().expect_err("reserved").to_string();
    assert!(err.contains("/_facetheory/revalidate") && err.contains("reserves"), "{err}");
}

mod elsewhere {
    use facetheory::prelude::*;

    #[face(route = "/_facetheory/revalidate")]
    pub fn shadow_revalidate() -> Page {
        Page::new(html! { "not the framework's endpoint" })
    }

    #[face(route = "/blog/<id>")]
    pub fn other_post(id: u32) -> Page {
        Page::new(html! { (id) })
    }
}

mod failing {
    use facetheory::prelude::*;

    #[face(route = "/fails")]
    pub async fn fails() -> Result<Page, std::io::Error> {
        Err(std::io::Error::other("database password is hunter2"))
    }

    #[face(route = "/moved")]
    pub fn moved() -> Result<Page> {
        Err(Error::redirect("/new-home"))
    }

    #[face(route = "/bad-header")]
    pub fn bad_header() -> Page {
        Page::new(html! {}).header("x-ok", "line\nbreak")
    }

    #[face(route = "/teapot")]
    pub fn teapot() -> Page {
        Page::new(html! { "short and stout" })
            .with_status(http::StatusCode::IM_A_TEAPOT)
            .header("cache-control", "private, no-store")
            .cookie("a=1; Path=/")
            .cookie("b=2; Path=/")
    }
}

async fn call(path: &str) -> (http::response::Parts, String) {
    use http_body_util::BodyExt;
    let app = facetheory::App::builder()
        .route(&failing::__FACETHEORY_ROUTE_fails)
        .route(&failing::__FACETHEORY_ROUTE_moved)
        .route(&failing::__FACETHEORY_ROUTE_bad_header)
        .route(&failing::__FACETHEORY_ROUTE_teapot)
        .build()
        .unwrap();
    let res = app.handle(http::Request::get(path).body(String::new()).unwrap()).await;
    let (parts, body) = res.into_parts();
    (parts, String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

#[tokio::test]
async fn a_failing_face_is_a_500_that_never_leaks_the_error() {
    let (parts, body) = call("/fails").await;
    assert_eq!(parts.status, 500);
    assert_eq!(parts.headers["content-type"], "text/html; charset=utf-8");
    assert!(!body.contains("hunter2"));
    assert_eq!(
        body,
        "<!doctype html><html lang=\"en\"><head><title>Internal Server Error</title></head><body><h1>Internal Server Error</h1><template data-facetheory-error=\"true\"></template></body></html>"
    );
    let (parts, body) = call("/bad-header").await;
    assert_eq!(parts.status, 500);
    assert!(!body.contains("line"));
}

#[tokio::test]
async fn redirects_statuses_headers_and_cookies() {
    let (parts, body) = call("/moved").await;
    assert_eq!(parts.status, 303);
    assert_eq!(parts.headers["location"], "/new-home");
    assert_eq!(body, "");
    let (parts, body) = call("/teapot").await;
    assert_eq!(parts.status, 418);
    assert_eq!(parts.headers["cache-control"], "private, no-store");
    let cookies: Vec<_> = parts.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies, ["a=1; Path=/", "b=2; Path=/"]);
    assert!(body.ends_with("<body>short and stout</body></html>"));
    // Unknown path without a /404 face: plain text.
    let (parts, body) = call("/zzz").await;
    assert_eq!((parts.status.as_u16(), body.as_str()), (404, "Not Found"));
    assert_eq!(parts.headers["content-type"], "text/plain; charset=utf-8");
}
