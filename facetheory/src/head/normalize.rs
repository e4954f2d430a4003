//! Deduplication and ordering of head tags, as FaceTheory does it.

use facetheory_codegen::head_key::print_bit;

use super::block::StaticKey;
use super::list::HeadRef;
use super::HeadTag;

/// What two head tags must share to be duplicates. Borrowed and never allocated: case-insensitive parts are
/// compared as [`NoCase`].
#[derive(PartialEq, Eq)]
enum DedupeKey<'a> {
    Title,
    Charset,
    MetaName(NoCase<'a>),
    MetaProperty(NoCase<'a>),
    MetaHttpEquiv(NoCase<'a>),
    Link(NoCase<'a>, &'a str, NoCase<'a>),
    ScriptSrc(&'a str, NoCase<'a>),
    ScriptId(&'a str),
    StyleId(&'a str),
    StyleEmotion(&'a str),
    /// A JSON-LD block (`<script type="application/ld+json">`, no other attribute): identical bodies collapse,
    /// as [`DedupeKey::Whole`] would; kept apart so the compact form compares with the tag form.
    JsonLd(&'a str),
    /// No identifying attribute: only identical tags collapse.
    Whole(&'a HeadTag),
}

/// Text compared as FaceTheory compares it after lower-casing (Unicode lower case, so `K` and the Kelvin sign
/// are equal); ASCII text, the usual case, is compared in place.
#[derive(Clone, Copy, Eq)]
struct NoCase<'a>(&'a str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.0.is_ascii() && other.0.is_ascii() {
            self.0.eq_ignore_ascii_case(other.0)
        } else {
            self.0.to_lowercase() == other.0.to_lowercase()
        }
    }
}

/// The fingerprint of a key (shared with the `head!` macro, which computes literal tags' at compile time).
fn fingerprint(key: &DedupeKey<'_>) -> u64 {
    use facetheory_codegen::head_key::{Fingerprint, KeyKind};
    let f = |kind| Fingerprint::new(kind);
    match key {
        DedupeKey::Title => f(KeyKind::Title),
        DedupeKey::Charset => f(KeyKind::Charset),
        DedupeKey::MetaName(n) => f(KeyKind::MetaName).no_case(n.0),
        DedupeKey::MetaProperty(n) => f(KeyKind::MetaProperty).no_case(n.0),
        DedupeKey::MetaHttpEquiv(n) => f(KeyKind::MetaHttpEquiv).no_case(n.0),
        DedupeKey::Link(rel, href, r#as) => {
            f(KeyKind::Link).no_case(rel.0).exact(href.as_bytes(), false).no_case(r#as.0)
        }
        DedupeKey::ScriptSrc(src, kind) => f(KeyKind::ScriptSrc).exact(src.as_bytes(), false).no_case(kind.0),
        DedupeKey::ScriptId(id) => f(KeyKind::ScriptId).exact(id.as_bytes(), false),
        DedupeKey::StyleId(id) => f(KeyKind::StyleId).exact(id.as_bytes(), false),
        DedupeKey::StyleEmotion(id) => f(KeyKind::StyleEmotion).exact(id.as_bytes(), false),
        DedupeKey::JsonLd(body) => f(KeyKind::JsonLd).exact(body.as_bytes(), false),
        // Whole tags are rare: they share one fingerprint and are compared in full.
        DedupeKey::Whole(_) => f(KeyKind::Whole),
    }
    .finish()
}

impl HeadTag {
    /// The deduplication key; `None` for raw tags.
    fn dedupe_key(&self) -> Option<DedupeKey<'_>> {
        Some(match self {
            HeadTag::Title(_) => DedupeKey::Title,
            HeadTag::Meta(a) => {
                if a.contains("charset") {
                    DedupeKey::Charset
                } else if let Some(n) = a.get("name") {
                    DedupeKey::MetaName(NoCase(n))
                } else if let Some(p) = a.get("property") {
                    DedupeKey::MetaProperty(NoCase(p))
                } else if let Some(h) = a.get("http-equiv") {
                    DedupeKey::MetaHttpEquiv(NoCase(h))
                } else {
                    DedupeKey::Whole(self)
                }
            }
            HeadTag::Link(a) => match (a.get("rel"), a.get("href")) {
                (Some(rel), Some(href)) => DedupeKey::Link(NoCase(rel), href, NoCase(a.get("as").unwrap_or(""))),
                _ => DedupeKey::Whole(self),
            },
            HeadTag::Script { attrs, body } => {
                if let Some(src) = attrs.get("src") {
                    DedupeKey::ScriptSrc(src, NoCase(attrs.get("type").unwrap_or("")))
                } else if let Some(id) = attrs.get("id") {
                    DedupeKey::ScriptId(id)
                } else if attrs.names().count() == 1 && attrs.get("type") == Some(super::JSON_LD_TYPE) {
                    DedupeKey::JsonLd(body)
                } else {
                    DedupeKey::Whole(self)
                }
            }
            HeadTag::Style { attrs, .. } => {
                if let Some(id) = attrs.get("id") {
                    DedupeKey::StyleId(id)
                } else if let Some(e) = attrs.get("data-emotion") {
                    DedupeKey::StyleEmotion(e)
                } else {
                    DedupeKey::Whole(self)
                }
            }
            HeadTag::Raw(_) => return None,
        })
    }
}

impl<'a> HeadRef<'a> {
    /// The deduplication key: a compact item's is the one of the tag it stands for.
    fn dedupe_key(&self) -> Option<DedupeKey<'a>> {
        match *self {
            HeadRef::Tag(tag) => tag.dedupe_key(),
            HeadRef::Meta { attr: super::list::MetaAttr::Name, key, .. } => Some(DedupeKey::MetaName(NoCase(key))),
            HeadRef::Meta { key, .. } => Some(DedupeKey::MetaProperty(NoCase(key))),
            HeadRef::Link { rel, href } => Some(DedupeKey::Link(NoCase(rel), href, NoCase(""))),
            HeadRef::Title(_) => Some(DedupeKey::Title),
            HeadRef::JsonLd(body) => Some(DedupeKey::JsonLd(body)),
            HeadRef::InlineData(_) => Some(DedupeKey::ScriptId(crate::hydration::DATA_SCRIPT_ID)),
            HeadRef::ModuleScript(src) => Some(DedupeKey::ScriptSrc(src, NoCase("module"))),
            // Normalisation takes a block whole or expands it first; rendered markup is never compared.
            HeadRef::Block(_) | HeadRef::Markup(_) => None,
            HeadRef::Static(r) => Some(match r.key() {
                StaticKey::Title => DedupeKey::Title,
                StaticKey::Charset => DedupeKey::Charset,
                StaticKey::MetaName(n) => DedupeKey::MetaName(NoCase(n)),
                StaticKey::MetaProperty(p) => DedupeKey::MetaProperty(NoCase(p)),
                StaticKey::MetaHttpEquiv(h) => DedupeKey::MetaHttpEquiv(NoCase(h)),
                StaticKey::Link { rel, href, r#as } => DedupeKey::Link(NoCase(rel), r.part(href), NoCase(r#as)),
                StaticKey::ScriptSrc { src, kind } => DedupeKey::ScriptSrc(r.part(src), NoCase(kind)),
            }),
        }
    }
}

/// Where a kept tag goes: charset metas first, then titles, then the rest in order (the declaration order).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Charset,
    Title,
    Rest,
}

/// One tag as normalisation sees it.
#[derive(Clone, Copy)]
struct Slot<'a> {
    tag: HeadRef<'a>,
    place: Place,
    /// The key's fingerprint; `None` for raw tags, which are never deduplicated.
    print: Option<u64>,
    kept: bool,
}

/// Deduplicates (last occurrence wins, kept at its own position) and orders: charset metas, titles, the rest.
pub fn normalize_head<'a>(tags: impl IntoIterator<Item = &'a HeadTag>) -> Vec<&'a HeadTag> {
    let mut ordered = Vec::new();
    for_each_normalized(tags.into_iter().map(HeadRef::Tag), |t| {
        if let HeadRef::Tag(t) = t {
            ordered.push(t);
        }
    });
    ordered
}

/// Normalises and renders head tags with no separator.
pub fn render_head(tags: &[HeadTag]) -> String {
    let mut out = String::new();
    render_head_into(&mut out, tags);
    out
}

/// [`render_head`] over any tags, appending to `out`.
pub fn render_head_into<'a>(out: &mut String, tags: impl IntoIterator<Item = &'a HeadTag>) {
    render_refs_into(out, tags.into_iter().map(HeadRef::Tag));
}

/// [`render_head_into`] over tags and compact items.
pub(crate) fn render_refs_into<'a>(out: &mut String, refs: impl IntoIterator<Item = HeadRef<'a>>) {
    for_each_normalized(refs, |r| r.render_into(out));
}

/// The fingerprint of the inline data script's key (its id), computed at compile time.
const DATA_PRINT: u64 = facetheory_codegen::head_key::Fingerprint::new(facetheory_codegen::head_key::KeyKind::ScriptId)
    .exact(crate::hydration::DATA_SCRIPT_ID.as_bytes(), false)
    .finish();

/// [`fingerprint`] of a JSON-LD block's key (its body).
fn json_ld_print(body: &str) -> u64 {
    use facetheory_codegen::head_key::{Fingerprint, KeyKind};
    Fingerprint::new(KeyKind::JsonLd).exact(body.as_bytes(), false).finish()
}

/// [`fingerprint`] of a module script's key (its `src`, type `module`).
fn module_script_print(src: &str) -> u64 {
    use facetheory_codegen::head_key::{Fingerprint, KeyKind};
    Fingerprint::new(KeyKind::ScriptSrc).exact(src.as_bytes(), false).exact(b"module", true).finish()
}

/// Heads up to this many tags are normalised on the stack.
const ON_STACK: usize = 32;

/// Calls `f` with each tag [`normalize_head`] keeps, in its order, without building the ordered list.
fn for_each_normalized<'a>(tags: impl IntoIterator<Item = HeadRef<'a>>, f: impl FnMut(HeadRef<'a>)) {
    Normalized::with(tags, |head| head.for_each(f))
}

/// Head tags gathered for normalisation, with their keys' fingerprints: what a document's head is sized from
/// and rendered from, in one walk of its sources.
pub(crate) struct Normalized<'a> {
    /// Up to ON_STACK slots on the stack, uninitialised until pushed; a longer head spills to the heap.
    slots: smallvec::SmallVec<[Slot<'a>; ON_STACK]>,
    /// The blocks share no key with any tag: each renders as its precomputed parts.
    whole: bool,
}

impl<'a> Normalized<'a> {
    /// Gathers `tags` and hands them to `f`: lent, not returned, so the slots (≈ 2 KB) are never moved.
    pub(crate) fn with<R>(tags: impl IntoIterator<Item = HeadRef<'a>>, f: impl FnOnce(&mut Self) -> R) -> R {
        let mut head = Normalized { slots: smallvec::SmallVec::new(), whole: false };
        let mut blocks = false;
        // Internal iteration: a chain of sources is walked source by source, not re-checked per tag.
        tags.into_iter().for_each(|tag| {
            blocks |= matches!(tag, HeadRef::Block(_));
            head.slots.push(slot(tag));
        });
        if blocks {
            if blocks_stand_whole(&head.slots) {
                head.whole = true;
            } else {
                // A key is shared with a block: the block's tags are normalised one by one, as any others.
                let gathered = std::mem::take(&mut head.slots);
                for s in gathered {
                    match s.tag {
                        HeadRef::Block(block) => HeadRef::block_tags(block).for_each(|tag| head.slots.push(slot(tag))),
                        _ => head.slots.push(s),
                    }
                }
            }
        }
        f(&mut head)
    }

    /// About how many bytes the tags render to (before deduplication).
    pub(crate) fn size_hint(&self) -> usize {
        self.slots.iter().map(|s| s.tag.size_hint()).sum()
    }

    /// Calls `f` with each kept tag, in order.
    pub(crate) fn for_each(&mut self, f: impl FnMut(HeadRef<'a>)) {
        if self.whole {
            emit_whole(&self.slots, f)
        } else {
            emit(&mut self.slots, f)
        }
    }
}

/// A tag's slot: its place and its key's fingerprint.
fn slot(tag: HeadRef<'_>) -> Slot<'_> {
    // A `head!` tag's fingerprint was computed by the macro when its key is literal: no key to build.
    if let HeadRef::Static(r) = tag {
        if let Some(print) = r.tag.print {
            let place = match r.key() {
                StaticKey::Charset => Place::Charset,
                StaticKey::Title => Place::Title,
                _ => Place::Rest,
            };
            return Slot { tag, place, print: Some(print), kept: true };
        }
    }
    // The compact items every hydrated page has: their keys are known here, so the general key code (a
    // match over every kind, case folding) stays out of the request path.
    let print = match tag {
        HeadRef::InlineData(_) => Some(DATA_PRINT),
        HeadRef::JsonLd(body) => Some(json_ld_print(body)),
        HeadRef::ModuleScript(src) => Some(module_script_print(src)),
        _ => None,
    };
    if print.is_some() {
        return Slot { tag, place: Place::Rest, print, kept: true };
    }
    let key = tag.dedupe_key();
    let place = match key {
        Some(DedupeKey::Charset) => Place::Charset,
        Some(DedupeKey::Title) => Place::Title,
        _ => Place::Rest,
    };
    Slot { tag, place, print: key.as_ref().map(fingerprint), kept: true }
}

/// True when no two tags, blocks' tags included, have equal fingerprints: nothing is dropped, and a block
/// renders as its precomputed parts. Bits first; fingerprints compared only where bits meet.
fn blocks_stand_whole(slots: &[Slot<'_>]) -> bool {
    fn prints<'s>(s: &'s Slot<'_>) -> &'s [u64] {
        match s.tag {
            HeadRef::Block(block) => block.prints,
            _ => s.print.as_slice(),
        }
    }
    let mut seen = 0u128;
    for (i, s) in slots.iter().enumerate().rev() {
        let mask = match s.tag {
            HeadRef::Block(block) => block.mask,
            _ => s.print.map_or(0, print_bit),
        };
        if seen & mask != 0 {
            let later = &slots[i + 1..];
            if prints(s).iter().any(|p| later.iter().any(|l| prints(l).contains(p))) {
                return false;
            }
        }
        seen |= mask;
    }
    true
}

/// Emits every slot, in place order, a block's part for each place.
fn emit_whole<'a>(slots: &[Slot<'a>], mut f: impl FnMut(HeadRef<'a>)) {
    for (i, place) in [Place::Charset, Place::Title, Place::Rest].into_iter().enumerate() {
        for s in slots {
            match s.tag {
                HeadRef::Block(block) if !block.parts[i].is_empty() => f(HeadRef::Markup(block.parts[i])),
                HeadRef::Block(_) => {}
                tag if s.place == place => f(tag),
                _ => {}
            }
        }
    }
}

fn emit<'a>(slots: &mut [Slot<'a>], mut f: impl FnMut(HeadRef<'a>)) {
    // A tag is dropped when a later one has its key: fingerprints first, full keys only when they match. Walking
    // back, one bit per fingerprint (of 128) says whether a later tag may share it; only then are the later
    // ones compared, so a head without duplicates costs one step per tag, not one per pair.
    let mut seen = 0u128;
    // Already charset, title, rest: emitted in one pass instead of one per place.
    let mut ordered = true;
    for i in (0..slots.len()).rev() {
        if i > 0 && slots[i - 1].place > slots[i].place {
            ordered = false;
        }
        let Some(print) = slots[i].print else { continue };
        let bit = print_bit(print);
        let maybe_later = seen & bit != 0;
        seen |= bit;
        if !maybe_later {
            continue;
        }
        let mut key = None;
        for later in i + 1..slots.len() {
            if slots[later].print == Some(print)
                && *key.get_or_insert_with(|| slots[i].tag.dedupe_key()) == slots[later].tag.dedupe_key()
            {
                slots[i].kept = false;
                break;
            }
        }
    }
    if ordered {
        slots.iter().filter(|s| s.kept).for_each(|s| f(s.tag));
        return;
    }
    for place in [Place::Charset, Place::Title, Place::Rest] {
        slots.iter().filter(|s| s.kept && s.place == place).for_each(|s| f(s.tag));
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn last_duplicate_wins_at_its_own_position_and_order_is_charset_title_rest() {
        let tags = vec![
            link("stylesheet", "/a.css"),
            meta("Description", "one"),
            HeadTag::Raw("<!-- raw -->".into()),
            title("first"),
            meta("description", "two"),
            charset("utf-8"),
            HeadTag::Raw("<!-- raw -->".into()),
            title("second"),
            link("stylesheet", "/a.css"),
        ];
        assert_eq!(
            render_head(&tags),
            "<meta charset=\"utf-8\"><title>second</title><!-- raw --><meta content=\"two\" name=\"description\"><!-- raw --><link href=\"/a.css\" rel=\"stylesheet\">"
        );
    }

    #[test]
    fn a_block_sharing_no_key_is_taken_whole_else_tag_by_tag() {
        let markup = |page: crate::Page| {
            let mut seen = Vec::new();
            super::for_each_normalized(page.parts.head.refs(), |r| seen.push(matches!(r, HeadRef::Markup(_))));
            seen
        };
        let block = || crate::head! { meta name="viewport" content="1"; meta charset="utf-8"; title { "T" } };
        let page = crate::Page::new(crate::html! {}).head(block()).head(meta("description", "d"));
        assert_eq!(markup(page), [true, true, true, false], "charset, title and rest parts, then the meta");
        let page = crate::Page::new(crate::html! {}).head(block()).head(meta("VIEWPORT", "2"));
        assert_eq!(markup(page), [false, false, false], "the block's viewport is replaced: three tags");
    }

    #[test]
    fn the_inline_data_fingerprint_is_its_keys() {
        let key = super::DedupeKey::ScriptId(crate::hydration::DATA_SCRIPT_ID);
        assert_eq!(super::DATA_PRINT, super::fingerprint(&key));
    }

    #[test]
    fn compact_items_fingerprint_as_their_keys() {
        for text in ["", "/a.js", "/assets/article-1a2b3c.js", "{\"@type\":\"Article\",\"headline\":\"x\"}", "été"] {
            for item in [HeadRef::JsonLd(text), HeadRef::ModuleScript(text)] {
                let key = item.dedupe_key().unwrap();
                let print = match item {
                    HeadRef::JsonLd(body) => super::json_ld_print(body),
                    _ => super::module_script_print(text),
                };
                assert_eq!(print, super::fingerprint(&key), "{item:?}");
            }
        }
        // A module script tag written by hand and the page's bootstrap are one script.
        let tag =
            HeadTag::Script { attrs: Attrs::new().set("src", "/m.js").set("type", "MODULE"), body: String::new() };
        let mut out = String::new();
        render_refs_into(&mut out, [HeadRef::Tag(&tag), HeadRef::ModuleScript("/m.js")]);
        assert_eq!(out.matches("<script").count(), 1, "{out}");
    }

    #[test]
    fn dedupe_keys_follow_facetheory() {
        // Same rel+href but a different `as` are distinct; scripts by src+type, then id; structs only if identical.
        let tags = vec![
            HeadTag::Link(Attrs::new().set("rel", "preload").set("href", "/f.woff2").set("as", "font")),
            HeadTag::Link(Attrs::new().set("rel", "preload").set("href", "/f.woff2").set("as", "style")),
            module_script("/a.js"),
            module_script("/a.js"),
            HeadTag::Script { attrs: Attrs::new().set("id", "x"), body: "1".into() },
            HeadTag::Script { attrs: Attrs::new().set("id", "x"), body: "2".into() },
            HeadTag::Meta(Attrs::new().set("itemprop", "a")),
            HeadTag::Meta(Attrs::new().set("itemprop", "a")),
            HeadTag::Meta(Attrs::new().set("itemprop", "b")),
            meta_property("og:title", "T"),
            HeadTag::Meta(Attrs::new().set("http-equiv", "X-UA-Compatible").set("content", "1")),
            HeadTag::Meta(Attrs::new().set("http-equiv", "x-ua-compatible").set("content", "2")),
        ];
        let out = render_head(&tags);
        assert_eq!(out.matches("rel=\"preload\"").count(), 2, "{out}");
        assert_eq!(out.matches("src=\"/a.js\"").count(), 1, "{out}");
        assert!(out.contains("<script id=\"x\">2</script>") && !out.contains(">1<"), "{out}");
        assert_eq!(out.matches("itemprop=\"a\"").count(), 1, "{out}");
        assert_eq!(out.matches("itemprop=\"b\"").count(), 1, "{out}");
        assert_eq!(out.matches("http-equiv").count(), 1, "{out}");
        assert!(out.contains("content=\"2\""), "{out}");
    }

    #[test]
    fn fingerprints_only_narrow_the_comparison() {
        // Same length, same first and last 8 bytes: the fingerprints match, the keys do not.
        let tags = [meta("application-name-aaaa-end-of-it", "1"), meta("application-name-bbbb-end-of-it", "2")];
        assert_eq!(normalize_head(&tags).len(), 2);
        // Unicode lower case: the Kelvin sign equals `k`, and a non-ASCII name equals its lower case.
        let tags = [meta("\u{212A}eywords", "1"), meta("keywords", "2"), meta("ÉTÉ", "3"), meta("été", "4")];
        assert_eq!(render_head(&tags), r#"<meta content="2" name="keywords"><meta content="4" name="été">"#);
    }

    /// The dedupe rule written the obvious way: keys as lower-cased strings, every later tag compared.
    fn reference(tags: &[HeadTag]) -> Vec<&HeadTag> {
        let key = |t: &HeadTag| -> Option<String> {
            let lower = |s: &str| s.to_lowercase();
            let a = match t {
                HeadTag::Raw(_) => return None,
                HeadTag::Title(_) => return Some("title".into()),
                HeadTag::Meta(a) | HeadTag::Link(a) => a,
                HeadTag::Script { attrs, .. } | HeadTag::Style { attrs, .. } => attrs,
            };
            let whole = || Some(format!("whole:{t:?}"));
            match t {
                HeadTag::Meta(_) if a.names().any(|n| n == "charset") => Some("charset".into()),
                HeadTag::Meta(_) => match (a.get("name"), a.get("property"), a.get("http-equiv")) {
                    (Some(n), _, _) => Some(format!("name:{}", lower(n))),
                    (None, Some(p), _) => Some(format!("property:{}", lower(p))),
                    (None, None, Some(h)) => Some(format!("equiv:{}", lower(h))),
                    _ => whole(),
                },
                HeadTag::Link(_) => match (a.get("rel"), a.get("href")) {
                    (Some(r), Some(h)) => Some(format!("link:{}\0{h}\0{}", lower(r), lower(a.get("as").unwrap_or("")))),
                    _ => whole(),
                },
                HeadTag::Script { .. } => match (a.get("src"), a.get("id")) {
                    (Some(src), _) => Some(format!("src:{src}\0{}", lower(a.get("type").unwrap_or("")))),
                    (None, Some(id)) => Some(format!("script-id:{id}")),
                    _ => whole(),
                },
                _ => match (a.get("id"), a.get("data-emotion")) {
                    (Some(id), _) => Some(format!("style-id:{id}")),
                    (None, Some(e)) => Some(format!("emotion:{e}")),
                    _ => whole(),
                },
            }
        };
        let keys: Vec<Option<String>> = tags.iter().map(key).collect();
        let kept: Vec<&HeadTag> = (0..tags.len())
            .filter(|&i| keys[i].is_none() || !keys[i + 1..].contains(&keys[i]))
            .map(|i| &tags[i])
            .collect();
        let place = |t: &HeadTag| match t {
            HeadTag::Meta(a) if a.names().any(|n| n == "charset") => 0,
            HeadTag::Title(_) => 1,
            _ => 2,
        };
        (0..3).flat_map(|p| kept.iter().copied().filter(move |t| place(t) == p)).collect()
    }

    fn any_tag() -> impl proptest::strategy::Strategy<Value = HeadTag> {
        use proptest::prelude::*;
        let word = prop_oneof![
            Just("a"),
            Just("A"),
            Just("og:title"),
            Just("OG:Title"),
            Just("\u{212A}"),
            Just("k"),
            Just("\u{212A}_1"),
            Just("k_1")
        ];
        (0..9u8, word.clone(), word).prop_map(|(kind, x, y)| match kind {
            0 => title(x),
            1 => charset(x),
            2 => meta(x, y),
            3 => meta_property(x, y),
            4 => HeadTag::Link(Attrs::new().set("rel", x).set("href", y)),
            5 => HeadTag::Script { attrs: Attrs::new().set("src", x).set("type", y), body: String::new() },
            6 => HeadTag::Script { attrs: Attrs::new().set("id", x), body: y.into() },
            7 => HeadTag::Style { attrs: Attrs::new().set("data-emotion", x), css: y.into() },
            _ => HeadTag::Raw(x.into()),
        })
    }

    proptest::proptest! {
        /// Short heads (on the stack) and long ones (past 32 tags, on the heap) keep what the reference keeps.
        #[test]
        fn normalising_matches_the_reference(tags in proptest::collection::vec(any_tag(), 0..80)) {
            let got = normalize_head(&tags);
            let want = reference(&tags);
            proptest::prop_assert_eq!(got.len(), want.len());
            proptest::prop_assert!(got.iter().zip(&want).all(|(a, b)| std::ptr::eq(*a, *b)));
        }
    }
}
