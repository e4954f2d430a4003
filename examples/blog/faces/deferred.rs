use std::time::Duration;

use facetheory::prelude::*;

use crate::layout;

/// `/deferred`: out-of-order streaming under strict CSP. The shell and three fallbacks leave at once; the
/// sections load in 400, 50 and 200 ms and stream in that completion order (50, 200, 400), each swapped into
/// its slot by facetheory's same-origin module — no inline script. Without JavaScript they appear after the
/// shell, in the order they finished. `?fail=1` makes the 200 ms section fail: its fallback stays, marked.
#[face]
pub fn deferred(ctx: &FaceContext) -> Page {
    let fail = ctx.query().get("fail") == Some("1");
    let page = Page::with_sections(|s| {
        let slow = s.defer(loading("slow"), section("slow", 400, false));
        let fast = s.defer(loading("fast"), section("fast", 50, false));
        let middle = s.defer(loading("middle"), section("middle", 200, fail));
        layout::frame(html! {
            h1 { "Deferred sections" }
            p { "The shell arrives first; each section streams in when its data is ready." }
            (slow) (fast) (middle)
        })
    });
    layout::dress(page, "Deferred").strict_csp()
}

fn loading(name: &str) -> Markup {
    html! { p.loading data-fallback=(name) { "Loading the " (name) " section…" } }
}

async fn section(name: &'static str, ms: u64, fail: bool) -> Result<Markup> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    if fail {
        return Err(Error::msg(format!("the {name} data source failed")));
    }
    Ok(html! { section.deferred data-section=(name) { h2 { (name) } p { "Loaded after " (ms) " ms." } } })
}
