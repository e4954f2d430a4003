//! The site in process: a page, its form on the same URL, and the app mounted as a tower service.

use facetheory::App;
use http_body_util::BodyExt;
use tower::ServiceExt;

#[tokio::test]
async fn the_page_and_its_form_share_a_url() {
    let app = App::builder().routes(hello::faces::ROUTES).build().expect("the route table is valid");

    let page = app.handle(http::Request::get("/?name=Ada").body(String::new()).unwrap()).await;
    assert_eq!(page.status(), 200);
    let html = page.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&html).contains("<h1>Hello, Ada!</h1>"));

    let form = http::Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Grace+Hopper".to_string())
        .unwrap();
    let posted = app.clone().oneshot(form).await.unwrap(); // App is a tower::Service
    assert_eq!(posted.status(), 303);
    assert_eq!(posted.headers()["location"], "/?name=Grace%20Hopper");
}
