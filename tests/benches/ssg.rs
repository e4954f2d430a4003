//! SSG build figures (printed, never asserted): pages/s for `build` on a generated 1,000-page site (full build,
//! concurrency 1 and 4), and the incremental rebuild time when one page changes, next to a full rebuild of the
//! same site in the same run (ratio).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use facetheory::ssg::{build, BuildOptions};

/// Bumped to change the content of page 500 only.
static EDITION: AtomicU64 = AtomicU64::new(0);

mod site {
    use facetheory::prelude::*;

    #[face(route = "/pages/<n>", mode = "ssg", params = numbers)]
    pub fn page(n: String) -> Page {
        let edition = if n == "500" { super::EDITION.load(std::sync::atomic::Ordering::SeqCst) } else { 0 };
        Page::new(html! {
            main {
                h1 { "Page " (n) }
                @for i in 0..40 { p { "Paragraph " (i) " of page " (n) ", edition " (edition) ": text & <escapes>." } }
            }
        })
        .title(format!("Page {n}"))
        .head(head::meta("description", "A generated page"))
    }

    pub async fn numbers() -> Vec<PageParams> {
        (0..1000).map(|n| PageParams { n: n.to_string() }).collect()
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let app = facetheory::App::builder().route(&site::__FACETHEORY_ROUTE_page).build().unwrap();
    let out = std::env::temp_dir().join(format!("facetheory-ssg-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    rt.block_on(async {
        let mut full = f64::MAX;
        for concurrency in [1, 4] {
            let opts = BuildOptions { concurrency, ..BuildOptions::new(&out) };
            let mut best = f64::MAX;
            for _ in 0..3 {
                let t = Instant::now();
                let r = build(&app, &opts).await.unwrap();
                assert_eq!(r.pages.len(), 1000);
                best = best.min(t.elapsed().as_secs_f64());
            }
            full = full.min(best);
            println!("full build, 1,000 pages, concurrency {concurrency}: {best:.3} s = {:.0} pages/s", 1000.0 / best);
        }
        let incremental = BuildOptions { incremental: true, ..BuildOptions::new(&out) };
        let mut best = f64::MAX;
        for _ in 0..3 {
            EDITION.fetch_add(1, Ordering::SeqCst);
            let t = Instant::now();
            let r = build(&app, &incremental).await.unwrap();
            assert_eq!((r.written, r.skipped.len()), (1, 999));
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "incremental rebuild, one page changed: {:.3} s ({:.2}x the full build; every page is rendered, one written)",
            best,
            best / full
        );
    });
    let _ = std::fs::remove_dir_all(&out);
}
