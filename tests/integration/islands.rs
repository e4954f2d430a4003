//! Islands: several per page with their own payloads and mount points, entries resolved against the app's Vite
//! build (`AppBuilder::vite`), what a missing build does, and the app-wide CSP default.

use std::path::PathBuf;

use facetheory::csp::CspPolicy;
use http_body_util::BodyExt;

mod faces {
    use facetheory::prelude::*;

    #[derive(serde::Serialize)]
    pub struct Count {
        pub start: i32,
    }

    #[face(route = "/two")]
    pub fn two() -> Page {
        let a = Island::new("src/counter.ts", Count { start: 1 });
        let b = Island::new("src/counter.ts", Count { start: 2 }).id("second");
        let chart = Island::new("src/chart.ts", vec![3, 4]);
        Page::new(html! { (a.mount(html! { b { "1" } })) (b.mount(html! { b { "2" } })) (chart.mount(html! {})) })
            .island(a)
            .island(b)
            .island(chart)
            .module("src/analytics.ts")
    }

    /// Modules without islands: a literal, an owned name and a repeat (kept once, at its first place).
    #[face(route = "/modules")]
    pub fn modules() -> Page {
        Page::new(html! { p { "no islands" } })
            .module("src/analytics.ts")
            .module(String::from("src/chart.ts"))
            .module("src/analytics.ts")
    }

    #[face(route = "/same-id")]
    pub fn same_id() -> Page {
        Page::new(html! {}).island(Island::new("src/counter.ts", 1)).island(Island::new("src/counter.ts", 2))
    }

    #[face(route = "/both")]
    pub fn both() -> Page<u8> {
        Page::new(html! {}).island(Island::new("src/counter.ts", 1)).hydrate(1u8, "")
    }

    #[face(route = "/unbuilt")]
    pub fn unbuilt() -> Page {
        let x = Island::new("src/missing.ts", 5);
        Page::new(html! { (x.mount(html! { "server markup" })) }).island(x)
    }

    #[face(route = "/plain")]
    pub fn plain() -> Page {
        Page::new(html! { p { "no policy of its own" } })
    }

    #[face(route = "/relaxed")]
    pub fn relaxed() -> Page {
        Page::new(html! { p style="color: red" { "opted out" } }).csp(facetheory::csp::CspPolicy::RELAXED)
    }
}

const MANIFEST: &str = r#"{
  "src/counter.ts": {"file": "assets/counter-1.js", "isEntry": true, "imports": ["_shared.js"], "css": ["assets/counter-2.css"]},
  "src/chart.ts": {"file": "assets/chart-3.js", "isEntry": true, "imports": ["_shared.js"]},
  "src/analytics.ts": {"file": "assets/analytics-4.js", "isEntry": true},
  "_shared.js": {"file": "assets/shared-5.js"}
}"#;

fn client_dist(name: &str, with_manifest: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("facetheory-islands-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::create_dir_all(dir.join(".vite")).unwrap();
    std::fs::write(dir.join("assets/counter-1.js"), "export {}").unwrap();
    if with_manifest {
        std::fs::write(dir.join(".vite/manifest.json"), MANIFEST).unwrap();
    }
    dir
}

fn app(dist: &std::path::Path) -> facetheory::AppBuilder {
    facetheory::App::builder()
        .routes(facetheory::routes![
            faces::two,
            faces::modules,
            faces::same_id,
            faces::both,
            faces::unbuilt,
            faces::plain,
            faces::relaxed
        ])
        .vite(dist)
}

async fn get(app: &facetheory::App, path: &str) -> (http::response::Parts, String) {
    let res = app.handle(http::Request::get(path).body(String::new()).unwrap()).await;
    let (parts, body) = res.into_parts();
    (parts, String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

/// The app over a built client (`dist` names its directory) and the document it serves at `path` (a 200).
async fn served(dist: &str, path: &str) -> (facetheory::App, String) {
    let app = app(&client_dist(dist, true)).build().unwrap();
    let (parts, body) = get(&app, path).await;
    assert_eq!(parts.status, 200, "{body}");
    (app, body)
}

/// The module script of a built file.
fn module_script(file: &str) -> String {
    format!("<script src=\"/assets/{file}\" type=\"module\">")
}

#[tokio::test]
async fn several_islands_share_one_payload_by_id_and_each_entry_loads_once() {
    let (app, body) = served("two", "/two").await;
    let head = &body[..body.find("</head>").unwrap()];
    // Preloads and stylesheets of every entry (the shared chunk once), then the data, then one module per entry.
    assert_eq!(head.matches("href=\"/assets/shared-5.js\" rel=\"modulepreload\"").count(), 1, "{head}");
    assert!(head.contains("href=\"/assets/counter-2.css\" rel=\"stylesheet\""), "{head}");
    let data = head.find("<script id=\"__FACETHEORY_DATA__\" type=\"application/json\">").expect("inline data");
    let modules: Vec<usize> = ["counter-1.js", "chart-3.js", "analytics-4.js"]
        .iter()
        .map(|f| head.find(&module_script(f)).expect(f))
        .collect();
    assert!(data < modules[0] && modules[0] < modules[1] && modules[1] < modules[2], "{head}");
    let json = &head[data..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let payload: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({"islands": {"counter": {"start": 1}, "second": {"start": 2}, "chart": [3, 4]}})
    );
    for (id, entry) in [("counter", "src/counter.ts"), ("second", "src/counter.ts"), ("chart", "src/chart.ts")] {
        assert!(
            body.contains(&format!("<div data-facetheory-island=\"{id}\" data-facetheory-entry=\"{entry}\">")),
            "{id}"
        );
    }
    // The build's asset directory is served.
    let (asset, js) = get(&app, "/assets/counter-1.js").await;
    assert_eq!((asset.status.as_u16(), js.as_str()), (200, "export {}"));
}

#[tokio::test]
async fn a_page_of_modules_alone_loads_each_once_in_the_order_added() {
    let (_, body) = served("modules", "/modules").await;
    let head = &body[..body.find("</head>").unwrap()];
    let (analytics, chart) = (module_script("analytics-4.js"), module_script("chart-3.js"));
    assert_eq!(head.matches(&analytics).count(), 1, "{head}");
    assert_eq!(head.matches(&chart).count(), 1, "{head}");
    assert!(head.find(&analytics) < head.find(&chart), "{head}");
    assert!(!head.contains("__FACETHEORY_DATA__"), "no islands, no payload: {head}");
}

#[tokio::test]
async fn island_mistakes_are_500s_that_say_nothing() {
    let dist = client_dist("mistakes", true);
    let app = app(&dist).build().unwrap();
    for path in ["/same-id", "/both"] {
        let (parts, body) = get(&app, path).await;
        assert_eq!(parts.status, 500, "{path}");
        assert!(!body.contains("island"), "{path}: {body}");
    }
}

#[tokio::test]
async fn without_a_client_build_pages_render_without_their_islands() {
    let dist = client_dist("unbuilt", false);
    let unbuilt = app(&dist).build().unwrap();
    assert!(unbuilt.client_build_problem().unwrap().contains("manifest.json"), "the reason names the manifest");
    let (parts, body) = get(&unbuilt, "/unbuilt").await;
    assert_eq!(parts.status, 200);
    assert!(body.contains("server markup") && !body.contains("type=\"module\""), "{body}");
    // An entry the (present) manifest does not have: the same.
    let built = client_dist("missing-entry", true);
    let (parts, body) = get(&app(&built).build().unwrap(), "/unbuilt").await;
    assert_eq!(parts.status, 200);
    assert!(!body.contains("type=\"module\""), "{body}");
}

#[tokio::test]
async fn an_app_wide_csp_default_with_page_overrides_and_app_directives() {
    let dist = client_dist("csp", true);
    let strict = app(&dist).csp(CspPolicy::STRICT).csp_directive("img-src", &["https://img.example"]).build().unwrap();
    let (parts, _) = get(&strict, "/plain").await;
    let csp = parts.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'nonce-") && csp.contains("img-src 'self' data: https://img.example"),
        "{csp}"
    );
    let (parts, body) = get(&strict, "/relaxed").await;
    assert_eq!(parts.status, 200, "the page's own policy wins: {body}");
    assert!(!parts.headers.contains_key("content-security-policy"));
    // Without the app default nothing changes for a page without a policy.
    let (parts, _) = get(&app(&dist).build().unwrap(), "/plain").await;
    assert!(!parts.headers.contains_key("content-security-policy"));
}
