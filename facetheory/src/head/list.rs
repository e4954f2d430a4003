//! A page's head as it is built: tags, and the common name/content metas and links kept compact — their text
//! in one buffer the page owns — so a page with a dozen of them allocates for the buffer, not for each tag.
//! Steps that edit tags (strict CSP) take them as [`HeadTag`]s; rendering reads both forms alike.

use std::borrow::Cow;
use std::ops::Range;

use super::block::{StaticBlock, StaticKey, StaticTag, StaticValue, MAX_VALUES};
use super::{Attrs, HeadTag};
use crate::escape::escape_html_into;

/// The attribute that names a compact meta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetaAttr {
    /// `<meta name content>`.
    Name,
    /// `<meta property content>` (Open Graph).
    Property,
}

impl MetaAttr {
    fn as_str(self) -> &'static str {
        match self {
            MetaAttr::Name => "name",
            MetaAttr::Property => "property",
        }
    }
}

#[derive(Debug)]
enum Item {
    Tag(HeadTag),
    /// `<meta content="…" name|property="key">`; the content is a range of the list's text.
    Meta {
        attr: MetaAttr,
        key: Cow<'static, str>,
        content: Range<usize>,
    },
    /// `<link href="…" rel="rel">`; the href is a range of the list's text.
    Link {
        rel: Cow<'static, str>,
        href: Range<usize>,
    },
    /// `<script type="application/ld+json">…</script>`; the JSON (`safe_json` output, so it holds no `<`) is a
    /// range of the text.
    JsonLd(Range<usize>),
    /// A tag of a `head!` block: its description and its values (ranges of the list's text, unescaped).
    Static {
        tag: &'static StaticTag,
        values: [(usize, usize); MAX_VALUES],
    },
    /// A `head!` block of literal tags.
    Block(&'static StaticBlock),
}

/// The values of a tag that has none.
static NO_VALUES: [(usize, usize); MAX_VALUES] = [(0, 0); MAX_VALUES];

/// The head tags of a page, in the order added.
#[derive(Debug, Default)]
pub(crate) struct HeadList {
    items: Vec<Item>,
    /// The text of compact items, back to back.
    text: String,
    /// The page's own title (it follows every other tag, so it wins over a title tag).
    title: Option<Range<usize>>,
}

/// One head tag as normalisation and rendering see it: a tag, or a compact item with its text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum HeadRef<'a> {
    Tag(&'a HeadTag),
    Meta {
        attr: MetaAttr,
        key: &'a str,
        content: &'a str,
    },
    Link {
        rel: &'a str,
        href: &'a str,
    },
    Title(&'a str),
    JsonLd(&'a str),
    Static(StaticRef<'a>),
    /// `<script id="__FACETHEORY_DATA__" type="application/json">`; the JSON is `safe_json` output (no `<`).
    InlineData(&'a str),
    /// `<script src="…" type="module"></script>`.
    ModuleScript(&'a str),
    /// A `head!` block of literal tags: normalisation takes it whole when no other tag shares a key with it,
    /// else tag by tag ([`HeadRef::block_tags`]).
    Block(&'static StaticBlock),
    /// Rendered tags (one place's part of a block taken whole).
    Markup(&'static str),
}

/// A `head!` tag with its values.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StaticRef<'a> {
    pub(crate) tag: &'static StaticTag,
    text: &'a str,
    values: &'a [(usize, usize); MAX_VALUES],
}

impl<'a> StaticRef<'a> {
    /// The i-th value.
    pub(crate) fn value(&self, i: usize) -> &'a str {
        self.values.get(i).and_then(|&(start, end)| self.text.get(start..end)).unwrap_or("")
    }

    /// The text a key part stands for.
    pub(crate) fn part(&self, v: StaticValue) -> &'a str {
        match v {
            StaticValue::Text(t) => t,
            StaticValue::Value(i) => self.value(i),
            StaticValue::Flag => "",
        }
    }

    fn render_into(&self, out: &mut String) {
        let pieces = self.tag.pieces;
        for (i, piece) in pieces.iter().enumerate() {
            out.push_str(piece);
            if i + 1 < pieces.len() {
                escape_html_into(out, self.value(i));
            }
        }
    }

    fn size_hint(&self) -> usize {
        let values: usize = self.values.iter().map(|(start, end)| end - start).sum();
        self.tag.pieces.iter().map(|p| p.len()).sum::<usize>() + values
    }

    /// The key of the tag, as [`StaticKey`] says.
    pub(crate) fn key(&self) -> StaticKey {
        self.tag.key
    }
}

impl HeadList {
    fn push_item(&mut self, item: Item) {
        // A page's head usually has several tags: start with room for them rather than growing 1, 4, 8.
        if self.items.capacity() == 0 {
            self.items.reserve(12);
        }
        self.items.push(item);
    }

    fn push_text(&mut self, text: &str) -> Range<usize> {
        if self.text.capacity() == 0 {
            self.text.reserve(512);
        }
        let start = self.text.len();
        self.text.push_str(text);
        start..self.text.len()
    }

    /// Adds a tag.
    pub(crate) fn push(&mut self, tag: HeadTag) {
        self.push_item(Item::Tag(tag));
    }

    /// Adds tags.
    pub(crate) fn extend(&mut self, tags: impl IntoIterator<Item = HeadTag>) {
        for tag in tags {
            self.push(tag);
        }
    }

    /// Adds `<meta name|property content>`, the same tag as [`super::meta`] / [`super::meta_property`].
    pub(crate) fn meta(&mut self, attr: MetaAttr, key: Cow<'static, str>, content: &str) {
        let content = self.push_text(content);
        self.push_item(Item::Meta { attr, key, content });
    }

    /// Adds `<link rel href>`, the same tag as [`super::link`].
    pub(crate) fn link(&mut self, rel: Cow<'static, str>, href: &str) {
        let href = self.push_text(href);
        self.push_item(Item::Link { rel, href });
    }

    /// Adds a `head!` tag: its values go into the list's text.
    pub(crate) fn static_tag(&mut self, tag: &'static StaticTag, values: &[&str]) {
        let mut ranges = [(0, 0); MAX_VALUES];
        for (range, value) in ranges.iter_mut().zip(values) {
            let r = self.push_text(value);
            *range = (r.start, r.end);
        }
        self.push_item(Item::Static { tag, values: ranges });
    }

    /// Adds a block of literal `head!` tags.
    pub(crate) fn block(&mut self, block: &'static StaticBlock) {
        self.push_item(Item::Block(block));
    }

    /// Adds a JSON-LD block, as [`super::json_ld`] does, serialized straight into the list's text.
    pub(crate) fn json_ld<T: serde::Serialize + ?Sized>(&mut self, data: &T) -> Result<(), serde_json::Error> {
        if self.text.capacity() == 0 {
            self.text.reserve(512);
        }
        let start = self.text.len();
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        let result = crate::escape::safe_json_into(&mut bytes, data);
        // serde_json writes UTF-8; should a value ever not be, nothing of it is kept. One check of the whole text
        // (the part before `start` was a String), not one of the JSON and another of the whole.
        let checked = match result {
            Ok(()) => String::from_utf8(bytes)
                .map_err(|e| (e.into_bytes(), serde::ser::Error::custom("serialized JSON is not UTF-8"))),
            Err(e) => Err((bytes, e)),
        };
        match checked {
            Ok(text) => self.text = text,
            Err((mut bytes, e)) => {
                bytes.truncate(start);
                self.text = String::from_utf8(bytes).unwrap_or_default();
                return Err(e);
            }
        }
        let body = start..self.text.len();
        self.push_item(Item::JsonLd(body));
        Ok(())
    }

    /// Sets the page's title (`<title>`), replacing one set before.
    pub(crate) fn set_title(&mut self, title: &str) {
        self.title = Some(self.push_text(title));
    }

    /// True when nothing was added.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Each item, in the order added, then the title.
    pub(crate) fn refs(&self) -> impl Iterator<Item = HeadRef<'_>> {
        let title = self.title.clone().map(|t| HeadRef::Title(&self.text[t]));
        self.items
            .iter()
            .map(|item| match item {
                Item::Tag(tag) => HeadRef::Tag(tag),
                Item::Meta { attr, key, content } => {
                    HeadRef::Meta { attr: *attr, key, content: &self.text[content.clone()] }
                }
                Item::Link { rel, href } => HeadRef::Link { rel, href: &self.text[href.clone()] },
                Item::JsonLd(body) => HeadRef::JsonLd(&self.text[body.clone()]),
                Item::Static { tag, values } => HeadRef::Static(StaticRef { tag, text: &self.text, values }),
                Item::Block(block) => HeadRef::Block(block),
            })
            .chain(title)
    }

    /// The items as tags (compact ones made into the tags they stand for), leaving none; the title stays.
    pub(crate) fn take_tags(&mut self) -> Vec<HeadTag> {
        let text = &self.text;
        let mut tags = Vec::with_capacity(self.items.len());
        for item in std::mem::take(&mut self.items) {
            tags.push(match item {
                Item::Tag(tag) => tag,
                Item::Meta { attr, key, content } => {
                    HeadTag::Meta(Attrs::new().set(attr.as_str(), key).set("content", text[content].to_string()))
                }
                Item::Link { rel, href } => {
                    HeadTag::Link(Attrs::new().set("rel", rel).set("href", text[href].to_string()))
                }
                Item::JsonLd(body) => HeadTag::Script {
                    attrs: Attrs::new().set("type", super::JSON_LD_TYPE),
                    body: text[body].to_string(),
                },
                Item::Static { tag, values } => {
                    let r = StaticRef { tag, text, values: &values };
                    tag.to_tag(|i| r.value(i))
                }
                Item::Block(block) => {
                    tags.extend(block.tags.iter().map(|tag| tag.to_tag(|_| "")));
                    continue;
                }
            });
        }
        tags
    }

    /// Puts tags back (after [`HeadList::take_tags`]), before the title.
    pub(crate) fn put_tags(&mut self, tags: Vec<HeadTag>) {
        self.items = tags.into_iter().map(Item::Tag).collect();
    }
}

impl HeadRef<'_> {
    /// A block's tags, one by one, in the order written.
    pub(crate) fn block_tags(block: &'static StaticBlock) -> impl Iterator<Item = HeadRef<'static>> {
        block.tags.iter().map(|tag| HeadRef::Static(StaticRef { tag, text: "", values: &NO_VALUES }))
    }

    /// Renders exactly as the equivalent [`HeadTag`] does (attributes in name order).
    pub(crate) fn render_into(&self, out: &mut String) {
        match *self {
            HeadRef::Tag(tag) => tag.render_into(out),
            HeadRef::Meta { attr, key, content } => {
                // "content" sorts before "name" and "property".
                out.push_str("<meta content=\"");
                escape_html_into(out, content);
                out.push_str(match attr {
                    MetaAttr::Name => "\" name=\"",
                    MetaAttr::Property => "\" property=\"",
                });
                escape_html_into(out, key);
                out.push_str("\">");
            }
            // Compact JSON is `safe_json` output: it holds no `<`, so it cannot end its script early.
            HeadRef::JsonLd(body) => {
                out.push_str("<script type=\"application/ld+json\">");
                out.push_str(body);
                out.push_str("</script>");
            }
            HeadRef::Title(title) => {
                out.push_str("<title>");
                escape_html_into(out, title);
                out.push_str("</title>");
            }
            HeadRef::Static(r) => r.render_into(out),
            HeadRef::Block(block) => block.parts.iter().for_each(|part| out.push_str(part)),
            HeadRef::Markup(markup) => out.push_str(markup),
            HeadRef::InlineData(json) => {
                // Attributes in name order, as the tag form renders them.
                out.push_str("<script id=\"__FACETHEORY_DATA__\" type=\"application/json\">");
                out.push_str(json);
                out.push_str("</script>");
            }
            HeadRef::ModuleScript(src) => {
                out.push_str("<script src=\"");
                escape_html_into(out, src);
                out.push_str("\" type=\"module\"></script>");
            }
            HeadRef::Link { rel, href } => {
                out.push_str("<link href=\"");
                escape_html_into(out, href);
                out.push_str("\" rel=\"");
                escape_html_into(out, rel);
                out.push_str("\">");
            }
        }
    }

    /// About how many bytes it renders to (before escaping).
    pub(crate) fn size_hint(&self) -> usize {
        match *self {
            HeadRef::Tag(tag) => tag.size_hint(),
            HeadRef::Meta { key, content, .. } => key.len() + content.len() + 30,
            HeadRef::Link { rel, href } => rel.len() + href.len() + 22,
            HeadRef::Title(title) => title.len() + 15,
            HeadRef::JsonLd(body) => body.len() + 45,
            HeadRef::Static(r) => r.size_hint(),
            HeadRef::InlineData(json) => json.len() + 72,
            HeadRef::ModuleScript(src) => src.len() + 38,
            HeadRef::Block(block) => block.parts.iter().map(|p| p.len()).sum(),
            HeadRef::Markup(markup) => markup.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::head::{link, meta, meta_property, render_head, title};

    #[test]
    fn compact_items_render_and_take_as_the_tags_they_stand_for() {
        let mut list = HeadList::default();
        list.meta(MetaAttr::Name, "description".into(), "a \"quoted\" <b>");
        list.push(title("T"));
        list.meta(MetaAttr::Property, "og:title".into(), "x & y");
        list.link("canonical".into(), "/a?b=1&c=2");
        let tags = vec![
            meta("description", "a \"quoted\" <b>"),
            title("T"),
            meta_property("og:title", "x & y"),
            link("canonical", "/a?b=1&c=2"),
        ];
        let mut rendered = String::new();
        for r in list.refs() {
            r.render_into(&mut rendered);
        }
        let one_by_one: String = tags.iter().map(HeadTag::render).collect();
        assert_eq!(rendered, one_by_one);
        // A value that does not serialize leaves nothing behind.
        let failing = std::collections::BTreeMap::from([(vec![1u8], 1)]);
        let before = list.text.len();
        assert!(list.json_ld(&failing).is_err());
        assert_eq!((list.text.len(), list.items.len()), (before, 4));
        assert_eq!(list.take_tags(), tags);
        assert!(list.is_empty());
        list.set_title("first");
        list.set_title("<second>");
        list.put_tags(vec![title("a tag title")]);
        let mut out = String::new();
        crate::head::render_refs_into(&mut out, list.refs());
        assert_eq!(out, "<title>&lt;second&gt;</title>", "the page's title follows, so wins over, a title tag");
        assert_eq!(render_head(&tags).len(), one_by_one.len());
    }

    proptest::proptest! {
        /// A head built from any mix of compact items and tags renders as the same head built from tags only:
        /// same dedupe (across both forms), same order, same bytes — short heads and long ones.
        #[test]
        fn compact_and_tag_forms_normalise_alike(ops in proptest::collection::vec((0..6u8, 0..4usize, 0..3usize, proptest::bool::ANY), 0..70)) {
            let keys = ["description", "Description", "og:title", "K\u{212A}"];
            let values = ["a", "b & <c>", "/x?y=1&z=\"2\""];
            let mut list = HeadList::default();
            let mut tags = Vec::new();
            for (kind, k, v, compact) in ops {
                let (key, value) = (keys[k], values[v]);
                let tag = match kind {
                    0 => meta(key, value),
                    1 => meta_property(key, value),
                    2 => link(key, value),
                    3 => title(value),
                    4 => crate::head::json_ld(value).unwrap(),
                    _ => HeadTag::Raw(value.into()),
                };
                match (kind, compact) {
                    (0, true) => list.meta(MetaAttr::Name, key.into(), value),
                    (1, true) => list.meta(MetaAttr::Property, key.into(), value),
                    (2, true) => list.link(key.into(), value),
                    (4, true) => list.json_ld(value).unwrap(),
                    _ => list.push(tag.clone()),
                }
                tags.push(tag);
            }
            let mut mixed = String::new();
            crate::head::render_refs_into(&mut mixed, list.refs());
            proptest::prop_assert_eq!(mixed, render_head(&tags));
            proptest::prop_assert_eq!(list.take_tags(), tags);
        }
    }
}
