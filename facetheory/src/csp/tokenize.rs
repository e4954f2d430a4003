//! The start tags of a document, found the way browsers find them (the WHATWG tokenizer's tag-name,
//! attribute, comment and raw-text states), so that a strict-CSP check sees every inline handler a browser
//! would run: `<div title="a>b" onclick=…>` is one tag whose attributes are `title` and `onclick`, and
//! `<p"x=" onclick=…>` is a tag named `p"x="` with an `onclick`.

/// Attribute (lower-cased name, raw value) pairs, in document order.
pub(crate) type TagAttrs<'a> = Vec<(String, &'a str)>;

/// One start tag: its name and attributes (names lower-cased), and for `<script>` its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartTag<'a> {
    pub(crate) name: String,
    pub(crate) attrs: TagAttrs<'a>,
    /// The text up to the matching end tag, for `<script>`.
    pub(crate) body: Option<&'a str>,
}

/// A tag that does not end before the document does (a browser drops it; a strict check refuses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unterminated;

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// Every start tag in `html`, in order.
pub(crate) fn start_tags(html: &str) -> Result<Vec<StartTag<'_>>, Unterminated> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rel) = memchr(b'<', &b[i..]) {
        let lt = i + rel;
        let next = b.get(lt + 1).copied();
        match next {
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, attrs, end) = tag(html, lt + 1)?;
                i = end;
                match name.as_str() {
                    "script" => {
                        let body_end = script_end(b, i);
                        out.push(StartTag { name, attrs, body: Some(&html[i..body_end]) });
                        i = body_end;
                    }
                    "textarea" | "title" | "style" | "iframe" | "xmp" | "noembed" | "noframes" | "noscript" => {
                        i = end_tag_at(b, i, name.as_bytes()).unwrap_or(b.len());
                        out.push(StartTag { name, attrs, body: None });
                    }
                    "plaintext" => {
                        out.push(StartTag { name, attrs, body: None });
                        break;
                    }
                    _ => out.push(StartTag { name, attrs, body: None }),
                }
            }
            Some(b'/') => match b.get(lt + 2).copied() {
                Some(c) if c.is_ascii_alphabetic() => i = tag(html, lt + 2)?.2,
                Some(b'>') => i = lt + 3,
                None => break,
                // `</` and anything else: a bogus comment up to the next `>`.
                Some(_) => i = after_gt(b, lt + 2),
            },
            Some(b'!') => i = after_markup_declaration(b, lt),
            Some(b'?') => i = after_gt(b, lt + 1),
            _ => i = lt + 1,
        }
        if i >= b.len() {
            break;
        }
    }
    Ok(out)
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// Just past the next `>` at or after `from`, or the end (a bogus comment runs to the end of the input).
fn after_gt(b: &[u8], from: usize) -> usize {
    memchr(b'>', &b[from.min(b.len())..]).map_or(b.len(), |p| from + p + 1)
}

/// `<!--…-->` (also ended by `--!>`, and `<!-->` / `<!--->` at once), or `<!…>` (doctype, bogus comment).
fn after_markup_declaration(b: &[u8], lt: usize) -> usize {
    if !b[lt..].starts_with(b"<!--") {
        return after_gt(b, lt + 2);
    }
    let start = lt + 4;
    if b[start..].starts_with(b">") {
        return start + 1;
    }
    if b[start..].starts_with(b"->") {
        return start + 2;
    }
    let mut j = start;
    while j < b.len() {
        if b[j..].starts_with(b"-->") {
            return j + 3;
        }
        if b[j..].starts_with(b"--!>") {
            return j + 4;
        }
        j += 1;
    }
    b.len()
}

/// A tag from its name's first byte: (lower-cased name, attributes, index just past its `>`).
fn tag(html: &str, start: usize) -> Result<(String, TagAttrs<'_>, usize), Unterminated> {
    let b = html.as_bytes();
    let mut i = start;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = html[start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    // Before attribute name.
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            None => return Err(Unterminated),
            Some(b'>') => return Ok((name, attrs, i + 1)),
            Some(b'/') => {
                // Self-closing start tag state: `/>` ends the tag, anything else is another attribute.
                i += 1;
                if b.get(i) == Some(&b'>') {
                    return Ok((name, attrs, i + 1));
                }
                continue;
            }
            Some(_) => {}
        }
        // Attribute name: a leading `=` belongs to the name.
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = html[name_start..i].to_ascii_lowercase();
        // After attribute name.
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            attrs.push((attr, ""));
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i) {
            None => return Err(Unterminated),
            Some(&q @ (b'"' | b'\'')) => {
                let value_start = i + 1;
                let Some(len) = memchr(q, &b[value_start..]) else { return Err(Unterminated) };
                attrs.push((attr, &html[value_start..value_start + len]));
                i = value_start + len + 1;
                // After a quoted value anything but space, `/` or `>` starts the next attribute at once.
            }
            Some(b'>') => {
                attrs.push((attr, ""));
                return Ok((name, attrs, i + 1));
            }
            Some(_) => {
                let value_start = i;
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
                attrs.push((attr, &html[value_start..i]));
            }
        }
    }
}

/// `</name` (any case) followed by a space, `/` or `>`, at or after `from`.
fn end_tag_at(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut j = from;
    while let Some(p) = memchr(b'<', &b[j.min(b.len())..]) {
        let at = j + p;
        if is_end_tag(b, at, name) {
            return Some(at);
        }
        j = at + 1;
    }
    None
}

fn is_end_tag(b: &[u8], at: usize, name: &[u8]) -> bool {
    let end = at + 2 + name.len();
    b.len() > end
        && b[at + 1] == b'/'
        && b[at + 2..end].eq_ignore_ascii_case(name)
        && (is_space(b[end]) || b[end] == b'/' || b[end] == b'>')
}

fn is_script_start(b: &[u8], at: usize) -> bool {
    let end = at + 7;
    b.len() > end
        && b[at + 1..end].eq_ignore_ascii_case(b"script")
        && (is_space(b[end]) || b[end] == b'/' || b[end] == b'>')
}

/// Where a script's text ends, as the script-data states decide: at `</script` + delimiter, except inside
/// `<!-- … <script> … -->`, where a `</script>` only leaves the inner (double-escaped) part.
fn script_end(b: &[u8], from: usize) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    let mut j = from;
    while j < b.len() {
        match state {
            State::Data => {
                if b[j] == b'<' && is_end_tag(b, j, b"script") {
                    return j;
                }
                if b[j..].starts_with(b"<!--") {
                    // `<!-->` and `<!--->` close at once.
                    if b[j + 4..].starts_with(b">") {
                        j += 5;
                    } else if b[j + 4..].starts_with(b"->") {
                        j += 6;
                    } else {
                        state = State::Escaped;
                        j += 4;
                    }
                    continue;
                }
            }
            State::Escaped => {
                if b[j..].starts_with(b"-->") {
                    state = State::Data;
                    j += 3;
                    continue;
                }
                if b[j] == b'<' && is_end_tag(b, j, b"script") {
                    return j;
                }
                if b[j] == b'<' && is_script_start(b, j) {
                    state = State::DoubleEscaped;
                    j += 7;
                    continue;
                }
            }
            State::DoubleEscaped => {
                if b[j..].starts_with(b"-->") {
                    state = State::Data;
                    j += 3;
                    continue;
                }
                if b[j] == b'<' && is_end_tag(b, j, b"script") {
                    state = State::Escaped;
                    j += 8;
                    continue;
                }
            }
        }
        j += 1;
    }
    b.len()
}
