//! Strict Content-Security-Policy: the policy a page opts into, the header builder and nonces
//!, and the head and document checks that fail closed when a strict page carries inline code.
//!
//! Beyond FaceTheory: pages whose HTML is cached and shared (SSG, ISR) do not use a per-request nonce; their
//! allowed inline blocks (JSON-LD) are listed by `'sha256-…'` hash instead, so one cached document stays valid
//! for every viewer.
//!
//! ```
//! use facetheory::csp::{build_strict_csp_header, CspSources};
//! let header = build_strict_csp_header(&CspSources::nonce("abc123"), &[]).unwrap();
//! assert!(header.starts_with("default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; script-src 'self' 'nonce-abc123'"));
//! ```

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::head::{AttrValue, HeadTag};

pub(crate) mod tokenize;

/// Which inline channels a page allows. `false` disables a channel; a page is strict when scripts or styles
/// are disabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CspPolicy {
    /// Inline `<script>` bodies and `on*` handler attributes.
    pub inline_scripts: bool,
    /// `<style>` tags and `style` attributes.
    pub inline_styles: bool,
    /// Raw head HTML.
    pub raw_head: bool,
}

impl CspPolicy {
    /// No inline scripts, styles or raw head HTML.
    pub const STRICT: CspPolicy = CspPolicy { inline_scripts: false, inline_styles: false, raw_head: false };

    /// Every inline channel allowed and no CSP header: what a page without a policy gets. Opts one page out of
    /// an app-wide strict default ([`AppBuilder::csp`](crate::AppBuilder::csp)).
    pub const RELAXED: CspPolicy = CspPolicy { inline_scripts: true, inline_styles: true, raw_head: true };

    /// True when the page needs strict validation and a CSP header.
    pub fn is_strict(&self) -> bool {
        !self.inline_scripts || !self.inline_styles
    }
}

/// A strict page was rejected, or a CSP value is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("strict CSP: {0}")]
pub struct CspError(pub String);

fn err(msg: impl Into<String>) -> CspError {
    CspError(msg.into())
}

/// How inline blocks a strict page keeps (JSON-LD) are allowed: a per-request nonce (SSR) or hashes of their
/// exact bodies (cached pages).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CspSources {
    nonce: Option<String>,
    hashes: Vec<String>,
}

impl CspSources {
    /// Allow by nonce.
    pub fn nonce(nonce: impl Into<String>) -> Self {
        CspSources { nonce: Some(nonce.into()), hashes: Vec::new() }
    }

    /// Allow by the `sha256` hashes of these inline bodies.
    pub fn hashes<'a>(bodies: impl IntoIterator<Item = &'a str>) -> Self {
        let mut hashes: Vec<String> = bodies.into_iter().map(sha256_source).collect();
        hashes.sort();
        hashes.dedup();
        CspSources { nonce: None, hashes }
    }

    /// The nonce, if any.
    pub fn nonce_value(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
}

/// `'sha256-<base64>'` for an inline body, as browsers compute it.
pub fn sha256_source(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// A fresh nonce: 16 random bytes in standard base64 with padding (24 characters), as the TypeScript runtime does.
pub fn create_nonce() -> String {
    let mut bytes = [0u8; 16];
    // The OS generator only fails on platforms without one; fall back to the request-id generator's
    // OS-seeded state rather than panicking.
    if getrandom::fill(&mut bytes).is_err() {
        bytes.copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

const BASE: &[(&str, &str)] = &[
    ("default-src", "'self'"),
    ("base-uri", "'self'"),
    ("object-src", "'none'"),
    ("frame-ancestors", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
];

fn check_nonce(nonce: &str) -> Result<(), CspError> {
    if nonce.is_empty() || nonce.chars().any(|c| c.is_whitespace() || c == ';' || c == '\'' || c.is_control()) {
        return Err(err("nonce contains unsafe characters"));
    }
    Ok(())
}

/// Builds the strict header: FaceTheory's base directives in order, the nonce (or hashes) appended to
/// `script-src` and `style-src`, then `extra` directives — values appended to a base directive (deduplicated)
/// or new directives after the base ones, sorted by name. `unsafe-inline` / `unsafe-eval` are refused.
pub fn build_strict_csp_header(sources: &CspSources, extra: &[(&str, &[&str])]) -> Result<String, CspError> {
    let mut directives: Vec<(String, Vec<String>)> =
        BASE.iter().map(|(n, v)| (n.to_string(), v.split(' ').map(str::to_string).collect())).collect();
    if let Some(nonce) = &sources.nonce {
        check_nonce(nonce)?;
        for d in directives.iter_mut().filter(|(n, _)| n == "script-src" || n == "style-src") {
            d.1.push(format!("'nonce-{nonce}'"));
        }
    }
    if let Some(d) = directives.iter_mut().find(|(n, _)| n == "script-src") {
        d.1.extend(sources.hashes.iter().cloned());
    }
    let mut added: Vec<(String, Vec<String>)> = Vec::new();
    for (name, values) in extra {
        let name = name.trim().to_ascii_lowercase();
        let valid_name = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_name {
            return Err(err(format!("invalid directive name {name:?}")));
        }
        if values.is_empty() {
            return Err(err(format!("directive {name} has no values")));
        }
        let target = match directives.iter_mut().find(|(n, _)| *n == name) {
            Some(d) => &mut d.1,
            None => {
                added.push((name.clone(), Vec::new()));
                &mut added.last_mut().expect("just pushed").1
            }
        };
        for v in values.iter() {
            let v = v.trim();
            if v.is_empty() || v.contains(|c: char| c.is_whitespace() || c == ';') {
                return Err(err(format!("invalid value {v:?} for {name}")));
            }
            let lower = v.to_ascii_lowercase();
            if lower.trim_matches('\'') == "unsafe-inline" || lower.trim_matches('\'') == "unsafe-eval" {
                return Err(err(format!("{v} is not allowed in a strict policy")));
            }
            if !target.iter().any(|t| t == v) {
                target.push(v.to_string());
            }
        }
    }
    added.sort_by(|a, b| a.0.cmp(&b.0));
    directives.extend(added);
    Ok(directives.iter().map(|(n, v)| format!("{n} {}", v.join(" "))).collect::<Vec<_>>().join("; "))
}

fn is_json_ld(attrs: &crate::head::Attrs) -> bool {
    attrs
        .get("type")
        .is_some_and(|t| t.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/ld+json"))
}

/// A URL a strict page may load: same-origin (relative), not `scheme:` or `//host`.
pub fn is_same_origin_url(url: &str) -> bool {
    let url = url.trim();
    if url.is_empty() || url.starts_with("//") || url.contains('\\') || url.chars().any(|c| c.is_control()) {
        return false;
    }
    match url.find(':') {
        Some(colon) => url[..colon].contains(['/', '?', '#']),
        None => true,
    }
}

/// Checks head tags against a strict policy. JSON-LD blocks are the one inline script allowed: with a
/// nonce they must carry it, in hash mode they are hashed.
pub fn validate_head(tags: &[&HeadTag], policy: &CspPolicy, sources: &CspSources) -> Result<(), CspError> {
    for tag in tags {
        let attrs = match tag {
            HeadTag::Raw(_) if !policy.raw_head => return Err(err("raw head HTML is not allowed")),
            HeadTag::Raw(_) | HeadTag::Title(_) => continue,
            HeadTag::Meta(a) | HeadTag::Link(a) => a,
            HeadTag::Script { attrs, .. } | HeadTag::Style { attrs, .. } => attrs,
        };
        if !policy.inline_scripts && attrs.names().any(is_event_handler) {
            return Err(err("on* handler attributes are not allowed"));
        }
        if !policy.inline_styles && attrs.names().any(|n| n.eq_ignore_ascii_case("style")) {
            return Err(err("style attributes are not allowed"));
        }
        match tag {
            HeadTag::Script { attrs, body } if !policy.inline_scripts => {
                if !body.is_empty() {
                    let allowed = is_json_ld(attrs)
                        && (sources.nonce.is_none() || attrs.get("nonce") == sources.nonce.as_deref());
                    if !allowed {
                        return Err(err("inline script tags are not allowed"));
                    }
                }
                if let Some(src) = attrs.get("src") {
                    if !is_same_origin_url(src) {
                        return Err(err(format!("script src must be same-origin, got {src:?}")));
                    }
                }
            }
            HeadTag::Style { .. } if !policy.inline_styles => return Err(err("style tags are not allowed")),
            HeadTag::Link(a) if policy.is_strict() => {
                if let Some(href) = a.get("href") {
                    if !is_same_origin_url(href) {
                        return Err(err(format!("link href must be same-origin, got {href:?}")));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn is_event_handler(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 2 && b[..2].eq_ignore_ascii_case(b"on") && b[2].is_ascii_alphabetic()
}

/// Adds the request nonce to every script and style tag that has none.
pub(crate) fn apply_nonce(tags: &mut [HeadTag], nonce: &str) {
    for tag in tags {
        let attrs = match tag {
            HeadTag::Script { attrs, .. } | HeadTag::Style { attrs, .. } => attrs,
            // `<meta property="csp-nonce">` hands the nonce to client code that adds styles (Vite's dev client).
            HeadTag::Meta(attrs) if attrs.get("property") == Some("csp-nonce") => attrs,
            _ => continue,
        };
        if attrs.get("nonce").is_none_or(str::is_empty) {
            attrs.insert("nonce", AttrValue::Text(nonce.to_string().into()));
        }
    }
}

/// Checks a whole document, tag by tag as a browser tokenizes it (the WHATWG tag states). Under
/// `inline_scripts = false` every `<script>` needs a `src` or is a JSON-LD block allowed by `sources`, script
/// bodies must otherwise be empty, and `on*` attributes are rejected anywhere; under `inline_styles = false`,
/// `<style>` tags and `style` attributes are rejected.
pub fn validate_document(html: &str, policy: &CspPolicy, sources: &CspSources) -> Result<(), CspError> {
    let tags = tokenize::start_tags(html).map_err(|_| err("unterminated tag"))?;
    check_tags(&tags, policy, sources)
}

/// Appended to a streamed chunk before it is checked: it is seen as a tag only if the chunk ends in the data
/// state, where the next chunk begins.
const FRAGMENT_END: &str = "<facetheory-fragment-end>";

/// Checks one chunk of a streamed strict document as [`validate_document`] does, and that it ends outside any
/// tag, comment or raw-text element — so the browser reads the next chunk in the state the next check assumes.
///
/// ```
/// use facetheory::csp::{validate_fragment, CspPolicy, CspSources};
/// let (policy, sources) = (CspPolicy::STRICT, CspSources::nonce("abcdefghijklmnopqrstuv"));
/// assert!(validate_fragment("<section><p>ok</p></section>", &policy, &sources).is_ok());
/// assert!(validate_fragment("<p onclick=\"x()\">no</p>", &policy, &sources).is_err());
/// assert!(validate_fragment("<textarea>the next chunk would be text", &policy, &sources).is_err());
/// ```
pub fn validate_fragment(html: &str, policy: &CspPolicy, sources: &CspSources) -> Result<(), CspError> {
    let probe = format!("{html}{FRAGMENT_END}");
    let tags = tokenize::start_tags(&probe).map_err(|_| err("unterminated tag"))?;
    match tags.split_last() {
        Some((last, rest)) if last.name == "facetheory-fragment-end" && last.attrs.is_empty() => {
            check_tags(rest, policy, sources)
        }
        _ => Err(err("a streamed chunk must end outside any tag, comment or raw-text element")),
    }
}

fn check_tags(tags: &[tokenize::StartTag<'_>], policy: &CspPolicy, sources: &CspSources) -> Result<(), CspError> {
    for tag in tags {
        let name = tag.name.as_str();
        let attrs = &tag.attrs;
        if !policy.inline_scripts && attrs.iter().any(|(n, _)| is_event_handler(n)) {
            return Err(err(format!("on* handler attribute on <{name}>")));
        }
        if !policy.inline_styles {
            if name == "style" {
                return Err(err("style tags are not allowed"));
            }
            if attrs.iter().any(|(n, _)| n == "style") {
                return Err(err(format!("style attribute on <{name}>")));
            }
        }
        let Some(body) = tag.body else { continue };
        if policy.inline_scripts {
            continue;
        }
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        let json_ld = get("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
        let has_src = get("src").is_some();
        if body.trim().is_empty() {
            if !has_src && !json_ld {
                return Err(err("script without src"));
            }
            continue;
        }
        let allowed = json_ld
            && match &sources.nonce {
                Some(n) => get("nonce") == Some(n.as_str()),
                None => sources.hashes.contains(&sha256_source(body)),
            };
        if !allowed {
            return Err(err("inline script body"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
