//! A strict, borrowed JSON reader for the event fast path.
//!
//! The fast path reads a dozen members of a ~1 KB event. Through serde_json's derive, every key is parsed into
//! a string, matched against the struct's field names and its value handed over through a visitor; that was
//! more than half of the cost of turning an event into a request. This reader walks the bytes once, hands each
//! key to the caller as a borrowed `&str` (decoded only when it has escapes) and skips what is not asked for.
//!
//! It is at least as strict as serde_json: anything it does not fully understand (a lone surrogate escape,
//! nesting deeper than [`MAX_DEPTH`], trailing bytes) is `None`, and the event then takes the full path, which
//! decides. It never panics and its cost is linear in the input.

use std::borrow::Cow;

/// Deeper values than this are refused (serde_json's own limit is 128).
pub(crate) const MAX_DEPTH: usize = 64;

/// A cursor over one JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Reader { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after whitespace, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
        bytes.get(self.pos).copied()
    }

    /// Consumes `b` when it comes next.
    fn eat(&mut self, b: u8) -> bool {
        let next = self.peek() == Some(b);
        self.pos += usize::from(next);
        next
    }

    /// Consumes `word` (`true`, `false`, `null`) when it comes next.
    fn literal(&mut self, word: &[u8]) -> bool {
        self.peek();
        let next = self.bytes()[self.pos..].starts_with(word);
        if next {
            self.pos += word.len();
        }
        next
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Option<()> {
        (self.peek().is_none()).then_some(())
    }

    /// Consumes `null` when it comes next.
    pub(crate) fn null(&mut self) -> bool {
        self.literal(b"null")
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// An object: `member` is called with each key and must read the member's value.
    pub(crate) fn object(&mut self, mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            member(self, key)?;
            if !self.eat(b',') {
                return self.eat(b'}').then_some(());
            }
        }
    }

    /// An array: `item` is called for each element and must read it.
    pub(crate) fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.eat(b'[') {
            return None;
        }
        if self.eat(b']') {
            return Some(());
        }
        loop {
            item(self)?;
            if !self.eat(b',') {
                return self.eat(b']').then_some(());
            }
        }
    }

    /// A string, borrowed when it has no escapes.
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        if !self.eat(b'"') {
            return None;
        }
        let bytes = self.bytes();
        let start = self.pos;
        self.pos = scan(bytes, self.pos);
        match *bytes.get(self.pos)? {
            b'"' => {
                let s = self.text.get(start..self.pos)?;
                self.pos += 1;
                return Some(Cow::Borrowed(s));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::from(self.text.get(start..self.pos)?);
        loop {
            let run = self.pos;
            self.pos = scan(bytes, self.pos);
            if *bytes.get(self.pos)? < 0x20 {
                return None;
            }
            out.push_str(self.text.get(run..self.pos)?);
            if bytes[self.pos] == b'"' {
                self.pos += 1;
                return Some(Cow::Owned(out));
            }
            self.pos += 1;
            let escaped = match *bytes.get(self.pos)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let first = self.hex4()?;
                    let code = match first {
                        0xD800..=0xDBFF => {
                            // A high surrogate needs its low half right after it.
                            if bytes.get(self.pos + 1..self.pos + 3) != Some(b"\\u") {
                                return None;
                            }
                            self.pos += 2;
                            let low = self.hex4()?;
                            if !(0xDC00..=0xDFFF).contains(&low) {
                                return None;
                            }
                            0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return None,
                        c => c,
                    };
                    char::from_u32(code)?
                }
                _ => return None,
            };
            out.push(escaped);
            self.pos += 1;
        }
    }

    /// The four hex digits after `u` at `pos`; leaves `pos` on the last one.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes().get(self.pos + 1..self.pos + 5)?;
        let mut code = 0;
        for &d in digits {
            code = code * 16 + char::from(d).to_digit(16)?;
        }
        self.pos += 4;
        Some(code)
    }

    /// A number's text, checked against JSON's grammar.
    fn number(&mut self) -> Option<&'a str> {
        self.peek();
        let bytes = self.bytes();
        let start = self.pos;
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos)? {
            b'0' => pos += 1,
            b'1'..=b'9' => {
                digits(&mut pos);
            }
            _ => return None,
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if !digits(&mut pos) {
                return None;
            }
        }
        self.pos = pos;
        self.text.get(start..pos)
    }

    /// An integer that fits an `i64`, as serde_json reads one: no fraction or exponent, and not `-0` (which
    /// serde_json reads as a float).
    pub(crate) fn integer(&mut self) -> Option<i64> {
        let text = self.number()?;
        if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            return None;
        }
        let value: i64 = text.parse().ok()?;
        (value != 0 || !text.starts_with('-')).then_some(value)
    }

    /// Skips one value of any kind, checking it.
    pub(crate) fn skip(&mut self) -> Option<()> {
        self.skip_at(0)
    }

    fn skip_at(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|r, _| r.skip_at(depth + 1)),
            b'[' => self.array(|r| r.skip_at(depth + 1)),
            b't' | b'f' => self.bool().map(drop),
            b'n' => self.null().then_some(()),
            _ => self.number().map(drop),
        }
    }

    /// `null` (`None`) or a string.
    pub(crate) fn optional_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(Some)
    }

    /// `null` (`false`) or any other value, skipped (`true`).
    pub(crate) fn present(&mut self) -> Option<bool> {
        if self.null() {
            return Some(false);
        }
        self.skip().map(|()| true)
    }
}

/// The index of the first `"`, `\\` or control character in `bytes` from `from` (`bytes.len()` when none): eight
/// bytes at a time, then one by one.
fn scan(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `v` is flagged when it is zero; only bytes above a true one can be flagged wrongly (the borrow),
    // so the lowest flagged byte is always a true one.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let stop = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(|&b| b >= 0x20 && b != b'"' && b != b'\\') {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(text: &str) -> bool {
        let mut r = Reader::new(text);
        r.skip().and_then(|()| r.end()).is_some()
    }

    /// Every value serde_json takes, this takes; what it refuses, this refuses (or refuses more).
    #[test]
    fn agrees_with_serde_json_on_what_is_json() {
        let cases = [
            r#"{"a":[1,-0,0.5,1e9,-2.5E-3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"],"b":{}}"#,
            "  [ ]  ",
            "{}",
            r#""plain""#,
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "[1 2]",
            "nul",
            "truex",
            "\"\\x\"",
            "\"\\u12\"",
            "\"tab\there\"",
            "[\"a\"] x",
            "\"unterminated",
            "{\"a\":",
        ];
        for case in cases {
            let serde_ok = serde_json::from_str::<serde::de::IgnoredAny>(case).is_ok();
            assert_eq!(skips(case), serde_ok, "{case:?}");
        }
        // Stricter than serde_json where the full path decides: lone surrogates and deep nesting.
        assert!(!skips(r#""\ud83d""#) && !skips(r#""\ude00x""#) && !skips(r#""\ud83d\u0041""#));
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(!skips(&deep));
        let shallow = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(skips(&shallow));
    }

    /// The word-at-a-time scan stops exactly where the byte-by-byte one does, at every offset and for every
    /// stopping byte, after ASCII and multi-byte text alike.
    #[test]
    fn the_scan_stops_at_the_first_stopping_byte() {
        let slow = |b: &[u8], from: usize| (from..b.len()).find(|&i| b[i] < 0x20 || b[i] == b'"' || b[i] == b'\\');
        for filler in [b'a', 0x7f, 0xc3, 0xff, 0x21, 0x5b] {
            for len in 0..40 {
                for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    for at in 0..=len {
                        let mut bytes = vec![filler; len];
                        if at < len {
                            bytes[at] = stop;
                        }
                        for from in [0, 1, 3] {
                            let want = slow(&bytes, from.min(len)).unwrap_or(len);
                            assert_eq!(scan(&bytes, from.min(len)), want, "{bytes:?} from {from}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let mut r = Reader::new(r#"["plain", "a\"b\u00e9\ud83d\ude00"]"#);
        let mut got = Vec::new();
        r.array(|r| r.string().map(|s| got.push(s))).unwrap();
        assert!(matches!(got[0], Cow::Borrowed("plain")));
        assert!(matches!(&got[1], Cow::Owned(s) if s == "a\"bé😀"));
    }

    #[test]
    fn integers_are_read_as_serde_json_reads_an_i64() {
        let cases = ["0", "-0", "-00", "7", "-7", "1795330400000", "1.0", "1e3", "9223372036854775807"];
        for text in cases.into_iter().chain(["9223372036854775808", "-9223372036854775808", "-9223372036854775809"]) {
            assert_eq!(Reader::new(text).integer(), serde_json::from_str::<i64>(text).ok(), "{text}");
        }
        assert_eq!(Reader::new("\"1\"").integer(), None);
    }

    #[test]
    fn objects_hand_over_decoded_keys() {
        let mut r = Reader::new(r#"{"raw\u0050ath":"/a","n":null}"#);
        let mut keys = Vec::new();
        r.object(|r, k| {
            keys.push(k.into_owned());
            r.skip()
        })
        .unwrap();
        assert_eq!(keys, ["rawPath", "n"]);
    }
}
