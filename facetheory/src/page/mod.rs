//! [`Page`]: what a face returns — the maud body plus head tags, status, headers, cookies, document attributes
//! and typed hydration data.

use std::borrow::Cow;
use std::future::Future;

use futures_core::Stream;
use http::{HeaderName, HeaderValue, StatusCode};
use maud::Markup;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::escape::safe_json;
use crate::head::{HeadTag, MetaAttr};

mod parts;

pub use parts::MarkupStream;
pub(crate) use parts::{PageBody, PageMore, PageParts};

/// A rendered page. `H` is the hydration payload type (`()` when the page does not hydrate).
///
/// ```
/// use facetheory::{head, html, Page};
/// #[derive(serde::Serialize)]
/// struct Counter { start: u32 }
/// let page = Page::new(html! { h1 { "Hello" } })
///     .title("Hello")
///     .head(head::meta("description", "A greeting"))
///     .header("cache-control", "private, no-store")
///     .lang("en-GB")
///     .hydrate(Counter { start: 3 }, "/assets/counter.js");
/// assert_eq!(page.status(), http::StatusCode::OK);
/// ```
#[derive(Debug)]
pub struct Page<H = ()> {
    /// Boxed: a page is handed along by value through every builder call and step; moving a pointer is free.
    pub(crate) parts: Box<PageParts>,
    hydration: Option<Hydration<H>>,
}

/// How a page's hydration payload reaches the browser.
#[derive(Debug)]
struct Hydration<H> {
    data: H,
    bootstrap: String,
    /// `None`: inline `__FACETHEORY_DATA__` script; `Some(url)`: fetched from this same-origin URL.
    data_url: Option<String>,
}

impl Page<()> {
    /// A page with this body (usually `html! { … }`; the markup is moved, not copied). For any other
    /// `maud::Render` value, pass `value.render()`.
    pub fn new(body: maud::Markup) -> Self {
        let parts = PageParts::with_body(PageBody::Markup(body.into_string()));
        Page { parts: Box::new(parts), hydration: None }
    }

    /// A page whose body is a stream of markup chunks, sent as they are produced (chunked locally, streamed
    /// on Lambda). The document head goes out with the first chunk: status and headers are final once the first
    /// chunk exists, so a failure before it is a clean 500; a failure after it ends the document with
    /// `<template data-facetheory-stream-error="true"></template>` (the error is logged, never shown).
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let chunks = futures_util::stream::iter([Ok(html! { h1 { "Hi" } }), Ok(html! { p { "later" } })]);
    /// let page = Page::stream(chunks);
    /// # let _ = page;
    /// ```
    pub fn stream<S>(chunks: S) -> Self
    where
        S: Stream<Item = Result<Markup>> + Send + 'static,
    {
        let parts = PageParts::with_body(PageBody::Stream(Box::pin(chunks)));
        Page { parts: Box::new(parts), hydration: None }
    }

    /// Time to first byte first: `shell` (and the whole head) is sent at once, `rest` when it resolves — load
    /// the page's data inside `rest`, not before returning the page.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let page = Page::deferred(html! { header { "Blog" } }, async {
    ///     let posts = vec!["a", "b"]; // e.g. a database query
    ///     Ok(html! { ul { @for p in posts { li { (p) } } } })
    /// });
    /// # let _ = page;
    /// ```
    pub fn deferred<F>(shell: Markup, rest: F) -> Self
    where
        F: Future<Output = Result<Markup>> + Send + 'static,
    {
        let first = futures_util::stream::once(async move { Ok(shell) });
        Self::stream(futures_util::StreamExt::chain(first, futures_util::stream::once(rest)))
    }
}

impl<H> Page<H> {
    /// The HTTP status (200 unless set).
    pub fn status(&self) -> StatusCode {
        self.parts.status.unwrap_or(StatusCode::OK)
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.parts.status = Some(status);
        self
    }

    /// Sets `<title>` (it wins over a title given through [`Page::head`]).
    pub fn title(mut self, title: impl AsRef<str>) -> Self {
        self.parts.head.set_title(title.as_ref());
        self
    }

    /// Adds a head tag, or the tags of a [`head!`](crate::head!) block (deduplicated and ordered as described
    /// in [`crate::head`]).
    ///
    /// ```
    /// use facetheory::{head, html, Page};
    /// let title = "Hello";
    /// let page = Page::new(html! {})
    ///     .head(head::charset("utf-8"))
    ///     .head(head! {
    ///         title { (title) " | Blog" }
    ///         meta name="description" content="Shell first, data later.";
    ///     });
    /// ```
    pub fn head(mut self, tags: impl crate::head::IntoHead) -> Self {
        let parts = &mut *self.parts;
        tags.add_to(&mut crate::head::HeadWriter { list: &mut parts.head, invalid: &mut parts.invalid });
        self
    }

    /// Adds `<meta name content>`: the tag [`head::meta`](crate::head::meta) makes, kept without a copy of its
    /// own (the text goes into one buffer the page owns).
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let summary = String::from("Shell first, data later.");
    /// let page = Page::new(html! {}).meta("author", "A. Writer").description(&summary);
    /// ```
    pub fn meta(mut self, name: impl Into<Cow<'static, str>>, content: impl AsRef<str>) -> Self {
        self.parts.head.meta(MetaAttr::Name, name.into(), content.as_ref());
        self
    }

    /// Adds `<meta property content>` (Open Graph style), as [`head::meta_property`](crate::head::meta_property).
    pub fn meta_property(mut self, property: impl Into<Cow<'static, str>>, content: impl AsRef<str>) -> Self {
        self.parts.head.meta(MetaAttr::Property, property.into(), content.as_ref());
        self
    }

    /// Adds `<meta name="description">`.
    pub fn description(self, text: impl AsRef<str>) -> Self {
        self.meta("description", text)
    }

    /// Adds `<link rel="canonical">`, as [`head::canonical`](crate::head::canonical). An href that is neither
    /// http(s) nor same-origin makes the page a 500 when served, with the problem in the log.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let page = Page::new(html! {}).canonical("https://blog.example/posts/hello");
    /// ```
    pub fn canonical(mut self, href: impl AsRef<str>) -> Self {
        let href = href.as_ref();
        if crate::head::is_http_or_relative(href) {
            self.parts.head.link("canonical".into(), href);
        } else {
            self.parts
                .invalid
                .get_or_insert_with(|| format!("canonical href must be an http(s) or same-origin URL, got {href:?}"));
        }
        self
    }

    /// Adds a JSON-LD block, as [`head::json_ld`](crate::head::json_ld) makes it, serialized straight into the
    /// page's head buffer. Data that does not serialize makes the page a 500 when served, with the reason in the
    /// log.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let page = Page::new(html! {}).json_ld(&serde_json::json!({"@type": "Article", "headline": "Hello"}));
    /// ```
    pub fn json_ld<T: Serialize + ?Sized>(mut self, data: &T) -> Self {
        if let Err(e) = self.parts.head.json_ld(data) {
            self.parts.invalid.get_or_insert_with(|| format!("JSON-LD data does not serialize: {e}"));
        }
        self
    }

    /// Adds the `og:*` metas [`head::open_graph`](crate::head::open_graph) makes, in the same order.
    pub fn open_graph(mut self, og: &crate::head::OpenGraph) -> Self {
        crate::head::open_graph_pairs(og, |key, value| self.parts.head.meta(MetaAttr::Property, key, value));
        self
    }

    /// Adds the `twitter:*` metas [`head::twitter_card`](crate::head::twitter_card) makes, in the same order.
    pub fn twitter_card(mut self, card: &crate::head::TwitterCard) -> Self {
        crate::head::twitter_card_pairs(card, |key, value| self.parts.head.meta(MetaAttr::Name, key, value));
        self
    }

    /// Adds several head tags.
    pub fn head_tags(mut self, tags: impl IntoIterator<Item = HeadTag>) -> Self {
        self.parts.head.extend(tags);
        self
    }

    /// Adds a response header (repeated names append). Invalid names or values make the page a 500 when
    /// served, with the problem in the log.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(n), Ok(v)) => {
                self.parts.more_mut().headers.append(n, v);
            }
            _ => {
                self.parts.invalid.get_or_insert_with(|| format!("invalid response header {name:?}: {value:?}"));
            }
        }
        self
    }

    /// Tags this page for on-demand revalidation (ISR faces; other modes ignore tags): revalidating the tag
    /// (`IsrRuntime::revalidate_tag`, or `POST /_facetheory/revalidate`) marks every cached page carrying it
    /// stale. Tags add to those of the `#[face(tags = [...])]` attribute; at most 256 characters each.
    ///
    /// ```
    /// use facetheory::{maud::html, Page};
    /// let page = Page::new(html! { "post" }).tag("post:hello").tag("posts");
    /// # let _ = page;
    /// ```
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.parts.more_mut().tags.push(tag.into());
        self
    }

    /// Lets other sites show this page in a frame. By default every page is sent with
    /// `x-frame-options: DENY` (clickjacking protection) unless it sets its own `x-frame-options`; strict pages
    /// also carry `frame-ancestors 'none'` in their CSP, which [`Page::csp_directive`] can widen.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let embeddable = Page::new(html! { "widget" }).allow_framing();
    /// # let _ = embeddable;
    /// ```
    pub fn allow_framing(mut self) -> Self {
        self.parts.more_mut().allow_framing = true;
        self
    }

    /// Adds a `set-cookie` value (`name=value; Path=/; HttpOnly`…).
    pub fn cookie(mut self, set_cookie: impl Into<String>) -> Self {
        self.parts.more_mut().cookies.push(set_cookie.into());
        self
    }

    /// Sets `<html lang>` (default `en`).
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.parts.more_mut().lang = Some(lang.into());
        self
    }

    /// Sets an attribute on `<html>`.
    pub fn html_attr(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.parts.more_mut().html_attrs.insert(name, crate::head::AttrValue::Text(value.into().into()));
        self
    }

    /// Sets an attribute on `<body>`.
    pub fn body_attr(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.parts.more_mut().body_attrs.insert(name, crate::head::AttrValue::Text(value.into().into()));
        self
    }

    /// Makes the page strict: no inline scripts, styles or raw head HTML; a `content-security-policy` header is
    /// attached (unless the page sets one). SSR pages get a per-request nonce on their script and style tags;
    /// SSG and ISR pages, whose HTML is shared, list their JSON-LD blocks by hash instead. Inline code in the
    /// head or the document makes the response a 500 (the reason is logged).
    pub fn strict_csp(self) -> Self {
        self.csp(crate::csp::CspPolicy::STRICT)
    }

    /// Sets the CSP policy (see [`crate::csp::CspPolicy`]).
    pub fn csp(mut self, policy: crate::csp::CspPolicy) -> Self {
        self.parts.csp = Some(policy);
        self
    }

    /// Adds sources to a directive of the strict header (`csp_directive("img-src", &["https://cdn.example"])`).
    pub fn csp_directive(mut self, name: &str, values: &[&str]) -> Self {
        self.parts.more_mut().csp_directives.push((name.to_string(), values.iter().map(|v| v.to_string()).collect()));
        self
    }

    /// Attaches typed hydration data and the module that hydrates the page (an empty `bootstrap_module` emits
    /// the data only). Rendered as FaceTheory does:
    /// `<script id="__FACETHEORY_DATA__" type="application/json">…</script>` then `<script type="module" src>`.
    pub fn hydrate<T: Serialize>(self, data: T, bootstrap_module: impl Into<String>) -> Page<T> {
        Page {
            parts: self.parts,
            hydration: Some(Hydration { data, bootstrap: bootstrap_module.into(), data_url: None }),
        }
    }

    /// Like [`Page::hydrate`], but the payload is fetched from `data_url` (a same-origin URL the app serves, e.g.
    /// a resource route) instead of being inlined — what strict-CSP pages use:
    /// `<link href="…" id="__FACETHEORY_DATA_URL__" rel="facetheory-hydration" type="application/json">` then the
    /// module script. The typed data stays on the page for build steps that write it out.
    pub fn hydrate_external<T: Serialize>(
        self,
        data: T,
        data_url: impl Into<String>,
        bootstrap_module: impl Into<String>,
    ) -> Page<T> {
        Page {
            parts: self.parts,
            hydration: Some(Hydration { data, bootstrap: bootstrap_module.into(), data_url: Some(data_url.into()) }),
        }
    }

    /// The hydration payload, if any.
    pub fn hydration_data(&self) -> Option<&H> {
        self.hydration.as_ref().map(|h| &h.data)
    }
}

impl<H: Serialize> Page<H> {
    /// Serializes the hydration payload into head tags; the page type no longer depends on `H`.
    pub fn into_erased(mut self) -> Result<ErasedPage> {
        let mut hydration_tags = crate::hydration::HydrationTags::default();
        // The page's modules, with its islands' entries first when it has islands.
        let mut entries = std::mem::take(&mut self.parts.modules);
        if let Some(more) = self.parts.more_if_set() {
            if let Some(payload) = crate::island::payload(&more.islands) {
                if self.hydration.is_some() {
                    return Err(Error::msg("a page hydrates with islands or with Page::hydrate, not both"));
                }
                let json =
                    safe_json(&payload).map_err(|e| Error::msg(format!("island data does not serialize: {e}")))?;
                hydration_tags.push_inline_data(json);
            }
            entries = crate::island::take_entries(&mut more.islands, entries);
        }
        if let Some(Hydration { data, bootstrap, data_url }) = self.hydration {
            if !bootstrap.is_empty() && !bootstrap_is_safe(&bootstrap) {
                return Err(Error::msg(format!(
                    "hydration bootstrap module must be an http(s) or same-origin URL, got {bootstrap:?}"
                )));
            }
            match data_url {
                None => {
                    let json =
                        safe_json(&data).map_err(|e| Error::msg(format!("hydration data does not serialize: {e}")))?;
                    hydration_tags.push_inline_data(json);
                }
                Some(url) => {
                    if !bootstrap_is_safe(&url) {
                        return Err(Error::msg(format!(
                            "external hydration dataUrl must be an http(s) or same-origin URL, got {url:?}"
                        )));
                    }
                    hydration_tags.push_data_link(url);
                }
            }
            if !bootstrap.is_empty() {
                hydration_tags.push_module(bootstrap);
            }
        }
        Ok(ErasedPage { parts: self.parts, hydration_tags, entries })
    }
}

fn bootstrap_is_safe(url: &str) -> bool {
    crate::head::is_http_or_relative(url)
}

/// A page whose hydration payload has been serialized (what the route table stores).
#[derive(Debug)]
pub struct ErasedPage {
    pub(crate) parts: Box<PageParts>,
    pub(crate) hydration_tags: crate::hydration::HydrationTags,
    /// The Vite entries of the page's islands and modules, resolved by the render step.
    pub(crate) entries: Vec<crate::island::Entry>,
}

/// What a face function may return: `Page<H>`, `Option<Page<H>>` (`None` is the 404 page), a [`Redirect`](crate::Redirect),
/// or a `Result` of those with `E: Into<facetheory::Error>` — `Result<Page, Redirect>` for a page that
/// sometimes redirects.
#[diagnostic::on_unimplemented(
    message = "a face must return `Page<H>`, `Option<Page<H>>`, `Redirect` or a `Result` of those, not `{Self}`",
    note = "build the page with `facetheory::Page::new(html! {{ … }})`"
)]
pub trait IntoFaceResult {
    /// Converts into the erased form.
    fn into_face_result(self) -> Result<ErasedPage>;
}

impl<H: Serialize> IntoFaceResult for Page<H> {
    fn into_face_result(self) -> Result<ErasedPage> {
        self.into_erased()
    }
}

impl<H: Serialize> IntoFaceResult for Option<Page<H>> {
    fn into_face_result(self) -> Result<ErasedPage> {
        self.ok_or_else(Error::not_found)?.into_erased()
    }
}

impl IntoFaceResult for crate::Redirect {
    fn into_face_result(self) -> Result<ErasedPage> {
        Err(self.into())
    }
}

impl<P: IntoFaceResult, E: Into<Error>> IntoFaceResult for std::result::Result<P, E> {
    fn into_face_result(self) -> Result<ErasedPage> {
        self.map_err(Into::into)?.into_face_result()
    }
}
