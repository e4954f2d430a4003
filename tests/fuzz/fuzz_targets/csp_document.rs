//! The strict-CSP document check against a WHATWG tokenizer (html5gum): a document the check accepts has no
//! start tag with an `on*` handler or a `style` attribute that a browser would see.
#![no_main]

use facetheory::csp::{validate_document, CspPolicy, CspSources};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else { return };
    // html5gum's raw-text list spells `noframe`; browsers (and the check) read `<noframes>` as raw text.
    if html.to_ascii_lowercase().contains("<noframes") {
        return;
    }
    if validate_document(html, &CspPolicy::STRICT, &CspSources::default()).is_err() {
        return;
    }
    let mut emitter = html5gum::DefaultEmitter::default();
    emitter.naively_switch_states(true);
    for token in html5gum::Tokenizer::new_with_emitter(html, emitter).flatten() {
        if let html5gum::Token::StartTag(tag) = token {
            for name in tag.attributes.keys() {
                let name = String::from_utf8_lossy(name).to_ascii_lowercase();
                // Browsers run `on` + letters (onclick, onload…): the names the check refuses.
                let handler = name.len() > 2 && name.starts_with("on") && name.as_bytes()[2].is_ascii_alphabetic();
                assert!(!handler, "accepted a handler {name:?} in {html:?}");
                assert_ne!(name, "style", "accepted a style attribute in {html:?}");
            }
            assert_ne!(&tag.name[..], b"style", "accepted a style tag in {html:?}");
        }
    }
});
