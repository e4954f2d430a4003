//! The link check after `build`: a planted broken link fails the build naming page and link; links to written
//! pages, routes, assets and framework files pass; `--links warn` only lists them.

use std::path::PathBuf;

use facetheory::ssg::{build, BrokenLink, BuildOptions, LinkCheck};

mod faces {
    use facetheory::prelude::*;

    #[face(route = "/guide/<topic>", mode = "ssg", params = topics)]
    pub fn guide(topic: String) -> Page {
        Page::new(html! {
            nav { a href="/" { "home" } a href="/guide/intro" { "intro" } a href="next" { "relative, built" } }
            a href="/search?q=x#results" { "an SSR route, with query and fragment" }
            a href="/api/items" { "a resource" }
            a href="https://example.com/elsewhere" { "another origin" }
            a href="mailto:someone@example.com" { "mail" }
            a href="#top" { "this page" }
            img src="/assets/logo.svg" alt="";
            script src="/_facetheory/runtime/missing.js" {}
            a href="/nope" { "planted" }
            a href="/guide/unbuilt" { "an SSG path the build did not write" }
            img src="../missing.png" srcset="/assets/logo.svg 1x, /assets/logo@2x.svg 2x" alt="";
            form action="/nowhere" method="post" { button { "send" } }
            p { (topic) }
        })
    }

    pub async fn topics() -> Result<Vec<GuideParams>> {
        Ok(vec![GuideParams { topic: "intro".into() }, GuideParams { topic: "next".into() }])
    }

    #[face(route = "/", mode = "ssg")]
    pub fn home() -> Page {
        Page::new(html! { a href="/guide/intro" { "guide" } })
    }

    #[face(route = "/search")]
    pub fn search() -> Page {
        Page::new(html! { "results" })
    }

    #[resource(route = "/api/items", methods = ["GET"])]
    pub fn items() -> ResourceResponse {
        ResourceResponse::text("[]")
    }
}

fn app(assets: &std::path::Path) -> facetheory::App {
    facetheory::App::builder()
        .routes(facetheory::routes![faces::guide, faces::home, faces::search, faces::items])
        .static_dir("/assets", assets)
        .build()
        .unwrap()
}

fn dirs(name: &str) -> (PathBuf, PathBuf) {
    let base = std::env::temp_dir().join(format!("facetheory-links-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let assets = base.join("assets");
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(assets.join("logo.svg"), "<svg/>").unwrap();
    (base.join("out"), assets)
}

#[tokio::test]
async fn broken_links_are_listed_by_page_and_fail_the_build() {
    let (out, assets) = dirs("error");
    let report = build(&app(&assets), &BuildOptions::new(&out)).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let found: Vec<(String, String, String)> = report
        .broken_links
        .iter()
        .map(|BrokenLink { page, url, at }| (page.clone(), url.clone(), at.clone()))
        .collect();
    let mut expected = Vec::new();
    for page in ["/guide/intro", "/guide/next"] {
        for (url, at) in [
            ("/_facetheory/runtime/missing.js", "<script src>"),
            ("/nope", "<a href>"),
            ("/guide/unbuilt", "<a href>"),
            ("../missing.png", "<img src>"),
            ("/assets/logo@2x.svg", "<img srcset>"),
            ("/nowhere", "<form action>"),
        ] {
            expected.push((page.to_string(), url.to_string(), at.to_string()));
        }
    }
    assert_eq!(found, expected);
    assert!(!report.succeeded(LinkCheck::Error));
    assert!(report.succeeded(LinkCheck::Warn), "warn lists them but the build succeeds");
    assert_eq!(report.broken_links[1].to_string(), "- /guide/intro → /nope (<a href>)");
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[tokio::test]
async fn the_check_can_be_turned_off() {
    let (out, assets) = dirs("off");
    let mut opts = BuildOptions::new(&out);
    opts.links = LinkCheck::Off;
    let report = build(&app(&assets), &opts).await.unwrap();
    assert!(report.broken_links.is_empty());
    assert!(report.succeeded(LinkCheck::Off));
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}
