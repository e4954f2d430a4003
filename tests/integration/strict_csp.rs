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

    /// An inline handler in a layout, after the page's body (the frame's closing is sent apart from the body).
    #[face(route = "/framed-inline-handler")]
    pub fn framed_inline_handler() -> Page {
        Page::new(html! { p { "ok" } })
            .within(|body| html! { main { (body) } footer { a onclick="steal()" { "x" } } })
            .strict_csp()
    }

    /// A clean layout around a clean body, framed twice.
    #[face(route = "/framed-clean")]
    pub fn framed_clean() -> Page {
        Page::new(html! { p { "ok" } })
            .within(|body| html! { main { (body) } })
            .within(|body| html! { header { "site" } (body) footer { "end" } })
            .strict_csp()
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

    /// Head tags from the `Page` methods (kept compact until a step edits them) on a strict page.
    #[face(route = "/strict-meta")]
    pub fn strict_meta() -> Page {
        Page::new(html! { p { "ok" } })
            .description("Strict & compact")
            .canonical("/strict-meta")
            .meta_property("og:title", "T")
            .json_ld(&serde_json::json!({"@type": "Thing"}))
            .strict_csp()
    }

    #[face(route = "/strict-foreign-canonical")]
    pub fn strict_foreign_canonical() -> Page {
        Page::new(html! {}).canonical("https://elsewhere.example/a").strict_csp()
    }

    #[face(route = "/strict-stream")]
    pub fn strict_stream() -> Page {
        Page::stream(futures_util::stream::iter([Ok(html! { p { "a" } }), Ok(html! { p style="x" { "b" } })]))
            .strict_csp()
    }
}

fn app() -> facetheory::App {
    facetheory::App::builder()
        .route(&faces::__FACETHEORY_ROUTE_inline_handler)
        .route(&faces::__FACETHEORY_ROUTE_inline_hydration)
        .route(&faces::__FACETHEORY_ROUTE_framed_inline_handler)
        .route(&faces::__FACETHEORY_ROUTE_framed_clean)
        .route(&faces::__FACETHEORY_ROUTE_own_header)
        .route(&faces::__FACETHEORY_ROUTE_extra_directive)
        .route(&faces::__FACETHEORY_ROUTE_strict_stream)
        .route(&faces::__FACETHEORY_ROUTE_strict_meta)
        .route(&faces::__FACETHEORY_ROUTE_strict_foreign_canonical)
        .build()
        .unwrap()
}

#[tokio::test]
async fn strict_pages_fail_closed_and_honour_overrides() {
    let app = app();
    for path in ["/inline-handler", "/inline-hydration", "/framed-inline-handler"] {
        let (parts, body) = get(&app, path).await;
        assert_eq!(parts.status, 500, "{path}");
        assert!(!body.contains("steal"), "{path}");
    }
    // A page inside two layouts: the body between the frames' halves, nothing copied twice or lost, and the
    // length the bytes sent.
    let (parts, body) = get(&app, "/framed-clean").await;
    assert_eq!(parts.status, 200);
    assert!(
        body.ends_with("<body><header>site</header><main><p>ok</p></main><footer>end</footer></body></html>"),
        "{body}"
    );
    assert_eq!(parts.headers["content-length"], body.len().to_string().as_str());
    // A strict stream is checked chunk by chunk: the offending chunk is never sent.
    let (parts, body) = get(&app, "/strict-stream").await;
    assert_eq!(parts.status, 200);
    assert!(
        body.ends_with("<p>a</p><template data-facetheory-stream-error=\"true\"></template></body></html>"),
        "{body}"
    );
    let (parts, _) = get(&app, "/own-header").await;
    assert_eq!(parts.headers["content-security-policy"], "default-src 'none'");
    let (parts, _) = get(&app, "/extra-directive").await;
    assert!(parts.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("img-src 'self' data: https://img.example;"));
}

#[tokio::test]
async fn strict_ssr_inline_hydration_moves_to_a_signed_sidecar() {
    let app = blog::app().build().unwrap();
    let (parts, body) = get(&app, "/secure").await;
    assert_eq!(parts.status, 200);
    assert!(!body.contains("__FACETHEORY_DATA__\""), "no inline data on a strict page");
    let start = body.find("href=\"/_facetheory/ssr-data/").expect("a sidecar link") + 6;
    let url = &body[start..start + body[start..].find('"').unwrap()];
    assert!(body.contains("id=\"__FACETHEORY_DATA_URL__\" rel=\"facetheory-hydration\" type=\"application/json\""));
    let (parts, json) = get(&app, url).await;
    assert_eq!(parts.status, 200);
    assert_eq!(parts.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(parts.headers["cache-control"], "no-store");
    // Both counter islands' payloads, by island id, in one sidecar.
    assert_eq!(
        json,
        r#"{"islands":{"counter":{"label":"Clicks","start":10,"step":5},"score":{"label":"Score","start":100,"step":-10}}}"#
    );
    // Anything wrong is a plain 404: a changed token, a bare prefix, another method.
    let (parts, text) = get(&app, &format!("{}x", url)).await;
    assert_eq!((parts.status.as_u16(), text.as_str()), (404, "Not Found"));
    assert_eq!(parts.headers["cache-control"], "no-store");
    assert_eq!(get(&app, "/_facetheory/ssr-data").await.0.status, 404);
    let post = app.handle(http::Request::post(url).body(String::new()).unwrap()).await;
    assert_eq!(post.status(), 404);
    // Another app instance with a different secret cannot read it.
    let other = blog::app().build().unwrap();
    assert_eq!(get(&other, url).await.0.status, 404);
}

#[tokio::test]
async fn compact_head_items_pass_through_the_strict_checks() {
    let app = app();
    let (parts, body) = get(&app, "/strict-meta").await;
    assert_eq!(parts.status, 200, "{body}");
    let nonce = nonce_of(parts.headers["content-security-policy"].to_str().unwrap());
    assert!(body.contains("<meta content=\"Strict &amp; compact\" name=\"description\">"), "{body}");
    assert!(body.contains("<link href=\"/strict-meta\" rel=\"canonical\">"), "{body}");
    assert!(body.contains(&format!("<script nonce=\"{nonce}\" type=\"application/ld+json\">")), "{body}");
    // A strict page's links must be same-origin: the compact canonical is checked like a tag.
    let (parts, body) = get(&app, "/strict-foreign-canonical").await;
    assert_eq!(parts.status, 500, "{body}");
}
