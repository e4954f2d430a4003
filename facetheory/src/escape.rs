//! Escaping primitives shared by head rendering, documents and hydration.

/// Escapes `&`, `<`, `>`, `"`, `'` for HTML text and attribute values, appending to `out` (copies unescaped
/// runs in one go).
pub(crate) fn escape_html_into(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
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

/// `serde_json` serialization followed by [`escape_json_for_html`] (skipped when nothing needs escaping).
pub(crate) fn safe_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    if json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&' | 0xE2)) {
        return Ok(escape_json_for_html(&json));
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
