//! Out-of-order deferred sections: the shell streams first with a fallback in each slot; each section streams
//! when its future resolves, in completion order, and a same-origin module (no inline script, so strict CSP
//! holds) moves it into its slot. Without JavaScript the sections stay where they arrive, after the shell.
//!
//! On the wire, a slot is `<facetheory-slot id="ft-s0">fallback</facetheory-slot>` and a section
//! `<facetheory-section for="ft-s0">…</facetheory-section><facetheory-section-end for="ft-s0"></facetheory-section-end>`
//! (the end marker tells the module the parser has finished the section). A failed section is sent as
//! `<facetheory-section for="ft-s0" data-facetheory-error>` with no content: the fallback stays, the error is
//! logged with the request id, never sent.

use std::future::Future;
use std::sync::LazyLock;

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use maud::{Markup, PreEscaped, Render};

use crate::page::{Page, PageBody};

/// The most sections one page may declare.
pub const MAX_SECTIONS: usize = 256;

/// Where the framework's client modules are served (`Reserved::Runtime`; `build` writes them there too).
pub(crate) const RUNTIME_PREFIX: &str = "/_facetheory/runtime";

/// The swap module.
pub(crate) const MODULE_SOURCE: &str = include_str!("sections.js");

/// `sections-<digest>.js`: named by content, so it can be cached as immutable.
pub(crate) static MODULE_FILE: LazyLock<String> =
    LazyLock::new(|| format!("sections-{}.js", &crate::digest::sha256_hex(MODULE_SOURCE.as_bytes())[..12]));

/// The module's URL path.
pub(crate) fn module_path() -> String {
    format!("{RUNTIME_PREFIX}/{}", *MODULE_FILE)
}

/// The deferred sections of one page, handed to the closure of [`Page::with_sections`].
pub struct Sections {
    pending: Vec<(String, BoxFuture<'static, crate::Result<Markup>>)>,
    too_many: bool,
}

/// Where a deferred section goes: renders its fallback inside a `<facetheory-slot>` (use it in `html!`).
pub struct Slot {
    id: String,
    fallback: Markup,
}

impl Render for Slot {
    fn render_to(&self, buf: &mut String) {
        buf.push_str("<facetheory-slot id=\"");
        buf.push_str(&self.id);
        buf.push_str("\">");
        buf.push_str(&self.fallback.0);
        buf.push_str("</facetheory-slot>");
    }
}

impl Sections {
    /// Declares a section: `fallback` is shown until `content` resolves (load the data inside `content`). The
    /// returned [`Slot`] marks where it goes.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let page = Page::with_sections(|s| {
    ///     let stats = s.defer(html! { p { "Loading stats…" } }, async { Ok(html! { p { "42 visits" } }) });
    ///     html! { main { h1 { "Dashboard" } (stats) } }
    /// });
    /// # let _ = page;
    /// ```
    pub fn defer<F>(&mut self, fallback: Markup, content: F) -> Slot
    where
        F: Future<Output = crate::Result<Markup>> + Send + 'static,
    {
        let id = format!("ft-s{}", self.pending.len());
        if self.pending.len() >= MAX_SECTIONS {
            self.too_many = true;
            return Slot { id, fallback };
        }
        self.pending.push((id.clone(), Box::pin(content)));
        Slot { id, fallback }
    }
}

/// A section that failed: recognised by the document tail, which logs it and keeps the rest streaming.
#[derive(Debug, thiserror::Error)]
#[error("deferred section {id} failed: {error}")]
pub(crate) struct SectionFailed {
    pub(crate) id: String,
    pub(crate) error: crate::Error,
}

/// What a failed section sends: nothing of the error, and the fallback stays.
pub(crate) fn failed_markup(id: &str) -> String {
    format!("<facetheory-section for=\"{id}\" data-facetheory-error></facetheory-section><facetheory-section-end for=\"{id}\"></facetheory-section-end>")
}

fn section_markup(id: &str, content: &str) -> Markup {
    PreEscaped(format!(
        "<facetheory-section for=\"{id}\">{content}</facetheory-section><facetheory-section-end for=\"{id}\"></facetheory-section-end>"
    ))
}

impl Page<()> {
    /// A streamed page with out-of-order sections: `build` returns the shell, placing the [`Slot`]s that
    /// [`Sections::defer`] hands out. The head and shell (with every fallback) leave at once; each section
    /// follows when its future resolves, in completion order, and is swapped into its slot by a small
    /// same-origin module (`/_facetheory/runtime/sections-….js`, added to the head) — no inline script, so it
    /// works under strict CSP. A failing section keeps its fallback; its error is logged, never sent.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let page = Page::with_sections(|s| {
    ///     let slow = s.defer(html! { p { "Loading…" } }, async { Ok(html! { p { "Slow data" } }) });
    ///     let fast = s.defer(html! { p { "Loading…" } }, async { Ok(html! { p { "Fast data" } }) });
    ///     html! { main { (slow) (fast) } }
    /// });
    /// # let _ = page;
    /// ```
    pub fn with_sections(build: impl FnOnce(&mut Sections) -> Markup) -> Self {
        let mut sections = Sections { pending: Vec::new(), too_many: false };
        let shell = build(&mut sections);
        let Sections { pending, too_many } = sections;
        if pending.is_empty() {
            return Page::new(shell);
        }
        let unordered: FuturesUnordered<_> = pending
            .into_iter()
            .map(|(id, content)| async move {
                let result = match crate::unwind::catch(content).await {
                    Ok(result) => result,
                    Err(panic) => Err(crate::Error::msg(format!("the section panicked: {panic}"))),
                };
                match result {
                    Ok(markup) => Ok(section_markup(&id, &markup.0)),
                    Err(error) => Err(crate::Error::from(SectionFailed { id, error })),
                }
            })
            .collect();
        let first = futures_util::stream::once(async move { Ok(shell) });
        let mut page = Page::stream(first.chain(unordered));
        page.parts.head.push(crate::head::HeadTag::Script {
            attrs: crate::head::Attrs::new().set("src", module_path()).set("type", "module").set("async", ""),
            body: String::new(),
        });
        if too_many {
            page.parts.invalid = Some(format!("a page may declare at most {MAX_SECTIONS} deferred sections"));
        }
        page
    }
}

/// A placeholder for the content inside [`Page::within`]'s frame.
pub struct Hole(());

const HOLE: &str = "<!--facetheory:hole-->";

impl Render for Hole {
    fn render_to(&self, buf: &mut String) {
        buf.push_str(HOLE);
    }
}

impl<H> Page<H> {
    /// Puts the page's body inside a frame (a layout) — for a streamed body too, without unbalanced
    /// `PreEscaped("<main>")` pairs: the frame before the [`Hole`] goes out with the first chunk, the part
    /// after it once the stream has ended. The frame must place the hole exactly once.
    ///
    /// ```
    /// use facetheory::{html, Page};
    /// let chunks = futures_util::stream::iter([Ok(html! { p { "one" } }), Ok(html! { p { "two" } })]);
    /// let page = Page::stream(chunks).within(|body| html! { header { "Site" } main { (body) } footer { "©" } });
    /// # let _ = page;
    /// ```
    pub fn within(mut self, frame: impl FnOnce(Hole) -> Markup) -> Self {
        let framed = frame(Hole(())).into_string();
        let mut parts = framed.splitn(3, HOLE);
        let (before, after) = match (parts.next(), parts.next(), parts.next()) {
            (Some(before), Some(after), None) => (before.to_string(), after.to_string()),
            _ => {
                self.parts.invalid = Some("Page::within: the frame must place its content exactly once".into());
                return self;
            }
        };
        self.parts.body = frame_body(std::mem::take(&mut self.parts.body), before, after);
        self
    }
}

enum Frame {
    Start { chunks: crate::page::MarkupStream, before: String, after: String },
    Rest { chunks: crate::page::MarkupStream, after: String },
    Done,
}

fn frame_body(body: PageBody, before: String, after: String) -> PageBody {
    let chunks = match body {
        PageBody::Markup(inner) => return PageBody::Markup(format!("{before}{inner}{after}")),
        PageBody::Stream(chunks) => chunks,
    };
    // The frame's opening joins the first chunk, so the page's first content still decides when the response
    // starts (a failure before it is still a clean 500); its closing follows the last chunk.
    let stream = futures_util::stream::unfold(Frame::Start { chunks, before, after }, |state| async move {
        match state {
            Frame::Start { mut chunks, mut before, after } => match chunks.next().await {
                Some(Ok(first)) => {
                    before.push_str(&first.0);
                    Some((Ok(PreEscaped(before)), Frame::Rest { chunks, after }))
                }
                Some(Err(e)) => Some((Err(e), Frame::Rest { chunks, after })),
                None => Some((Ok(PreEscaped(before + &after)), Frame::Done)),
            },
            Frame::Rest { mut chunks, after } => match chunks.next().await {
                Some(item) => Some((item, Frame::Rest { chunks, after })),
                None => Some((Ok(PreEscaped(after)), Frame::Done)),
            },
            Frame::Done => None,
        }
    });
    PageBody::Stream(Box::pin(stream))
}
