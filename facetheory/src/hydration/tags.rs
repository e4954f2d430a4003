//! A page's hydration tags, kept compact in the common case.

use crate::head::{HeadRef, HeadTag};

/// The hydration tags of a page, in the order added: the data (inline, or a link to it), then module scripts.
///
/// The usual page — inline data, then one bootstrap module — keeps just the two texts and renders them without
/// building tags (no attribute vectors, a fingerprint known in advance). Steps that edit tags (strict CSP,
/// island entries after the first module) call [`HydrationTags::tags_mut`], which turns the compact part into
/// the [`HeadTag`]s it stands for, in order.
#[derive(Debug, Default)]
pub(crate) struct HydrationTags {
    /// Inline data JSON (already safe in a script element): the first tag.
    data: Option<String>,
    /// A module script's URL: after the data.
    module: Option<String>,
    /// Every tag after the compact ones; while it is empty the compact fields may be added to.
    tags: Vec<HeadTag>,
}

impl HydrationTags {
    /// Adds the inline data script: `json` is `safe_json` output (no `<`: rendering writes it as is).
    pub(crate) fn push_inline_data(&mut self, json: String) {
        debug_assert!(!json.contains("</"), "inline data must be safe_json output");
        if self.tags.is_empty() && self.data.is_none() && self.module.is_none() {
            self.data = Some(json);
        } else {
            self.tags_mut().push(super::inline_data(json));
        }
    }

    /// Adds the link to data served at `url`.
    pub(crate) fn push_data_link(&mut self, url: String) {
        self.tags_mut().push(super::data_link(url));
    }

    /// Adds `<script src type="module">`.
    pub(crate) fn push_module(&mut self, src: String) {
        if self.tags.is_empty() && self.module.is_none() {
            self.module = Some(src);
        } else {
            self.tags_mut().push(crate::head::module_script(src));
        }
    }

    /// The tags as [`HeadTag`]s, to edit: the compact ones become tags first.
    pub(crate) fn tags_mut(&mut self) -> &mut Vec<HeadTag> {
        if self.data.is_some() || self.module.is_some() {
            let compact = self.data.take().map(super::inline_data);
            let module = self.module.take().map(crate::head::module_script);
            self.tags.splice(0..0, compact.into_iter().chain(module));
        }
        &mut self.tags
    }

    /// Each tag, in order, as rendering reads it.
    pub(crate) fn refs(&self) -> impl Iterator<Item = HeadRef<'_>> {
        let data = self.data.as_deref().map(HeadRef::InlineData);
        let module = self.module.as_deref().map(HeadRef::ModuleScript);
        data.into_iter().chain(module).chain(self.tags.iter().map(HeadRef::Tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::head::render_refs_into;

    fn rendered(tags: &HydrationTags) -> String {
        let mut out = String::new();
        render_refs_into(&mut out, tags.refs());
        out
    }

    /// Every order of pushes renders the same compact or not, and `tags_mut` keeps that order.
    #[test]
    fn compact_tags_render_and_convert_as_the_tags_they_stand_for() {
        type Push = fn(&mut HydrationTags, &mut Vec<HeadTag>);
        let data: Push = |h, v| {
            h.push_inline_data(r#"{"a":"<\/script>"}"#.into());
            v.push(crate::hydration::inline_data(r#"{"a":"<\/script>"}"#.into()));
        };
        let module: Push = |h, v| {
            h.push_module("/a.js?x=1&y=\"2\"".into());
            v.push(crate::head::module_script("/a.js?x=1&y=\"2\""));
        };
        let other: Push = |h, v| {
            h.push_module("/b.js".into());
            v.push(crate::head::module_script("/b.js"));
        };
        let link: Push = |h, v| {
            h.push_data_link("/data.json".into());
            v.push(crate::hydration::data_link("/data.json".into()));
        };
        let all = [data, module, other, link, data, module];
        for len in 0..=all.len() {
            for start in 0..all.len() {
                let mut compact = HydrationTags::default();
                let mut tags = Vec::new();
                for push in all.iter().cycle().skip(start).take(len) {
                    push(&mut compact, &mut tags);
                }
                let mut plain = String::new();
                crate::head::render_head_into(&mut plain, &tags);
                assert_eq!(rendered(&compact), plain, "{len} pushes from {start}");
                assert_eq!(compact.tags_mut(), &tags, "{len} pushes from {start}");
                assert_eq!(rendered(&compact), plain, "{len} pushes from {start}, after conversion");
            }
        }
    }
}
