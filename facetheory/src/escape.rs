//! Escaping primitives shared by head rendering, documents and hydration.

/// Bytes [`escape_html_into`] replaces, as a table: one load per byte instead of five comparisons.
const HTML_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

/// Escapes `&`, `<`, `>`, `"`, `'` for HTML text and attribute values, appending to `out` (copies unescaped
/// runs in one go).
pub(crate) fn escape_html_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Most values need no escaping: a check without early exit compiles to vector compares.
    if !bytes.iter().fold(false, |any, &b| any | matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
        out.push_str(s);
        return;
    }
    let mut last = 0;
    let mut i = 0;
    while let Some(found) = bytes[i..].iter().position(|&b| HTML_SPECIAL[usize::from(b)]) {
        let at = i + found;
        // Special bytes are ASCII: both ends of the run are char boundaries.
        out.push_str(&s[last..at]);
        out.push_str(match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        i = at + 1;
        last = i;
    }
    out.push_str(&s[last..]);
}

/// Makes serialized JSON safe inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 become `\uXXXX`.
/// Copies the runs between them in one go.
pub(crate) fn escape_json_for_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    let bytes = json.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (rep, len) = match bytes[i] {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => ("\\u2028", 3),
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => ("\\u2029", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&json[last..i]);
        out.push_str(rep);
        i += len;
        last = i;
    }
    out.push_str(&json[last..]);
    out
}

/// `serde_json` serialization that is safe inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 (which
/// compact JSON can only hold inside strings) are written as `\uXXXX`.
pub(crate) fn safe_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    safe_json_into(&mut out, value)?;
    // serde_json writes UTF-8 and the escaping only replaces whole characters with ASCII.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(format!("serialized JSON is not UTF-8: {e}")))
}

/// [`safe_json`] appending to `out`: serde_json's compact output, then one check of what it wrote (vector
/// compares, no early exit); the rare value holding one of those characters is rewritten.
pub(crate) fn safe_json_into<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    serde_json::to_writer(&mut *out, value)?;
    let written = &out[start..];
    if !written.iter().fold(false, |any, &b| any | matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
        return Ok(());
    }
    let Ok(text) = std::str::from_utf8(written) else {
        return Err(serde::ser::Error::custom("serialized JSON is not UTF-8"));
    };
    let escaped = escape_json_for_html(text);
    out.truncate(start);
    out.extend_from_slice(escaped.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `head!` escapes literals at compile time with the codegen crate's escaper: it must give the bytes
        /// this one gives at run time.
        #[test]
        fn compile_time_escaping_matches_run_time(s in "[a-z<>&\"' é\u{2028}]{0,40}") {
            let mut out = String::new();
            escape_html_into(&mut out, &s);
            proptest::prop_assert_eq!(out, facetheory_codegen::head_key::escape_html(&s));
        }
    }

    #[test]
    fn html_and_json_escaping() {
        let mut out = String::new();
        escape_html_into(&mut out, r#"<a href="x">'&'</a>"#);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape_json_for_html(r#"{"a":"</script>&"}"#), r#"{"a":"\u003c/script\u003e\u0026"}"#);
        assert_eq!(safe_json(&"\u{2028}").unwrap(), r#""\u2028""#);
        // U+2027 (E2 80 A7) and other multi-byte characters stay as they are.
        assert_eq!(safe_json(&"a\u{2029}b\u{2027}é<").unwrap(), "\"a\\u2029b\u{2027}é\\u003c\"");
        assert_eq!(safe_json(&"plain").unwrap(), r#""plain""#);
        // Keys are strings too; escapes serde_json writes itself stay as they are.
        let map = std::collections::BTreeMap::from([("<k>", "a\"b\n&")]);
        assert_eq!(safe_json(&map).unwrap(), r#"{"\u003ck\u003e":"a\"b\n\u0026"}"#);
        // Raw JSON values are checked too, and appending keeps what was there.
        let raw = serde_json::value::RawValue::from_string(r#"{"x":"</script>"}"#.into()).unwrap();
        let mut out = b"prefix ".to_vec();
        safe_json_into(&mut out, &raw).unwrap();
        assert_eq!(out, br#"prefix {"x":"\u003c/script\u003e"}"#);
    }
}
