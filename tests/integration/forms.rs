//! The application API over TCP: a page and its form POST on one URL (post-redirect-get) that revalidates the
//! ISR page, bad bodies answered 4xx with nothing stored, 405 with the union `allow`, and the return shapes
//! (`Option<Page>`, `Redirect`, `Json<T>`, several cookies, a configured body limit).

use facetheory::isr::IsrRuntime;
use facetheory::server::Server;
use sha2::Digest;

use crate::http_client::{send, start, Running};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

mod routes {
    use facetheory::extract::{Form, QueryAs};
    use facetheory::prelude::*;

    #[derive(serde::Deserialize)]
    pub struct Login {
        pub user: String,
    }

    #[derive(serde::Deserialize)]
    pub struct Filter {
        pub n: u8,
    }

    /// `Option<Page>`: `None` is the 404 page.
    #[face(route = "/maybe/<n>")]
    pub fn maybe(n: u32) -> Option<Page> {
        n.is_multiple_of(2).then(|| Page::new(html! { "even " (n) }))
    }

    /// `Result<Page, Redirect>`: a page that sometimes redirects, without raising.
    #[face(route = "/moved/<n>")]
    pub fn moved(n: u32) -> Result<Page, Redirect> {
        if n == 0 {
            return Err(Redirect::permanent("/maybe/2"));
        }
        Ok(Page::new(html! { (n) }))
    }

    /// Two cookies and a redirect from a form.
    #[resource(route = "/login", methods = ["POST"])]
    pub fn login(Form(login): Form<Login>) -> ResourceResponse {
        ResourceResponse::redirect(Redirect::see_other("/"))
            .cookie(format!("user={}; Path=/; HttpOnly", login.user))
            .cookie("seen=1; Path=/")
    }

    /// `Json<T>` in and out.
    #[resource(route = "/double", methods = ["POST"])]
    pub fn double(Json(filter): Json<Filter>) -> Json<u16> {
        Json(u16::from(filter.n) * 2)
    }

    /// `Json<T>` out, a typed query in.
    #[resource(route = "/numbers", methods = ["GET"])]
    pub fn numbers(QueryAs(filter): QueryAs<Filter>) -> Json<Vec<u8>> {
        Json((0..filter.n).collect())
    }
}

async fn serve_blog() -> Running {
    let app = blog::app()
        .isr(IsrRuntime::memory())
        .routes(facetheory::routes![routes::maybe, routes::moved, routes::login, routes::numbers, routes::double])
        .max_request_body(4096)
        .build()
        .unwrap();
    start(Server::bind(app, "127.0.0.1:0".parse().unwrap()).await.unwrap()).await
}

#[tokio::test]
async fn a_comment_posts_to_the_page_url_redirects_back_and_the_isr_page_regenerates_with_it() {
    let running = serve_blog().await;
    let addr = running.addr;
    let first = send(addr, "GET", "/blog/routing", &[], "").await;
    assert_eq!(first.headers["x-facetheory-isr"], "miss");
    assert!(first.body.contains("No comments yet"), "{}", first.body);
    assert!(
        first.body.contains(r#"<form method="post" action="/blog/routing" data-facetheory-oac-form>"#),
        "{}",
        first.body
    );
    assert_eq!(send(addr, "GET", "/blog/routing", &[], "").await.headers["x-facetheory-isr"], "hit");

    let posted = send(addr, "POST", "/blog/routing", &[FORM], "name=Ada&text=Precedence+%3C3").await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(posted.headers["location"], "/blog/routing#comments");
    assert_eq!(posted.headers["cache-control"], "no-store");

    let after = send(addr, "GET", "/blog/routing", &[], "").await;
    assert_eq!(after.headers["x-facetheory-isr"], "miss", "the POST marked the cached page stale");
    assert!(after.body.contains("<strong>Ada</strong>: Precedence &lt;3"), "{}", after.body);
    assert_eq!(send(addr, "GET", "/blog/routing", &[], "").await.headers["x-facetheory-isr"], "hit");

    // What the OAC form transport sends: the body's SHA-256 in x-amz-content-sha256 (checked, then accepted).
    let body = "name=Grace&text=Signed";
    let hash: String = sha2::Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    let signed = send(addr, "POST", "/blog/routing", &[FORM, ("x-amz-content-sha256", &hash)], body).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    running.stop().await;
}

#[tokio::test]
async fn bad_form_bodies_are_client_errors_and_store_nothing() {
    let running = serve_blog().await;
    let addr = running.addr;
    type Case<'a> = (&'a [(&'a str, &'a str)], String, u16, &'a str);
    let other_body_hash = ("x-amz-content-sha256", "8e3b2f7c1e8d2f5b7f0c4c0bd1d0a6e1e6a0f6b3f3ad6fb7b1bd7b8b5f8c6b9a");
    let cases: [Case; 7] = [
        (&[FORM, other_body_hash], "name=Ada&text=hi".into(), 400, "x-amz-content-sha256 does not match"),
        (&[FORM], "name=Ada".into(), 400, "missing field `text`"),
        (&[FORM], "name=%ZZ&text=x".into(), 400, "not followed by two hex digits"),
        (
            &[("content-type", "application/json")],
            r#"{"name":"a","text":"b"}"#.into(),
            415,
            "application/x-www-form-urlencoded",
        ),
        (&[FORM], "name=Ada&text=+++".into(), 422, "needs a name and a text"),
        (&[FORM], format!("name=Ada&text={}", "x".repeat(1001)), 422, "at most"),
        (&[FORM], format!("name=Ada&text={}", "x".repeat(5000)), 413, "4096-byte limit"),
    ];
    for (headers, body, status, says) in cases {
        let reply = send(addr, "POST", "/blog/routing", headers, &body).await;
        assert_eq!(reply.status, status, "{body:.40}: {}", reply.body);
        assert!(reply.body.contains(says), "{status}: {}", reply.body);
        assert_eq!(reply.headers["cache-control"], "no-store");
    }
    // A comment on a post that does not exist: 404, nothing stored.
    assert_eq!(send(addr, "POST", "/blog/nope", &[FORM], "name=a&text=b").await.status, 404);
    let page = send(addr, "GET", "/blog/routing", &[], "").await;
    assert!(page.body.contains("No comments yet"), "nothing was stored: {}", page.body);
    running.stop().await;
}

#[tokio::test]
async fn other_methods_get_405_with_the_union_allow() {
    let running = serve_blog().await;
    for method in ["PUT", "DELETE", "OPTIONS", "PATCH"] {
        let reply = send(running.addr, method, "/blog/routing", &[], "").await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.headers["allow"], "GET, HEAD, POST", "{method}");
    }
    let head = send(running.addr, "HEAD", "/blog/routing", &[], "").await;
    assert_eq!((head.status.as_u16(), head.body.as_str()), (200, ""));
    running.stop().await;
}

#[tokio::test]
async fn returns_option_redirect_json_and_cookies() {
    let running = serve_blog().await;
    let addr = running.addr;
    assert_eq!(send(addr, "GET", "/maybe/4", &[], "").await.status, 200);
    let odd = send(addr, "GET", "/maybe/3", &[], "").await;
    assert_eq!(odd.status, 404);
    assert!(odd.body.contains("<html"), "the blog's 404 page: {}", odd.body);
    let moved = send(addr, "GET", "/moved/0", &[], "").await;
    assert_eq!((moved.status.as_u16(), moved.headers["location"].to_str().unwrap()), (308, "/maybe/2"));

    let login = send(addr, "POST", "/login", &[FORM], "user=ada").await;
    assert_eq!(login.status, 303);
    let cookies: Vec<&str> = login.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies, ["user=ada; Path=/; HttpOnly", "seen=1; Path=/"]);

    let numbers = send(addr, "GET", "/numbers?n=3", &[], "").await;
    assert_eq!((numbers.status.as_u16(), numbers.body.as_str()), (200, "[0,1,2]"));
    assert_eq!(numbers.headers["content-type"], "application/json; charset=utf-8");
    const JSON: (&str, &str) = ("content-type", "application/json");
    let doubled = send(addr, "POST", "/double", &[JSON], r#"{"n":21}"#).await;
    assert_eq!((doubled.status.as_u16(), doubled.body.as_str()), (200, "42"));
    for (headers, body, status, says) in [
        (&[JSON][..], "{\"n\":", 400, "the JSON body does not fit"),
        (&[JSON][..], "{\"n\":\"x\"}", 400, "invalid type"),
        (&[FORM][..], "n=1", 415, "expected content-type application/json"),
        (&[][..], "{\"n\":1}", 415, "got \"none\""),
    ] {
        let reply = send(addr, "POST", "/double", headers, body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert!(reply.body.contains(says), "{body}: {}", reply.body);
    }
    let bad = send(addr, "GET", "/numbers?n=999", &[], "").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("the query does not fit"), "{}", bad.body);
    running.stop().await;
}
