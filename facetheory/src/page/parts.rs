//! What a page is made of, apart from its hydration payload: the body, the head, and the parts most pages leave
//! empty, kept in a box of their own.

use std::pin::Pin;

use futures_core::Stream;
use http::{HeaderMap, StatusCode};
use maud::Markup;

use crate::error::Result;
use crate::head::Attrs;

/// A streamed page body: chunks of markup, sent as they are produced. An `Err` after the first chunk ends the
/// document with an error marker; an `Err` as the first chunk makes the response a 500.
pub type MarkupStream = Pin<Box<dyn Stream<Item = Result<Markup>> + Send + 'static>>;

/// The body of a page: rendered markup, or a stream of markup chunks.
pub(crate) enum PageBody {
    Markup(String),
    Stream(MarkupStream),
}

impl Default for PageBody {
    fn default() -> Self {
        PageBody::Markup(String::new())
    }
}

impl std::fmt::Debug for PageBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageBody::Markup(m) => f.debug_tuple("Markup").field(&m.len()).finish(),
            PageBody::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// Everything of a page except its hydration payload.
#[derive(Debug, Default)]
pub(crate) struct PageParts {
    pub body: PageBody,
    pub status: Option<StatusCode>,
    pub head: crate::head::HeadList,
    /// Problems found while building (bad header names…), reported as a 500 when the page is served.
    pub invalid: Option<String>,
    /// Strict CSP policy, when the page opts in (or the app sets one for every page).
    pub csp: Option<crate::csp::CspPolicy>,
    /// Entries without a payload (a Vite site's stylesheet entry is on nearly every page): here, not in the
    /// box, so such a page does not make the box for them.
    pub modules: Vec<crate::island::Entry>,
    /// What most pages never set, kept apart: making and dropping a page touches seven fields, not fifteen,
    /// which is code every request runs.
    more: Option<Box<PageMore>>,
}

/// The parts of a page most pages leave empty ([`PageParts::more`]).
#[derive(Debug, Default)]
pub(crate) struct PageMore {
    pub headers: HeaderMap,
    pub cookies: Vec<String>,
    pub lang: Option<String>,
    pub html_attrs: Attrs,
    pub body_attrs: Attrs,
    /// Extra CSP directives (appended to the strict header).
    pub csp_directives: Vec<(String, Vec<String>)>,
    /// Cache tags (ISR on-demand revalidation).
    pub tags: Vec<String>,
    /// Other sites may show the page in a frame (no `x-frame-options: DENY`).
    pub allow_framing: bool,
    /// Islands (entry, mount id, payload), in the order added.
    pub islands: Vec<crate::island::Island>,
}

impl PageParts {
    /// A page of this body and nothing else yet.
    pub(crate) fn with_body(body: PageBody) -> Self {
        PageParts { body, ..Default::default() }
    }

    /// The rarely set parts, if the page set any.
    pub(crate) fn more(&self) -> Option<&PageMore> {
        self.more.as_deref()
    }

    /// The rarely set parts to change, made when first needed.
    pub(crate) fn more_mut(&mut self) -> &mut PageMore {
        self.more.get_or_insert_with(Box::default)
    }

    /// The rarely set parts to change, if the page set any.
    pub(crate) fn more_if_set(&mut self) -> Option<&mut PageMore> {
        self.more.as_deref_mut()
    }
}
