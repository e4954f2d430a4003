use super::*;
use crate::head::{self, Attrs};

const BASE_HEADER: &str = "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'";

#[test]
fn header_matches_facetheory_base_and_extension_rules() {
    assert_eq!(build_strict_csp_header(&CspSources::default(), &[]).unwrap(), BASE_HEADER);
    let with_nonce = build_strict_csp_header(&CspSources::nonce("n0nce+/="), &[]).unwrap();
    assert!(with_nonce.contains("script-src 'self' 'nonce-n0nce+/='; style-src 'self' 'nonce-n0nce+/='"));
    let extended = build_strict_csp_header(
        &CspSources::nonce("n"),
        &[("IMG-SRC", &["https://cdn.example", "data:"]), ("worker-src", &["'self'"]), ("manifest-src", &["'self'"])],
    )
    .unwrap();
    assert!(extended.contains("img-src 'self' data: https://cdn.example;"), "{extended}");
    assert!(extended.ends_with("form-action 'self'; manifest-src 'self'; worker-src 'self'"), "{extended}");
    for bad in [
        build_strict_csp_header(&CspSources::default(), &[("script-src", &["'unsafe-inline'"])]),
        build_strict_csp_header(&CspSources::default(), &[("script-src", &["UNSAFE-EVAL"])]),
        build_strict_csp_header(&CspSources::default(), &[("img src", &["x"])]),
        build_strict_csp_header(&CspSources::default(), &[("img-src", &[])]),
        build_strict_csp_header(&CspSources::default(), &[("img-src", &["a;b"])]),
        build_strict_csp_header(&CspSources::nonce("a'b"), &[]),
        build_strict_csp_header(&CspSources::nonce("a b"), &[]),
    ] {
        assert!(bad.is_err());
    }
}

#[test]
fn hashes_go_to_script_src() {
    let sources = CspSources::hashes(["x", "x"]);
    assert_eq!(sha256_source("x"), "'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='");
    let header = build_strict_csp_header(&sources, &[]).unwrap();
    assert!(
        header.contains("script-src 'self' 'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='; style-src 'self';")
    );
}

#[test]
fn nonces_are_16_random_bytes_in_padded_base64() {
    let a = create_nonce();
    let b = create_nonce();
    assert_eq!(a.len(), 24);
    assert!(a.ends_with("=="));
    assert_ne!(a, b);
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&a).unwrap().len(), 16);
}

fn doc(html: &str, sources: &CspSources) -> Result<(), CspError> {
    validate_document(html, &CspPolicy::STRICT, sources)
}

#[test]
fn document_scanner_rejects_inline_code() {
    let none = CspSources::default();
    assert!(doc("<p>a < b and 1<2</p><script src=\"/a.js\" type=\"module\"></script>", &none).is_ok());
    assert!(doc("<script>alert(1)</script>", &none).is_err());
    assert!(doc("<script></script>", &none).is_err(), "a script with neither src nor JSON-LD type");
    assert!(doc("<SCRIPT>alert(1)</SCRIPT >", &none).is_err());
    assert!(doc("<button/onclick=alert(1)>x</button>", &none).is_err());
    assert!(doc("<img src=x onerror='x'>", &none).is_err());
    assert!(doc("<a href=\"/x\" data-online=\"1\">x</a>", &none).is_ok(), "data-online is not a handler");
    assert!(doc("<div style=\"color:red\">x</div>", &none).is_err());
    assert!(doc("<style>p{}</style>", &none).is_err());
    assert!(doc("<p title=\"<script>\">text</p>", &none).is_ok(), "text inside an attribute value is not a tag");
    assert!(doc("<scriptx>alert(1)</scriptx>", &none).is_ok());
    assert!(doc("<script src=/a.js></script ><p>", &none).is_ok());
    assert!(doc("<p", &none).is_err());
}

#[test]
fn json_ld_needs_the_nonce_or_its_hash() {
    let ld = "<script nonce=\"abc\" type=\"application/ld+json\">{\"a\":1}</script>";
    assert!(doc(ld, &CspSources::nonce("abc")).is_ok());
    assert!(doc(ld, &CspSources::nonce("other")).is_err());
    let no_nonce = "<script type=\"application/ld+json\">{\"a\":1}</script>";
    assert!(doc(no_nonce, &CspSources::hashes(["{\"a\":1}"])).is_ok());
    assert!(doc(no_nonce, &CspSources::hashes(["{\"a\":2}"])).is_err());
    assert!(doc(no_nonce, &CspSources::default()).is_err());
}

#[test]
fn head_checks() {
    let strict = CspPolicy::STRICT;
    let nonce = CspSources::nonce("n");
    let check = |tags: Vec<HeadTag>| {
        let refs: Vec<&HeadTag> = tags.iter().collect();
        validate_head(&refs, &strict, &nonce)
    };
    assert!(check(vec![head::module_script("/assets/app.js"), head::stylesheet("/assets/app.css")]).is_ok());
    assert!(check(vec![HeadTag::Raw("<meta>".into())]).is_err());
    assert!(check(vec![head::module_script("https://cdn.example/app.js")]).is_err());
    assert!(check(vec![head::module_script("//evil.example/app.js")]).is_err());
    assert!(check(vec![head::module_script("/\\evil.example/app.js")]).is_err());
    assert!(check(vec![head::stylesheet("https://cdn.example/a.css")]).is_err());
    assert!(check(vec![HeadTag::Style { attrs: Attrs::new(), css: "p{}".into() }]).is_err());
    assert!(check(vec![HeadTag::Meta(Attrs::new().set("name", "x").set("onload", "y"))]).is_err());
    let mut ld = vec![head::json_ld(&serde_json::json!({"a": 1})).unwrap()];
    assert!(check(ld.clone()).is_err(), "JSON-LD without the nonce");
    apply_nonce(&mut ld, "n");
    assert!(check(ld).is_ok());
    assert!(check(vec![HeadTag::Script { attrs: Attrs::new().set("nonce", "n"), body: "alert(1)".into() }]).is_err());
}

#[test]
fn handlers_hidden_from_a_naive_scanner_are_found() {
    let none = CspSources::default();
    // A `>` inside a quoted value does not end the tag.
    assert!(doc("<div title=\"a>b\" onclick=alert(1)>x</div>", &none).is_err());
    assert!(doc("<div title='a>b' onclick=alert(1)>x</div>", &none).is_err());
    // Quotes in a tag name belong to the name: `p"x="` is the tag, `onclick` its attribute.
    assert!(doc("<p\"x=\" onclick=alert(1)>x</p>", &none).is_err());
    // After a quoted value, the next attribute may start at once; `/` separates attributes.
    assert!(doc("<img src=\"x\"onerror=alert(1)>", &none).is_err());
    assert!(doc("<svg/onload=alert(1)>", &none).is_err());
    // A leading `=` is part of an attribute name; the handler after it still counts.
    assert!(doc("<a =x onmouseover=alert(1)>x</a>", &none).is_err());
    // Upper case.
    assert!(doc("<IMG SRC=x ONERROR=alert(1)>", &none).is_err());
}

#[test]
fn text_a_browser_never_reads_as_tags_is_not_flagged() {
    let none = CspSources::default();
    assert!(doc("<!-- <div onclick=x> -->ok", &none).is_ok(), "a comment");
    assert!(doc("<!--> <p>ok</p>", &none).is_ok(), "an abruptly closed comment");
    assert!(doc("<textarea><img onerror=x></textarea>", &none).is_ok(), "RCDATA");
    assert!(doc("<title><b onclick=x></title>", &none).is_ok(), "RCDATA");
    assert!(doc("<!doctype html><p>ok</p>", &none).is_ok());
    assert!(doc("</p onclick=x>", &none).is_ok(), "an end tag's attributes are dropped by browsers");
    // But a comment closed by `--!>` ends there, and what follows is markup again.
    assert!(doc("<!-- x --!><img onerror=x>", &none).is_err());
    assert!(doc("<textarea></textarea ><img onerror=x>", &none).is_err());
}

#[test]
fn script_text_ends_where_browsers_end_it() {
    let none = CspSources::default();
    let json_ld = r#"{"a":1}"#;
    let hashes = CspSources::hashes([json_ld]);
    let ld = |body: &str| format!(r#"<script type="application/ld+json">{body}</script>"#);
    assert!(doc(&ld(json_ld), &hashes).is_ok());
    // Inside `<!--<script>` a `</script>` does not end the script: the whole text is the body, whose hash
    // is not the allowed one.
    assert!(doc(&ld(&format!("{json_ld}<!--<script></script><img onerror=x>-->")), &hashes).is_err());
    assert!(doc("<script src=/a.js></script><p onclick=x>", &none).is_err(), "markup after the script");
}

/// Start tags as html5gum (a WHATWG-conformant tokenizer, with the same raw-text switches) sees them: name and
/// the set of attribute names.
fn reference_tags(html: &str) -> Vec<(String, std::collections::BTreeSet<String>)> {
    let mut emitter = html5gum::DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut out = Vec::new();
    for token in html5gum::Tokenizer::new_with_emitter(html, emitter).flatten() {
        if let html5gum::Token::StartTag(tag) = token {
            let name = String::from_utf8_lossy(&tag.name).into_owned();
            let attrs = tag.attributes.keys().map(|k| String::from_utf8_lossy(k).into_owned()).collect();
            out.push((name, attrs));
        }
    }
    out
}

fn our_tags(html: &str) -> Option<Vec<(String, std::collections::BTreeSet<String>)>> {
    let tags = super::tokenize::start_tags(html).ok()?;
    Some(tags.into_iter().map(|t| (t.name, t.attrs.into_iter().map(|(n, _)| n).collect())).collect())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 20000, ..Default::default() })]

    /// Differential: on tag soup built from the characters that matter to the tokenizer, every start tag and
    /// attribute name we find is one a browser's tokenizer finds (inputs ending inside a tag, which browsers
    /// drop and we refuse, are skipped).
    #[test]
    fn start_tags_match_a_whatwg_tokenizer(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "<", ">", "/", "=", "\"", "'", " ", "\n", "!", "-", "?", "a", "p", "on", "click", "x",
            "<p", "<a ", "</p>", "<!--", "-->", "--!>", "<script>", "</script>", "<!--<script>", "<textarea>",
            "</textarea>", "<title>", "</title>", "<style>", "</style>", "<div title=\"a>b\" ", "onclick=y",
            "<img/", "<!doctype html>", "<?x>", "</", "<b", "SCRIPT", "<SCRIPT>",
        ]), 0..24)
    ) {
        let html: String = parts.concat();
        if let Some(ours) = our_tags(&html) {
            proptest::prop_assert_eq!(ours, reference_tags(&html), "input: {:?}", html);
        }
    }
}

#[test]
fn the_reference_tokenizer_agrees_on_known_vectors() {
    let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<std::collections::BTreeSet<_>>();
    for (html, expected) in [
        ("<div title=\"a>b\" onclick=x>", vec![("div", set(&["title", "onclick"]))]),
        ("<p\"x=\" onclick=x>", vec![("p\"x=\"", set(&["onclick"]))]),
        ("<!-- <a onclick=x> --><b>", vec![("b", set(&[]))]),
        ("<script><!--<script></script><i onclick=x>--></script><u>", vec![("script", set(&[])), ("u", set(&[]))]),
    ] {
        let expected: Vec<(String, _)> = expected.into_iter().map(|(n, a)| (n.to_string(), a)).collect();
        assert_eq!(reference_tags(html), expected, "reference on {html:?}");
        assert_eq!(our_tags(html), Some(expected), "ours on {html:?}");
    }
}

#[test]
fn the_nonce_reaches_scripts_styles_and_the_csp_nonce_meta_only() {
    use crate::head::HeadTag;
    let mut tags = vec![
        HeadTag::Meta(Attrs::new().set("property", "csp-nonce")),
        HeadTag::Meta(Attrs::new().set("name", "description").set("content", "x")),
        crate::head::module_script("/@vite/client"),
    ];
    super::apply_nonce(&mut tags, "n0nce");
    let html: Vec<String> = tags.iter().map(|t| t.render()).collect();
    assert_eq!(html[0], r#"<meta nonce="n0nce" property="csp-nonce">"#);
    assert!(!html[1].contains("nonce"), "{}", html[1]);
    assert!(html[2].contains(r#"nonce="n0nce""#), "{}", html[2]);
}
