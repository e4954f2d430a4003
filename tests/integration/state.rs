//! Application state reaches faces and resources by type (`&State<T>` arguments and `ctx.state::<T>()`), a
//! route asking for state the app lacks stops it at start-up, and extensions set by a real tower layer around
//! the app reach the context.

use std::sync::atomic::AtomicUsize;

use http_body_util::BodyExt;
use tower::{Service, ServiceBuilder, ServiceExt};

/// What a site would keep in state: a store of posts and a hit counter.
pub struct Posts(pub Vec<&'static str>);
pub struct Hits(pub AtomicUsize);

/// What an authentication middleware hands the app.
#[derive(Clone)]
pub struct User(pub &'static str);

mod routes {
    use super::{Hits, Posts, User};
    use facetheory::prelude::*;
    use std::sync::atomic::Ordering;

    #[face(route = "/state/posts")]
    pub fn list(posts: &State<Posts>, ctx: &FaceContext) -> Page {
        let user = ctx.extensions().get::<User>().map_or("nobody", |u| u.0);
        Page::new(html! { p { "signed in: " (user) } ul { @for p in &posts.0 { li { (p) } } } })
    }

    #[resource(route = "/state/hits", methods = ["POST"])]
    pub fn hit(hits: &State<Hits>) -> ResourceResponse {
        let n = hits.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResourceResponse::text(n.to_string())
    }

    #[face(route = "/state/ctx")]
    pub fn through_context(ctx: &FaceContext) -> Result<Page> {
        let posts = ctx.state::<Posts>().ok_or_else(|| Error::msg("no posts"))?;
        Ok(Page::new(html! { (posts.0.len()) " posts" }))
    }
}

fn builder() -> facetheory::AppBuilder {
    facetheory::App::builder()
        .route(&routes::__FACETHEORY_ROUTE_list)
        .route(&routes::__FACETHEORY_ROUTE_hit)
        .route(&routes::__FACETHEORY_ROUTE_through_context)
}

async fn text(res: http::Response<facetheory::Body>) -> String {
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn state_and_layer_extensions_reach_faces_and_resources() {
    let app = builder().state(Posts(vec!["first", "second"])).state(Hits(AtomicUsize::new(0))).build().unwrap();
    // A real tower layer in front of the app, as an auth middleware would be.
    let mut svc = ServiceBuilder::new()
        .map_request(|mut req: http::Request<String>| {
            if req.headers().contains_key("authorization") {
                req.extensions_mut().insert(User("ada"));
            }
            req
        })
        .service(app);
    let req = http::Request::get("/state/posts").header("authorization", "Bearer x").body(String::new()).unwrap();
    let body = text(svc.ready().await.unwrap().call(req).await.unwrap()).await;
    assert!(body.contains("<p>signed in: ada</p><ul><li>first</li><li>second</li></ul>"), "{body}");
    let req = http::Request::get("/state/posts").body(String::new()).unwrap();
    let body = text(svc.ready().await.unwrap().call(req).await.unwrap()).await;
    assert!(body.contains("signed in: nobody"), "{body}");
    for expected in ["1", "2", "3"] {
        let req = http::Request::post("/state/hits").body(String::new()).unwrap();
        assert_eq!(text(svc.ready().await.unwrap().call(req).await.unwrap()).await, expected);
    }
    let req = http::Request::get("/state/ctx").body(String::new()).unwrap();
    assert!(text(svc.ready().await.unwrap().call(req).await.unwrap()).await.contains("2 posts"));
}

#[test]
fn a_route_taking_state_the_app_lacks_stops_it_at_startup() {
    let err = builder().state(Posts(vec![])).build().expect_err("no Hits");
    let msg = err.to_string();
    assert!(msg.contains("hit") && msg.contains("/state/hits"), "{msg}");
    assert!(msg.contains("&State<") && msg.contains("state::Hits>"), "{msg}");
    assert!(msg.contains("AppBuilder::state"), "{msg}");
    assert!(builder().state(Posts(vec![])).state(Hits(AtomicUsize::new(0))).build().is_ok());
}

#[tokio::test]
async fn bad_bodies_are_client_errors_that_say_what_was_wrong() {
    let app = blog::app().build().unwrap();
    let post = |content_type: Option<&str>, body: &str| {
        let mut req = http::Request::post("/api/subscribe");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let req = req.body(body.to_string()).unwrap();
        let app = app.clone();
        async move {
            let res = app.handle(req).await;
            (res.status().as_u16(), res.headers().get("cache-control").cloned(), text(res).await)
        }
    };
    let form = Some("application/x-www-form-urlencoded");
    let (status, _, body) = post(form, "email=reader%40example.com").await;
    assert_eq!((status, body.as_str()), (200, r#"{"subscribed":"reader@example.com"}"#));
    let (status, cache, body) = post(Some("application/json"), r#"{"email":"a@b"}"#).await;
    assert_eq!(status, 415, "{body}");
    assert!(body.contains("expected content-type application/x-www-form-urlencoded"), "{body}");
    assert_eq!(cache.unwrap(), "no-store");
    let (status, _, body) = post(None, "email=a@b").await;
    assert_eq!(status, 200, "no content type is read as a form: {body}");
    let (status, _, body) = post(form, "mail=a@b").await;
    assert_eq!(status, 400);
    assert!(body.contains("email"), "names the missing field: {body}");
    let (status, _, body) = post(form, "email=%ZZ&email=").await;
    assert!(status == 400 || status == 422, "{status} {body}");
    let (status, _, _) = post(form, "email=nobody").await;
    assert_eq!(status, 422);
}
