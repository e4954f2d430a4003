//! Hydration: how a page's typed payload reaches the browser, and the one home of its markers.
//!
//! A page's payload is serialized into an inline `<script id="__FACETHEORY_DATA__" type="application/json">`
//! ([`Page::hydrate`](crate::Page::hydrate)) or referenced by a
//! `<link id="__FACETHEORY_DATA_URL__" rel="facetheory-hydration">` ([`Page::hydrate_external`](crate::Page::hydrate_external)).
//! Strict-CSP pages may not inline it; the render step then moves the data to where the page's mode keeps it
//! (the render plan's transport):
//!
//! | transport | where the data goes | who serves it |
//! |---|---|---|
//! | SSR sidecar | a signed, expiring blob ([`SsrSidecars`]) | the app, under `/_facetheory/ssr-data/` |
//! | ISR sidecar | beside the ISR generation's HTML | the app, on the page URL with a query marker |
//! | SSG file | `_facetheory/data/<path>.json` beside the HTML | S3 (and the app when serving locally) |
//!
//! ```
//! assert_eq!(facetheory::hydration::ssg_data_path("/"), "_facetheory/data/index.json");
//! assert_eq!(facetheory::hydration::ssg_data_path("/blog/hello/"), "_facetheory/data/blog/hello.json");
//! ```

mod isr;
mod ssg;
mod ssr;
#[cfg(test)]
mod ssr_tests;
mod tags;

use bytes::Bytes;

use crate::head::{Attrs, HeadTag};

pub(crate) use isr::{isr_data_url, HYDRATION_PARAM};
pub use ssg::ssg_data_path;
pub(crate) use ssg::{page_of_data_path, SSG_DATA_PREFIX};
pub use ssr::{Rejection, SidecarError, SsrSidecars, DEFAULT_DATA_URL_PREFIX, DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS};
pub(crate) use tags::HydrationTags;

/// `id` of the inline hydration data script.
pub const DATA_SCRIPT_ID: &str = "__FACETHEORY_DATA__";
/// `id` of the link that points at hydration data served elsewhere.
pub const DATA_LINK_ID: &str = "__FACETHEORY_DATA_URL__";
/// `rel` of that link.
pub const DATA_LINK_REL: &str = "facetheory-hydration";

/// Where a strict page's hydration data goes when it may not be inlined (chosen by the render plan).
#[derive(Clone, Copy)]
pub(crate) enum Transport<'a> {
    /// Stays inline (non-strict pages, or no sidecar store for SSR).
    Inline,
    /// A signed SSR sidecar.
    SsrSidecar(&'a SsrSidecars),
    /// Beside the ISR generation being rendered; the value of its hydration query parameter.
    IsrSidecar(&'a str),
    /// The SSG data file.
    SsgFile,
}

/// The inline data script.
pub(crate) fn inline_data(json: String) -> HeadTag {
    HeadTag::Script { attrs: Attrs::new().set("id", DATA_SCRIPT_ID).set("type", "application/json"), body: json }
}

/// The link to data served at `url`.
pub(crate) fn data_link(url: String) -> HeadTag {
    HeadTag::Link(
        Attrs::new().set("href", url).set("id", DATA_LINK_ID).set("rel", DATA_LINK_REL).set("type", "application/json"),
    )
}

/// True for a non-empty inline data script.
pub(crate) fn is_inline_data(tag: &HeadTag) -> bool {
    matches!(tag, HeadTag::Script { attrs, body } if attrs.get("id") == Some(DATA_SCRIPT_ID) && !body.is_empty())
}

/// Takes the inline data (its JSON) out of the tags and puts a link to `url_for(json)` in its place; `None`
/// when the page has no inline data.
pub(crate) async fn externalize<F, Fut, E>(tags: &mut [HeadTag], url_for: F) -> Result<Option<Bytes>, E>
where
    F: FnOnce(Bytes) -> Fut,
    Fut: std::future::Future<Output = Result<String, E>>,
{
    let Some(tag) = tags.iter_mut().find(|t| is_inline_data(t)) else { return Ok(None) };
    let HeadTag::Script { body, .. } = tag else { return Ok(None) };
    let data = Bytes::from(std::mem::take(body));
    let url = url_for(data.clone()).await?;
    *tag = data_link(url);
    Ok(Some(data))
}
