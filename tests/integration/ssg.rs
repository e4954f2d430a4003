//! `build` on the blog (tree, manifest, sidecars, 404, incremental skip, determinism), failure isolation on a
//! site with a failing page, and the deployment plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use facetheory::ssg::{build, BuildOptions, Manifest, OutputTrailingSlash};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("facetheory-ssg-{name}-{}", uuid_like()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    )
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[tokio::test]
async fn the_blog_builds_to_the_s3_layout() {
    let app = blog::app().isr(facetheory::isr::IsrRuntime::memory()).build().unwrap();
    let out = temp("blog");
    let report = build(&app, &BuildOptions::new(&out)).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let files = tree(&out);
    for f in [
        "about/index.html",
        "topics/basics/index.html",
        "topics/routing/index.html",
        "404.html",
        "_facetheory/data/about.json",
        ".facetheory/ssg-manifest.json",
    ] {
        assert!(files.contains_key(f), "{f} in {:?}", files.keys().collect::<Vec<_>>());
    }
    assert!(!files.keys().any(|f| f.starts_with("blog/")), "ISR and SSR pages are not pre-rendered");
    let about = String::from_utf8(files["about/index.html"].clone()).unwrap();
    assert!(about.contains("href=\"/_facetheory/data/about.json\""), "the strict page links its static sidecar");
    assert!(!about.contains("id=\"__FACETHEORY_DATA__\""));
    assert!(!about.contains("nonce"), "no per-request nonce in static HTML");
    let data: serde_json::Value = serde_json::from_slice(&files["_facetheory/data/about.json"]).unwrap();
    assert_eq!(data["islands"]["counter"]["start"], 42, "{data}");
    assert!(String::from_utf8_lossy(&files["404.html"]).contains("data-facetheory-ssg-404"));
    let manifest: Manifest = serde_json::from_slice(&files[".facetheory/ssg-manifest.json"]).unwrap();
    let paths: Vec<&str> = manifest.pages.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["/about", "/topics/basics", "/topics/routing"]);
    assert_eq!(manifest.pages[0].hydration_data_file.as_deref(), Some("_facetheory/data/about.json"));
    assert!(manifest.pages.iter().all(|p| p.cache_control == "public, max-age=0, s-maxage=600" && p.status == 200));
    assert_eq!(manifest.cache_control.assets, "public, max-age=31536000, immutable");
    assert_eq!(manifest.not_found_file.as_deref(), Some("404.html"));

    // Same input, byte-identical tree (also with other concurrency).
    let again = temp("blog-again");
    let opts = BuildOptions { concurrency: 1, ..BuildOptions::new(&again) };
    build(&app, &opts).await.unwrap();
    assert_eq!(tree(&again), files, "deterministic output");

    // Incremental: nothing changed → nothing written; a page edited on disk is rewritten.
    let incremental = BuildOptions { incremental: true, ..BuildOptions::new(&out) };
    let r = build(&app, &incremental).await.unwrap();
    assert_eq!((r.written, r.skipped.len()), (0, 3));
    std::fs::write(out.join("topics/basics/index.html"), "tampered").unwrap();
    let r = build(&app, &incremental).await.unwrap();
    assert_eq!((r.written, r.skipped.len()), (1, 2));
    assert_eq!(tree(&out), files);

    // trailing-slash never.
    let flat = temp("blog-flat");
    build(&app, &BuildOptions { trailing_slash: OutputTrailingSlash::Never, ..BuildOptions::new(&flat) })
        .await
        .unwrap();
    assert!(flat.join("about.html").is_file() && flat.join("topics/basics.html").is_file());

    // A directory that is not a previous build output is never overwritten.
    let foreign = temp("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("precious.txt"), "keep").unwrap();
    let err = build(&app, &BuildOptions::new(&foreign)).await.unwrap_err();
    assert!(err.to_string().contains("refusing to overwrite"), "{err}");
    assert_eq!(std::fs::read_to_string(foreign.join("precious.txt")).unwrap(), "keep");
    for d in [out, again, flat, foreign] {
        let _ = std::fs::remove_dir_all(d);
    }
}

mod failing_site {
    use facetheory::prelude::*;

    #[face(route = "/ok", mode = "ssg")]
    pub fn ok() -> Page {
        Page::new(html! { "fine" })
    }

    #[face(route = "/broken", mode = "ssg")]
    pub fn broken() -> Result<Page> {
        Err(Error::msg("the CMS is down"))
    }

    #[face(route = "/items/<id>", mode = "ssg", params = items)]
    pub fn item(id: String) -> Page {
        Page::new(html! { (id) })
    }

    pub async fn items() -> Vec<StaticParams> {
        // Unchecked params: a dot-segment and a missing parameter are build-time failures.
        vec![StaticParams::new().param("id", "a"), StaticParams::new().param("id", ".."), StaticParams::new()]
    }
}

#[tokio::test]
async fn failures_are_isolated_and_reported_together() {
    let app = facetheory::App::builder()
        .route(&failing_site::__FACETHEORY_ROUTE_ok)
        .route(&failing_site::__FACETHEORY_ROUTE_broken)
        .route(&failing_site::__FACETHEORY_ROUTE_item)
        .build()
        .unwrap();
    let out = temp("failing");
    let report = build(&app, &BuildOptions::new(&out)).await.unwrap();
    assert!(out.join("ok/index.html").is_file() && out.join("items/a/index.html").is_file(), "good pages written");
    assert!(!out.join("broken").exists());
    let text: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(text.iter().any(|t| t.contains("/broken (/broken) [status 500]")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("dot-segment")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("missing required route param \"id\"")), "{text:?}");
    assert!(out.join(".facetheory/ssg-manifest.json").is_file(), "the manifest lists what was built");
    let _ = std::fs::remove_dir_all(out);
}

#[tokio::test]
async fn the_dev_server_serves_ssg_sidecars_and_honours_the_original_uri() {
    let app = blog::app().isr(facetheory::isr::IsrRuntime::memory()).build().unwrap();
    let get = |path: &str, header: Option<&str>| {
        let mut req = http::Request::get(path);
        if let Some(h) = header {
            req = req.header("x-facetheory-original-uri", h);
        }
        app.handle(req.body(String::new()).unwrap())
    };
    let res = get("/_facetheory/data/about.json", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json; charset=utf-8");
    assert_eq!(get("/_facetheory/data/topics/basics.json", None).await.status(), 404, "no hydration data there");
    assert_eq!(get("/_facetheory/data/../secret.json", None).await.status(), 404);
    // CloudFront failover: the request arrives with the S3 key shape; the app routes the viewer's URI.
    let res = get("/about/index.html", Some("/about")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=0, s-maxage=600");
    assert_eq!(get("/about/index.html", Some("not a path")).await.status(), 404, "invalid header ignored");
    assert_eq!(get("/live", None).await.headers()["cache-control"], "private, no-store", "SSR default");
}

#[test]
fn the_deployment_plan_covers_the_route_table() {
    let app = blog::app().isr(facetheory::isr::IsrRuntime::memory()).build().unwrap();
    let plan = facetheory::deploy::plan(&app, &facetheory::deploy::PlanOptions::default());
    let b = &plan.behaviors;
    let b_paths: Vec<&str> =
        b["strategyB"].as_array().unwrap().iter().map(|x| x["pathPattern"].as_str().unwrap()).collect();
    for p in [
        "/assets/*",
        "/.vite/*",
        "/_facetheory/data/*",
        "/_facetheory/ssr-data/*",
        "/about",
        "/about/",
        "/topics/*",
        "default",
    ] {
        assert!(b_paths.contains(&p), "{p} in {b_paths:?}");
    }
    assert!(b["mutatingPaths"].as_array().unwrap().iter().any(|p| p == "/api/subscribe"), "{}", b["mutatingPaths"]);
    // Every behavior that can reach Lambda forwards the viewer's query, cookies and headers (never Host).
    for strategy in ["strategyA", "strategyB"] {
        for behavior in b[strategy].as_array().unwrap() {
            if behavior["origin"] != "s3" {
                assert_eq!(behavior["originRequestPolicy"], "all-viewer-except-host", "{behavior}");
            }
        }
    }
    assert_eq!(b["policies"]["originRequest"]["all-viewer-except-host"]["headers"], "allViewerExceptHost");
    let a = b["strategyA"].as_array().unwrap();
    let find = |p: &str| a.iter().find(|x| x["pathPattern"] == p).unwrap_or_else(|| panic!("{p} in strategyA"));
    assert_eq!(find("/assets/*")["cachePolicy"], "caching-optimized", "a year, from the objects' max-age");
    assert_eq!(find("/_facetheory/ssr-data/*")["cachePolicy"], "caching-disabled");
    assert_eq!(find("/blog/*")["allowedMethods"].as_array().unwrap().len(), 7, "a mutating route takes every method");
    assert_eq!(find("default")["cachePolicy"], "origin-cache-headers");
    assert_eq!(find("default")["failoverStatusCodes"], serde_json::json!([403, 404]));
    assert_eq!(a.last().unwrap()["pathPattern"], "default", "default is last");
    // The ISR objects outlive the longest revalidate (60 s) plus the table's week of retention.
    assert_eq!(b["isrObjectExpirationDays"], 9);
    assert_eq!(b["isrRoutes"][0], "/blog/<slug>");
    let t = &plan.template;
    for needle in [
        "Runtime: provided.al2023",
        "Architectures: [!Ref Architecture]",
        "Default: arm64",
        "InvokeMode: RESPONSE_STREAM",
        "AuthType: AWS_IAM",
        "OriginAccessControlOriginType: lambda",
        "OriginAccessControlOriginType: s3",
        "AttributeName: ttl",
        "FACETHEORY_ISR_BUCKET",
        "FACETHEORY_CACHE_TABLE_NAME",
        "x-facetheory-original-uri",
        "OriginRequestPolicyId: b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "Type: AWS::CloudFront::CachePolicy",
        "ExpirationInDays: 9",
        "s3:DeleteObject",
        "Code: facetheory-site/bootstrap.zip",
        "{{resolve:secretsmanager:${SidecarSecret}:SecretString}}",
    ] {
        assert!(t.contains(needle), "template lacks {needle}");
    }
    // The template's behaviors are the plan's, in the same order.
    let in_template: Vec<&str> =
        t.lines().filter_map(|l| l.trim().strip_prefix("- PathPattern: '")).map(|l| l.trim_end_matches('\'')).collect();
    let in_plan: Vec<&str> = a.iter().map(|x| x["pathPattern"].as_str().unwrap()).filter(|p| *p != "default").collect();
    assert_eq!(in_template, in_plan);
}
