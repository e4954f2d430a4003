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
