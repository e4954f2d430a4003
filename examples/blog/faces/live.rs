use std::time::Duration;

use facetheory::prelude::*;

use crate::layout;

/// `/live`: time to first byte first. The head and the page shell go out at once; each section follows when its
/// (simulated, 100 ms) data load finishes. `?fail=1` makes the last section fail after the response started,
/// which ends the document with FaceTheory's stream-error marker.
#[face]
pub fn live(ctx: &FaceContext) -> Page {
    let fail = ctx.query().get("fail") == Some("1");
    let sections = futures_util::stream::unfold(0u32, move |i| async move {
        if i == 0 {
            return Some((Ok(html! { h1 { "Live" } p { "The shell arrives first; sections stream in." } }), 1));
        }
        if i > 3 {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if fail && i == 3 {
            return Some((Err(Error::msg("section 3 data source failed")), 4));
        }
        Some((Ok(html! { section.streamed data-section=(i) { h2 { "Section " (i) } p { "Loaded after " (i * 100) " ms." } } }), i + 1))
    });
    layout::streamed("Live", sections)
}
