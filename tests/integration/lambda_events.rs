//! Real Lambda Function URL events (payload 2.0) parsed by lambda_http's own request types, then handled by
//! the app exactly as the streaming handler does.

use facetheory::Body;
use http_body_util::BodyExt;

/// An event as the streaming handler turns it into a request (`request_from_event`: the fast path when the
/// event is plain, else normalised and parsed by lambda_http).
fn event(name: &str) -> lambda_http::Request {
    let ctx = facetheory::lambda::lambda_runtime::Context::default();
    facetheory::lambda::request_from_event(&raw_event(name), ctx).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

async fn handle(name: &str) -> (http::response::Parts, String) {
    let app = blog::app().build().unwrap();
    let res: http::Response<Body> = app.handle(event(name)).await;
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn query_string_and_cookies_array_reach_the_face() {
    let (parts, body) = handle("get_home_query_cookies").await;
    assert_eq!(parts.status, 200);
    // requestContext.requestId becomes the request id when no x-request-id header was sent.
    assert_eq!(parts.headers["x-request-id"], "8f0c2a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b");
    // rawQueryString `q=rout` filters the list; the cookies array gives `theme=dark`.
    assert!(body.contains("<body data-theme=\"dark\">"), "{body}");
    assert!(body.contains("<a href=\"/blog/routing\">Routing without surprises</a>"));
    assert!(!body.contains("<a href=\"/blog/hello-world\">"), "filtered out of the rendered list");
    assert!(body.contains("value=\"rout\""));
}

#[tokio::test]
async fn raw_path_is_decoded_for_typed_params_and_header_request_id_wins() {
    let (parts, body) = handle("get_post_encoded_path").await;
    assert_eq!(parts.status, 200);
    assert_eq!(parts.headers["x-request-id"], "client-supplied-id");
    assert!(body.contains("<h1>Percent-decoding</h1>"));
    assert!(body.contains("raw slug: <code>caf%C3%A9</code>"));
}

#[tokio::test]
async fn head_event_gets_headers_without_body() {
    let (parts, body) = handle("head_about").await;
    assert_eq!(parts.status, 200);
    assert_eq!(body, "");
    assert_eq!(parts.headers["content-type"], "text/html; charset=utf-8");
    assert!(parts.headers["content-length"].to_str().unwrap().parse::<usize>().unwrap() > 100);
}

#[tokio::test]
async fn base64_body_is_decoded_for_resources() {
    let (parts, body) = handle("post_form_base64").await;
    assert_eq!(parts.status, 200, "{body}");
    assert_eq!(body, r#"{"subscribed":"reader@example.com"}"#);
}

#[tokio::test]
async fn post_to_a_face_is_405_and_missing_is_the_404_face() {
    let (parts, _) = handle("post_to_face").await;
    assert_eq!(parts.status, 405);
    assert_eq!(parts.headers["allow"], "GET, HEAD");
    let (parts, body) = handle("get_missing").await;
    assert_eq!(parts.status, 404);
    assert!(body.contains("Nothing lives at <code>/nothing/here</code>"));
}

#[tokio::test]
async fn trailing_slash_redirect_keeps_raw_query() {
    let (parts, _) = handle("get_trailing_slash").await;
    assert_eq!(parts.status, 308);
    assert_eq!(parts.headers["location"], "/docs?a=1");
}

#[test]
fn malformed_event_is_a_clear_error_not_a_panic() {
    let err = lambda_http::request::from_str(r#"{"version":"2.0","rawPath":"/"}"#).unwrap_err();
    assert!(!err.to_string().is_empty());
}

fn raw_event(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/lambda/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn events_lambda_http_would_panic_on_are_answered_400() {
    for name in ["invalid_query", "invalid_host", "fuzz_missing_path_and_host", "fuzz_non_ascii_host_bad_domain"] {
        let original = raw_event(name);
        // The upstream conversion panics on these (the runtime would answer 502 and log a panic)…
        let text = String::from_utf8(original.clone()).unwrap();
        let panicked = std::panic::catch_unwind(|| lambda_http::request::from_str(&text).map(|_| ())).is_err();
        assert!(panicked, "{name}: lambda_http panics on this event");
        // …so the adapter rewrites them before lambda_http sees them, and answers 400.
        let (fixed, reason) = facetheory::lambda::normalize_event(&original).expect_err(name);
        let req = lambda_http::request::from_str(std::str::from_utf8(&fixed).unwrap()).expect("parses now");
        assert_eq!(req.uri().path(), "/");
        let res = facetheory::lambda::bad_request(&reason, "invocation-1");
        assert_eq!(res.status(), 400, "{name}: {reason}");
        assert_eq!(res.headers()["x-request-id"], "invocation-1");
    }
    // The fast path agrees with the full check on every fixture and fuzz seed.
    for dir in ["fixtures/lambda", "fuzz/seeds/lambda_event"] {
        for entry in std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"))).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let (fast, full) =
                (facetheory::lambda::normalize_event(&bytes), facetheory::lambda::normalize_event_in_full(&bytes));
            assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{}", entry.path().display());
            // What the adapter hands lambda_http never makes it panic.
            let body = match fast {
                Ok(None) => bytes.clone(),
                Ok(Some(normalized)) => normalized,
                Err((fixed, _)) => fixed,
            };
            if let Ok(text) = std::str::from_utf8(&body) {
                let parsed = std::panic::catch_unwind(|| lambda_http::request::from_str(text).map(drop));
                assert!(parsed.is_ok(), "lambda_http panics on {}", entry.path().display());
            }
        }
    }
    // Where the fast event path takes an event, it builds exactly the full path's request; the common events
    // take it.
    let mut taken = Vec::new();
    for dir in ["fixtures/lambda", "fuzz/seeds/lambda_event"] {
        for entry in std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"))).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let agrees = facetheory::lambda::fast_path_agrees(&bytes);
            if agrees.clone().unwrap_or_else(|e| panic!("{}: {e}", entry.path().display())) {
                taken.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    for name in ["get_home_query_cookies.json", "post_form_base64.json", "post_to_face.json", "head_about.json"] {
        assert!(taken.iter().any(|t| t == name), "{name} takes the fast path: {taken:?}");
    }
    for name in ["get_cookie_header_and_array.json", "post_lowercase_method.json", "invalid_host.json"] {
        assert!(!taken.iter().any(|t| t == name), "{name} takes the full path");
    }
    // Valid, already normal events pass untouched (no re-serialisation).
    for name in ["get_home_query_cookies", "get_post_encoded_path", "post_form_base64"] {
        assert!(matches!(facetheory::lambda::normalize_event(&raw_event(name)), Ok(None)), "{name}");
    }
}

#[tokio::test]
async fn the_query_falls_back_to_query_string_parameters() {
    let (parts, body) = handle("get_query_from_parameters").await;
    assert_eq!(parts.status, 200);
    assert!(body.contains("value=\"rout\""), "{body}");
    assert!(!body.contains("<a href=\"/blog/hello-world\">"), "filtered by the parameters' q");
}

#[tokio::test]
async fn cookies_from_the_header_and_the_array_are_all_kept() {
    let req = event("get_cookie_header_and_array");
    let cookie = req.headers().get_all("cookie").iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>().join("; ");
    assert_eq!(cookie, "theme=light; lang=en; theme=dark; session=%22abc%22");
    let (parts, body) = handle("get_cookie_header_and_array").await;
    assert_eq!(parts.status, 200);
    // The array comes last, so its `theme=dark` wins over the header's `theme=light`.
    assert!(body.contains("<body data-theme=\"dark\">"), "{body}");
}

#[tokio::test]
async fn a_lower_case_method_is_upper_cased() {
    let (parts, body) = handle("post_lowercase_method").await;
    assert_eq!(parts.status, 200, "{body}");
    assert_eq!(body, r#"{"subscribed":"reader@example.com"}"#);
}
