//! The three trailing-slash policies, in process.

use facetheory::TrailingSlash;

async fn status_and_location(policy: TrailingSlash, path: &str) -> (u16, Option<String>) {
    let app = blog::app().trailing_slash(policy).build().unwrap();
    let res = app.handle(http::Request::get(path).body(String::new()).unwrap()).await;
    let loc = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), loc)
}

#[tokio::test]
async fn strict_redirect_normalize() {
    use TrailingSlash::*;
    let cases: &[(TrailingSlash, &str, u16, Option<&str>)] = &[
        (Strict, "/about/", 404, None),
        (Strict, "/about", 200, None),
        (Strict, "/", 200, None),
        (Redirect, "/about/", 308, Some("/about")),
        (Redirect, "/about//", 308, Some("/about")),
        (Redirect, "/docs/a/?x=1&x=2", 308, Some("/docs/a?x=1&x=2")),
        (Redirect, "/nothing/", 404, None),
        (Redirect, "/", 200, None),
        (Normalize, "/about/", 200, None),
        (Normalize, "/blog/hello-world/", 200, None),
        (Normalize, "/nothing/", 404, None),
    ];
    for (policy, path, status, location) in cases {
        let got = status_and_location(*policy, path).await;
        assert_eq!(got, (*status, location.map(str::to_string)), "{policy:?} {path}");
    }
}
