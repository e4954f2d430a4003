//! What the runtime and the `head!` macro must agree on about head tags: the fingerprint of a deduplication
//! key, HTML escaping, and which URLs a head may carry. The macro computes these at compile time for literal
//! tags; the runtime computes them for tags built at run time, with this very code, so both give equal
//! fingerprints (and bytes) for equal tags.

/// Most `(expressions)` one tag of a `head!` block may hold.
pub const MAX_VALUES: usize = 4;

/// The kinds of deduplication key, each folded into its fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Title = 1,
    Charset = 2,
    MetaName = 3,
    MetaProperty = 4,
    MetaHttpEquiv = 5,
    Link = 6,
    ScriptSrc = 7,
    ScriptId = 8,
    StyleId = 9,
    StyleEmotion = 10,
    Whole = 11,
    JsonLd = 12,
}

/// A cheap fingerprint of a key: equal keys give equal fingerprints, so only tags whose fingerprints match
/// are compared in full. It reads a string's length and its first and last 8 bytes, never the whole text.
///
/// ```
/// use facetheory_codegen::head_key::{Fingerprint, KeyKind};
/// let print = |name: &str| Fingerprint::new(KeyKind::MetaName).no_case(name).finish();
/// assert_eq!(print("Description"), print("description"));
/// assert_ne!(print("description"), print("keywords"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Fingerprint(u64);

impl Fingerprint {
    /// Starts the fingerprint of a key of `kind`.
    #[inline]
    pub const fn new(kind: KeyKind) -> Self {
        Fingerprint((kind as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    #[inline]
    const fn mix(mut self, v: u64) -> Self {
        self.0 = (self.0.rotate_left(29) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self
    }

    /// Folds in text compared exactly; with `lower`, bit 5 is set on every byte, which maps ASCII letters to
    /// lower case (and merges a few other bytes: a fingerprint may collide, never differ for equal keys). A
    /// `const fn`: fingerprints of fixed keys are computed at compile time.
    #[inline]
    pub const fn exact(self, s: &[u8], lower: bool) -> Self {
        let case = if lower { 0x20 } else { 0 };
        let head = if s.len() < 8 { s.len() } else { 8 };
        let tail = s.len().saturating_sub(8);
        self.mix(s.len() as u64).mix(word(s, 0, head, case)).mix(word(s, tail, s.len(), case))
    }

    /// Folds in text compared after Unicode lower-casing.
    #[inline]
    pub fn no_case(self, s: &str) -> Self {
        if s.is_ascii() {
            self.exact(s.as_bytes(), true)
        } else {
            // Rare: non-ASCII text may lower-case to ASCII (the Kelvin sign to `k`), so it is folded as its
            // lower case, with the same case bit as ASCII text.
            self.exact(s.to_lowercase().as_bytes(), true)
        }
    }

    /// The fingerprint.
    #[inline]
    pub const fn finish(self) -> u64 {
        self.0
    }
}

/// The bit a fingerprint sets in a 128-bit set of fingerprints: the runtime's quick "may a tag share this key"
/// check, and a `head!` block's precomputed set.
///
/// ```
/// use facetheory_codegen::head_key::print_bit;
/// assert_eq!(print_bit(3), 1 << 3);
/// assert_eq!(print_bit(130), 1 << 2);
/// ```
#[inline]
pub fn print_bit(print: u64) -> u128 {
    1u128 << (print % 128)
}

/// Where normalisation places a tag of this kind: charset metas (0), then titles (1), then the rest (2).
///
/// ```
/// use facetheory_codegen::head_key::{place_of, KeyKind};
/// assert_eq!([place_of(KeyKind::Charset), place_of(KeyKind::Title), place_of(KeyKind::Link)], [0, 1, 2]);
/// ```
pub fn place_of(kind: KeyKind) -> usize {
    match kind {
        KeyKind::Charset => 0,
        KeyKind::Title => 1,
        _ => 2,
    }
}

/// Bytes `from..to` of `s` (each or'ed with `case`) folded into one word, byte by byte (no copy call).
#[inline]
const fn word(s: &[u8], from: usize, to: usize, case: u8) -> u64 {
    let (mut w, mut i) = (0u64, from);
    while i < to {
        w = (w << 8) | (s[i] | case) as u64;
        i += 1;
    }
    w
}

/// Escapes text for HTML content and attribute values: `&`, `<`, `>`, `"`, `'` — the runtime's escaping, byte
/// for byte, for the macro to escape literals at compile time.
///
/// ```
/// assert_eq!(facetheory_codegen::head_key::escape_html("a<'b'>&\""), "a&lt;&#39;b&#39;&gt;&amp;&quot;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// True for an http(s) URL or a same-origin (relative) one: what a canonical link, a hydration bootstrap
/// module or a data URL may be.
///
/// ```
/// use facetheory_codegen::head_key::is_http_or_relative;
/// assert!(is_http_or_relative("https://a.example/x") && is_http_or_relative("/x"));
/// assert!(!is_http_or_relative("javascript:alert(1)"));
/// ```
pub fn is_http_or_relative(url: &str) -> bool {
    // Checked on every request for a page's bootstrap module: a URL that starts and ends with visible ASCII has
    // nothing to trim, and skipping `trim` keeps its Unicode white-space scan off that path.
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
    let url = if visible(url.as_bytes().first()) && visible(url.as_bytes().last()) { url } else { url.trim() };
    if url.is_empty() || has_control(url) {
        return false;
    }
    match url.find(':') {
        Some(colon) if !url[..colon].contains(['/', '?', '#']) => {
            let scheme = &url[..colon];
            scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
        }
        _ => true,
    }
}

/// True when `s` holds a control character (C0, DEL or C1). Bytes first, without early exit (vector
/// compares): C1 controls are the only ones outside ASCII, and they all start with 0xC2.
fn has_control(s: &str) -> bool {
    let suspect = s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == 0x7f) | (b == 0xc2));
    suspect && s.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_trimmed_before_their_scheme_is_read() {
        for good in ["/x", " /x ", "\u{a0}https://a.example/\u{3000}", "https://a.example", "/x\u{85}"] {
            assert!(is_http_or_relative(good), "{good:?}");
        }
        for bad in ["", " ", "\u{a0}", " javascript:alert(1)", "\u{2003}data:text/html,x", "java\nscript:x", ":y/z"] {
            assert!(!is_http_or_relative(bad), "{bad:?}");
        }
    }

    #[test]
    fn equal_keys_under_unicode_lower_case_have_equal_fingerprints() {
        let print = |s: &str| Fingerprint::new(KeyKind::MetaName).no_case(s).finish();
        // ASCII against a non-ASCII text lowering to the same: bytes without a case (`_`, digits) included.
        assert_eq!(print("\u{212A}_x9"), print("k_x9"));
        assert_eq!(print("K_X9"), print("k_x9"));
        assert_eq!(print("ÉTÉ_1"), print("été_1"));
        assert_ne!(Fingerprint::new(KeyKind::MetaName).finish(), Fingerprint::new(KeyKind::MetaProperty).finish());
    }
}
