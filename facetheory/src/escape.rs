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
pub(crate) fn escape_json_for_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `serde_json` serialization followed by [`escape_json_for_html`].
pub(crate) fn safe_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(value).map(|s| escape_json_for_html(&s))
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
    }
}
