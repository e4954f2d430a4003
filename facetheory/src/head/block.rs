//! Head tags written with the [`head!`](crate::head!) macro: checked at compile time, their literal text
//! escaped, their attributes ordered and their deduplication keys fingerprinted there too. At run time a tag
//! is its description (a `static`) plus the text of its `(expressions)`; it renders, deduplicates and
//! becomes a [`HeadTag`] (for the steps that edit tags) exactly as the same tag built at run time would.

use super::list::HeadList;
use super::{Attrs, HeadTag};

/// Most `(expressions)` one tag of a `head!` block may hold (the macro refuses more).
pub const MAX_VALUES: usize = facetheory_codegen::head_key::MAX_VALUES;

/// A value in a tag description: literal text (unescaped), the n-th `(expression)`, or a bare attribute.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticValue {
    Text(&'static str),
    Value(usize),
    Flag,
}

/// The element of a tag description.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticElement {
    Title,
    Meta,
    Link,
    Script,
}

/// A tag description's deduplication key, as [`HeadTag`]s have it; the macro refuses tags without one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticKey {
    Title,
    Charset,
    MetaName(&'static str),
    MetaProperty(&'static str),
    MetaHttpEquiv(&'static str),
    Link { rel: &'static str, href: StaticValue, r#as: &'static str },
    ScriptSrc { src: StaticValue, kind: &'static str },
}

/// One tag of a `head!` block, as the macro describes it (a `static`).
#[doc(hidden)]
#[derive(Debug)]
pub struct StaticTag {
    /// The rendered tag around its values: `pieces.len()` is one more than the number of values.
    pub pieces: &'static [&'static str],
    pub element: StaticElement,
    /// Attributes in rendering (name) order; for a title, its text parts.
    pub attrs: &'static [(&'static str, StaticValue)],
    pub key: StaticKey,
    /// The key's fingerprint, when the key holds no value.
    pub print: Option<u64>,
    /// The value that must be an http(s) or same-origin URL (a canonical link's computed href).
    pub url_value: Option<usize>,
}

/// A `head!` block whose tags are all literal, as the macro describes it (a `static`): the tags, their text
/// rendered per place — charset metas, titles, the rest, each in the order written — and their keys'
/// fingerprints (pairwise distinct), with the set of their [`print_bit`](facetheory_codegen::head_key::print_bit)s.
#[doc(hidden)]
#[derive(Debug)]
pub struct StaticBlock {
    pub tags: &'static [StaticTag],
    pub parts: [&'static str; 3],
    pub prints: &'static [u64],
    pub mask: u128,
}

impl StaticTag {
    /// The tag as a [`HeadTag`], with `value(i)` for the i-th value.
    pub(crate) fn to_tag<'v>(&self, value: impl Fn(usize) -> &'v str) -> HeadTag {
        let text = |v: &StaticValue| match *v {
            StaticValue::Text(t) => t.to_string(),
            StaticValue::Value(i) => value(i).to_string(),
            StaticValue::Flag => String::new(),
        };
        let attrs = || {
            self.attrs.iter().fold(Attrs::new(), |a, (name, v)| match v {
                StaticValue::Flag => a.flag(*name),
                v => a.set(*name, text(v)),
            })
        };
        match self.element {
            StaticElement::Title => HeadTag::Title(self.attrs.iter().map(|(_, v)| text(v)).collect()),
            StaticElement::Meta => HeadTag::Meta(attrs()),
            StaticElement::Link => HeadTag::Link(attrs()),
            StaticElement::Script => HeadTag::Script { attrs: attrs(), body: String::new() },
        }
    }
}

/// Where a `head!` block writes its tags: the page's head.
#[doc(hidden)]
pub struct HeadWriter<'a> {
    pub(crate) list: &'a mut HeadList,
    pub(crate) invalid: &'a mut Option<String>,
}

impl HeadWriter<'_> {
    /// Adds a described tag with its values (what the macro expands to, one call per tag).
    #[doc(hidden)]
    pub fn tag(&mut self, tag: &'static StaticTag, values: &[&str]) {
        if let Some(url) = tag.url_value.and_then(|i| values.get(i)) {
            if !super::is_http_or_relative(url) {
                self.invalid.get_or_insert_with(|| {
                    format!("head! link href must be an http(s) or same-origin URL, got {url:?}")
                });
                return;
            }
        }
        self.list.static_tag(tag, values);
    }

    /// Adds a block of literal tags as one item (what the macro expands to for such a block).
    #[doc(hidden)]
    pub fn block(&mut self, block: &'static StaticBlock) {
        self.list.block(block);
    }
}

/// Tags written with [`head!`](crate::head!), for [`Page::head`](crate::Page::head).
#[must_use = "a head block does nothing until given to Page::head"]
pub struct HeadBlock<F>(F);

impl<F: FnOnce(&mut HeadWriter<'_>)> HeadBlock<F> {
    #[doc(hidden)]
    pub fn __new(write: F) -> Self {
        HeadBlock(write)
    }
}

/// What [`Page::head`](crate::Page::head) takes: a [`HeadTag`], or a [`head!`](crate::head!) block.
pub trait IntoHead {
    /// Adds itself to a page's head.
    #[doc(hidden)]
    fn add_to(self, head: &mut HeadWriter<'_>);
}

impl IntoHead for HeadTag {
    fn add_to(self, head: &mut HeadWriter<'_>) {
        head.list.push(self);
    }
}

impl<F: FnOnce(&mut HeadWriter<'_>)> IntoHead for HeadBlock<F> {
    fn add_to(self, head: &mut HeadWriter<'_>) {
        (self.0)(head)
    }
}

#[cfg(test)]
mod tests {
    use crate::head;
    use crate::head::{Attrs, HeadTag};
    use crate::{html, Page};

    /// The head a page renders (its document up to `</head>`).
    fn head_of(page: Page) -> String {
        let parts = page.into_erased().unwrap().parts;
        let mut out = String::new();
        crate::head::render_refs_into(&mut out, parts.head.refs());
        out
    }

    #[test]
    fn a_block_renders_and_deduplicates_as_the_same_tags_built_at_run_time() {
        let (title, url, summary) = ("A <b> & \"c\"", "https://x.example/a?b=1&c=2", "Shell 'first'");
        let block = Page::new(html! {})
            .head(head::meta("Description", "replaced by the block"))
            .head(head! {
                link rel="preload" href="/f.woff2" as="font" crossorigin;
                title { (title) " | Blog & co" }
                meta name="description" content=(summary);
                meta charset="utf-8";
                link rel="canonical" href=(url);
                meta property="og:title" content=(title);
                script src="/app.js" type="module" {}
                meta http-equiv="X-UA-Compatible" content="IE=edge";
            })
            .head(head::link("CANONICAL", url))
            .head(head::module_script("/app.js"));
        let tags = Page::new(html! {})
            .head(head::meta("Description", "replaced by the block"))
            .head(HeadTag::Link(
                Attrs::new().set("rel", "preload").set("href", "/f.woff2").set("as", "font").flag("crossorigin"),
            ))
            .head(head::title(format!("{title} | Blog & co")))
            .head(head::meta("description", summary))
            .head(head::charset("utf-8"))
            .head(head::canonical(url).unwrap())
            .head(head::meta_property("og:title", title))
            .head(HeadTag::Script {
                attrs: Attrs::new().set("src", "/app.js").set("type", "module"),
                body: String::new(),
            })
            .head(HeadTag::Meta(Attrs::new().set("http-equiv", "X-UA-Compatible").set("content", "IE=edge")))
            .head(head::link("CANONICAL", url))
            .head(head::module_script("/app.js"));
        let (from_block, from_tags) = (head_of(block), head_of(tags));
        assert_eq!(from_block, from_tags);
        assert!(from_block
            .starts_with("<meta charset=\"utf-8\"><title>A &lt;b&gt; &amp; &quot;c&quot; | Blog &amp; co</title>"));
        assert_eq!(from_block.matches("description").count(), 1, "{from_block}");
        assert_eq!(from_block.matches("canonical").count() + from_block.matches("CANONICAL").count(), 1);
        assert_eq!(from_block.matches("/app.js").count(), 1, "{from_block}");
    }

    /// The literal block and the run-time tags it stands for, in the order written.
    fn literal_block() -> (crate::head::HeadBlock<impl FnOnce(&mut crate::head::HeadWriter<'_>)>, Vec<HeadTag>) {
        let block = head! {
            link rel="stylesheet" href="/site.css";
            title { "Site & co" }
            meta name="viewport" content="width=device-width";
            meta charset="utf-8";
            meta property="og:site_name" content="Site";
        };
        let tags = vec![
            head::link("stylesheet", "/site.css"),
            head::title("Site & co"),
            head::meta("viewport", "width=device-width"),
            head::charset("utf-8"),
            head::meta_property("og:site_name", "Site"),
        ];
        (block, tags)
    }

    #[test]
    fn a_literal_block_is_one_item_and_normalises_as_its_tags() {
        // Around the block, tags that share none of its keys (it renders whole), and each that shares one (it
        // is normalised tag by tag): the same bytes as the run-time tags, every time.
        let others: Vec<Vec<HeadTag>> = vec![
            vec![],
            vec![head::meta("description", "d"), head::module_script("/app.js")],
            vec![head::title("Page title")],
            vec![head::meta("Viewport", "width=1")],
            vec![head::charset("latin1"), head::link("STYLESHEET", "/site.css")],
            vec![head::meta_property("og:site_name", "Other"), HeadTag::Raw("<!-- x -->".into())],
        ];
        for before in &others {
            for after in &others {
                for own_title in [false, true] {
                    let (block, tags) = literal_block();
                    let mut page = Page::new(html! {});
                    let mut want = Page::new(html! {});
                    for t in before {
                        page = page.head(t.clone());
                        want = want.head(t.clone());
                    }
                    page = page.head(block);
                    want = tags.into_iter().fold(want, Page::head);
                    if own_title {
                        page = page.title("Own title");
                        want = want.title("Own title");
                    }
                    for t in after {
                        page = page.head(t.clone());
                        want = want.head(t.clone());
                    }
                    assert_eq!(head_of(page), head_of(want), "before {before:?}, after {after:?}, {own_title}");
                }
            }
        }
        let (block, tags) = literal_block();
        let mut page = Page::new(html! {}).head(block);
        assert_eq!(page.parts.head.take_tags(), tags, "taken as tags (strict CSP), in the order written");
    }

    #[test]
    fn block_tags_become_the_tags_they_stand_for() {
        let mut page = Page::new(html! {}).head(head! {
            title { "T " (String::from("x")) }
            link rel="canonical" href=(String::from("/a"));
            script src="/m.js" type="module" {}
        });
        let tags = page.parts.head.take_tags();
        assert_eq!(tags, vec![head::title("T x"), head::link("canonical", "/a"), head::module_script("/m.js")]);
    }

    #[test]
    fn values_are_evaluated_once_in_the_order_written_and_borrowed() {
        struct Post {
            title: String,
        }
        let post = Post { title: "T".into() };
        let order = std::cell::RefCell::new(Vec::new());
        let next = |name: &'static str| {
            order.borrow_mut().push(name);
            name.to_string()
        };
        // `hreflang` renders before `rel`... and after `href`: evaluation follows the source instead.
        let page = Page::new(html! {}).head(head! {
            link rel="alternate" hreflang=(next("first")) href=(next("second"));
            title { (post.title) }
        });
        assert_eq!(*order.borrow(), ["first", "second"]);
        assert_eq!(post.title, "T", "the field is borrowed, not moved");
        assert_eq!(head_of(page), "<title>T</title><link href=\"second\" hreflang=\"first\" rel=\"alternate\">");
    }

    #[test]
    fn a_computed_canonical_href_that_is_not_http_makes_the_page_invalid() {
        let href = "javascript:alert(1)";
        let page = Page::new(html! {}).head(head! { link rel="canonical" href=(href); });
        let problem = page.parts.invalid.clone().unwrap();
        assert!(problem.contains("javascript:alert(1)"), "{problem}");
        assert_eq!(head_of(page.with_status(http::StatusCode::OK)), "");
    }
}
