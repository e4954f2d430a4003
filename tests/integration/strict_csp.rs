//! Strict CSP end to end: per-request nonces for SSR, hashes for cached modes, fail-closed validation.

use http_body_util::BodyExt;

async fn get(app: &facetheory::App, path: &str) -> (http::response::Parts, String) {
    let res = app.handle(http::Request::get(path).body(String::new()).unwrap()).await;
    let (parts, body) = res.into_parts();
    (parts, String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

fn nonce_of(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce source") + 7;
    csp[start..start + csp[start..].find('\'').unwrap()].to_string()
}

#[tokio::test]
async fn ssr_strict_page_uses_a_fresh_nonce_per_request() {
    let app = blog::app().build().unwrap();
    let (parts, body) = get(&app, "/secure").await;
    assert_eq!(parts.status, 200);
    let csp = parts.headers["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.starts_with(
        "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; script-src 'self' 'nonce-"
    ));
    let nonce = nonce_of(&csp);
    assert_eq!(nonce.len(), 24);
    assert!(body.contains(&format!("<script nonce=\"{nonce}\" type=\"application/ld+json\">")), "{body}");
    let (parts2, _) = get(&app, "/secure").await;
    assert_ne!(nonce_of(parts2.headers["content-security-policy"].to_str().unwrap()), nonce);
}

#[tokio::test]
async fn cached_strict_page_lists_its_json_ld_by_hash_not_nonce() {
    let app = blog::app().build().unwrap();
    let (parts, body) = get(&app, "/about").await;
    assert_eq!(parts.status, 200);
    let csp = parts.headers["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("nonce"), "{csp}");
    let start = body.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let json = &body[start..start + body[start..].find("</script>").unwrap()];
    assert!(csp.contains(&facetheory::csp::sha256_source(json)), "{csp}");
    // The same bytes for every viewer: a second render is identical.
    let (parts2, body2) = get(&app, "/about").await;
    assert_eq!(parts2.headers["content-security-policy"], parts.headers["content-security-policy"]);
    assert_eq!(body2.replace(char::is_numeric, ""), body.replace(char::is_numeric, ""));
}

mod faces {
    use facetheory::prelude::*;

    #[face(route = "/inline-handler")]
    pub fn inline_handler() -> Page {
        Page::new(html! { button onclick="steal()" { "x" } }).strict_csp()
    }

    #[face(route = "/inline-hydration")]
    pub fn inline_hydration() -> Page<u32> {
        Page::new(html! {}).strict_csp().hydrate(1, "/assets/x.js")
    }

    #[face(route = "/own-header")]
    pub fn own_header() -> Page {
        Page::new(html! { p { "ok" } }).header("content-security-policy", "default-src 'none'").strict_csp()
    }

    #[face(route = "/extra-directive")]
    pub fn extra_directive() -> Page {
        Page::new(html! { img src="https://img.example/a.png"; })
            .strict_csp()
            .csp_directive("img-src", &["https://img.example"])
    }

    #[face(route = "/strict-stream")]
    pub fn strict_stream() -> Page {
        Page::stream(futures_util::stream::iter([Ok(html! { p { "a" } }), Ok(html! { p style="x" { "b" } })]))
            .strict_csp()
    }
}

#[tokio::test]
async fn strict_pages_fail_closed_and_honour_overrides() {
    let app = facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_inline_handler)
        .route(&faces::__FACETHEORY_ROUTE_inline_hydration)
        .route(&faces::__FACETHEORY_ROUTE_own_header)
        .route(&faces::__FACETHEORY_ROUTE_extra_directive)
        .route(&faces::__FACETHEORY_ROUTE_strict_stream)
        .build()
        .unwrap();
    for path in ["/inline-handler", "/inline-hydration", "/strict-stream"] {
        let (parts, body) = get(&app, path).await;
        assert_eq!(parts.status, 500, "{path}");
        assert!(!body.contains("steal"), "{path}");
    }
    let (parts, _) = get(&app, "/own-header").await;
    assert_eq!(parts.headers["content-security-policy"], "default-src 'none'");
    let (parts, _) = get(&app, "/extra-directive").await;
    assert!(parts.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("img-src 'self' data: https://img.example;"));
}
