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
        ["/404", "/about", "/api/posts", "/api/subscribe", "/blog/new", "/blog/<slug>", "/docs/<rest*>", "/"]
    );
}

#[tokio::test]
async fn a_conflicting_registration_fails_fast_at_startup() {
    // A face declared outside `faces/` (registered through inventory) that collides with the table.
    let err = blog::app().with_registered().build().err().expect("conflict");
    let msg = err.to_string();
    assert!(msg.contains("`/blog/<id>`") && msg.contains("`/blog/<slug>`"), "{msg}");
    assert!(msg.contains("faces/blog/[slug].rs:"), "{msg}");
}

mod elsewhere {
    use facetheory::prelude::*;

    #[face(route = "/blog/<id>")]
    pub fn other_post(id: u32) -> Page {
        Page::new(html! { (id) })
    }
}
