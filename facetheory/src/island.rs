//! Islands: interactive parts of a page, each a Vite entry with its own typed payload and mount point. A page
//! may carry several; their payloads travel together as the page's hydration data (`{"islands": {id: data}}`),
//! so every transport — inline, SSR sidecar, ISR sidecar, SSG file — carries them unchanged. The render step
//! resolves each entry against the app's Vite manifest ([`AppBuilder::vite`](crate::AppBuilder::vite)) into
//! its modulepreload/stylesheet tags and module script.
//!
//! ```
//! use facetheory::{html, Island, Page};
//! #[derive(serde::Serialize)]
//! struct Counter { start: i32 }
//! let likes = Island::new("src/counter.ts", Counter { start: 3 });
//! let page = Page::new(html! { article { (likes.mount(html! { button { "Likes: 3" } })) } }).island(likes);
//! # let _ = page;
//! ```

use std::borrow::Cow;

use maud::{Markup, PreEscaped, Render};
use serde::Serialize;

use crate::escape::escape_html_into;
use crate::page::Page;

/// Most islands (with modules) on one page.
pub const MAX_ISLANDS: usize = 64;

/// An island: a Vite entry (`src/counter.ts`), the id of its mount point, and its payload.
#[derive(Debug)]
pub struct Island {
    pub(crate) entry: Entry,
    pub(crate) id: String,
    pub(crate) data: Result<serde_json::Value, String>,
}

/// A Vite entry a page uses (a manifest key): borrowed when written as a literal, as entries usually are.
pub(crate) type Entry = Cow<'static, str>;

impl Island {
    /// An island of `entry` (a key of the Vite manifest) with its payload. Its id is the entry's file stem
    /// (`src/counter.ts` → `counter`); give a second island of the same entry on a page its own [`Island::id`].
    pub fn new(entry: impl Into<Cow<'static, str>>, data: impl Serialize) -> Island {
        let entry = entry.into();
        let stem = entry.rsplit('/').next().unwrap_or_default();
        let id = stem.split('.').next().unwrap_or(stem).to_string();
        let data =
            serde_json::to_value(data).map_err(|e| format!("island {entry}: the payload does not serialize: {e}"));
        Island { entry, id, data }
    }

    /// Sets the id (unique on the page; letters, digits, `-` and `_`).
    pub fn id(mut self, id: impl Into<String>) -> Island {
        self.id = id.into();
        self
    }

    /// The mount point around the island's server-rendered markup:
    /// `<div data-facetheory-island="<id>" data-facetheory-entry="<entry>">…</div>`. The client's
    /// `hydrateIslands(entry, …)` finds it and hands it its payload.
    pub fn mount(&self, content: impl Render) -> Markup {
        let mut out = String::from("<div data-facetheory-island=\"");
        escape_html_into(&mut out, &self.id);
        out.push_str("\" data-facetheory-entry=\"");
        escape_html_into(&mut out, &self.entry);
        out.push_str("\">");
        content.render_to(&mut out);
        out.push_str("</div>");
        PreEscaped(out)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl<H> Page<H> {
    /// Adds an island: its payload joins the page's hydration data under its id, and its entry's module and
    /// preload/stylesheet tags join the head. A page uses islands or [`Page::hydrate`], not both.
    pub fn island(mut self, island: Island) -> Self {
        let problem = match &island.data {
            Err(e) => Some(e.clone()),
            Ok(_) if !valid_id(&island.id) => Some(format!("island id {:?} must be 1-64 of [A-Za-z0-9_-]", island.id)),
            Ok(_) if self.parts.more().is_some_and(|m| m.islands.iter().any(|i| i.id == island.id)) => {
                Some(format!("two islands on the page have the id {:?}: give one its own with Island::id", island.id))
            }
            Ok(_) if self.island_count() >= MAX_ISLANDS => {
                Some(format!("a page may have at most {MAX_ISLANDS} islands and modules"))
            }
            Ok(_) => None,
        };
        match problem {
            Some(p) => self.parts.invalid = Some(p),
            None => self.parts.more_mut().islands.push(island),
        }
        self
    }

    /// Adds a Vite entry with no payload (e.g. a form transport or analytics): its module and
    /// preload/stylesheet tags join the head.
    pub fn module(mut self, entry: impl Into<Cow<'static, str>>) -> Self {
        let entry = entry.into();
        if self.island_count() >= MAX_ISLANDS {
            self.parts.invalid = Some(format!("a page may have at most {MAX_ISLANDS} islands and modules"));
        } else if !self.parts.modules.contains(&entry) {
            self.parts.modules.push(entry);
        }
        self
    }

    /// Islands and modules on the page so far.
    fn island_count(&self) -> usize {
        self.parts.more().map_or(0, |m| m.islands.len()) + self.parts.modules.len()
    }
}

/// The page's island payload (`{"islands": {id: data}}`), if it has islands.
pub(crate) fn payload(islands: &[Island]) -> Option<serde_json::Value> {
    if islands.is_empty() {
        return None;
    }
    let map: serde_json::Map<String, serde_json::Value> =
        islands.iter().map(|i| (i.id.clone(), i.data.clone().unwrap_or(serde_json::Value::Null))).collect();
    Some(serde_json::json!({ "islands": map }))
}

/// Every entry the page needs, islands first, each once, in order: moved out of the page, which keeps none
/// (at most [`MAX_ISLANDS`], so the check for repeats stays small).
pub(crate) fn take_entries(islands: &mut Vec<Island>, modules: Vec<Entry>) -> Vec<Entry> {
    if islands.is_empty() {
        // `Page::module` keeps each entry once: the page's list is the answer, moved without a copy.
        return modules;
    }
    let mut out: Vec<Entry> = Vec::with_capacity(islands.len() + modules.len());
    for e in islands.drain(..).map(|i| i.entry).chain(modules) {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}
