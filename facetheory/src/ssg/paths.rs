//! From enumerated params to page paths and files: encoding, dot-segment refusal, the HTML layout, and
//! confinement to the output directory.

use std::path::{Component, Path, PathBuf};

use facetheory_codegen::route::{CatchAll, RoutePattern, Segment};
use sha2::{Digest, Sha256};

use super::OutputTrailingSlash;
use crate::face::StaticParams;
use crate::params::encode_uri_component;

/// Builds the path of one page of `route` from enumerated params.
pub fn page_path(route: &str, params: &StaticParams) -> Result<String, String> {
    let pattern = RoutePattern::parse(route).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for segment in pattern.segments() {
        match segment {
            Segment::Static(s) => {
                check_dot(s, route)?;
                out.push('/');
                out.push_str(s);
            }
            Segment::Param(name) => {
                let value = match params.get(name) {
                    Some([one]) if !one.is_empty() => one,
                    _ => return Err(format!("missing required route param {name:?}")),
                };
                check_dot(value, route)?;
                out.push('/');
                out.push_str(&encode_uri_component(value));
            }
            Segment::CatchAll { name, kind } => {
                let parts: Vec<&str> = params
                    .get(name)
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|p| p.split('/'))
                    .filter(|p| !p.is_empty())
                    .collect();
                if parts.is_empty() && *kind == CatchAll::OneOrMore {
                    return Err(format!("missing required catch-all param {name:?}"));
                }
                for part in parts {
                    check_dot(part, route)?;
                    out.push('/');
                    out.push_str(&encode_uri_component(part));
                }
            }
        }
    }
    Ok(if out.is_empty() { "/".into() } else { out })
}

fn check_dot(segment: &str, route: &str) -> Result<(), String> {
    if segment == "." || segment == ".." {
        return Err(format!("SSG route {route:?} contains prohibited dot-segment {segment:?}"));
    }
    Ok(())
}

/// The HTML file of a page, relative to the output directory.
pub fn html_file(path: &str, trailing_slash: OutputTrailingSlash) -> String {
    let trimmed = path.trim_matches('/');
    match (trimmed.is_empty(), trailing_slash) {
        (true, _) => "index.html".into(),
        (false, OutputTrailingSlash::Always) => format!("{trimmed}/index.html"),
        (false, OutputTrailingSlash::Never) => format!("{trimmed}.html"),
    }
}

/// `out.join(rel)`, refusing anything that could land outside `out` (absolute paths, `..`, backslashes,
/// empty segments).
pub(super) fn inside(out: &Path, rel: &str) -> Result<PathBuf, String> {
    if rel.contains('\\') || rel.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(format!("output path {rel:?} is not a plain relative path"));
    }
    let rel_path = Path::new(rel);
    if !rel_path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!("output path {rel:?} escapes the output directory"));
    }
    Ok(out.join(rel_path))
}

/// `sha256-<hex>` over the HTML and the hydration data.
pub fn content_hash(html: &[u8], hydration: Option<&[u8]>) -> String {
    let mut h = Sha256::new();
    h.update(b"facetheory:ssg-output:v1\0html\0");
    h.update(html);
    h.update(b"\0hydration-data\0");
    h.update(hydration.unwrap_or_default());
    let digest = h.finalize();
    format!("sha256-{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_encode_and_refuse_dot_segments() {
        let p = StaticParams::new().param("slug", "a b/c");
        assert_eq!(page_path("/blog/<slug>", &p).unwrap(), "/blog/a%20b%2Fc");
        let rest = StaticParams::new().segments("rest", ["a", "", "b c"]);
        assert_eq!(page_path("/docs/<rest*>", &rest).unwrap(), "/docs/a/b%20c");
        assert_eq!(page_path("/docs/<rest*>", &StaticParams::new()).unwrap(), "/docs");
        assert!(page_path("/docs/<rest+>", &StaticParams::new()).unwrap_err().contains("catch-all"));
        assert!(page_path("/blog/<slug>", &StaticParams::new()).unwrap_err().contains("\"slug\""));
        assert!(page_path("/blog/<slug>", &StaticParams::new().param("slug", ".."))
            .unwrap_err()
            .contains("dot-segment"));
        assert!(page_path("/d/<r+>", &StaticParams::new().segments("r", ["a", ".."])).is_err());
        assert_eq!(page_path("/", &StaticParams::new()).unwrap(), "/");
    }

    #[test]
    fn layout_and_confinement() {
        assert_eq!(html_file("/", OutputTrailingSlash::Always), "index.html");
        assert_eq!(html_file("/about", OutputTrailingSlash::Always), "about/index.html");
        assert_eq!(html_file("/about", OutputTrailingSlash::Never), "about.html");
        assert_eq!(html_file("/a/b/", OutputTrailingSlash::Never), "a/b.html");
        let out = Path::new("/tmp/out");
        assert!(inside(out, "a/../../etc/passwd").is_err());
        assert!(inside(out, "/etc/passwd").is_err());
        assert!(inside(out, "a\\b").is_err());
        assert_eq!(inside(out, "a/b.html").unwrap(), Path::new("/tmp/out/a/b.html"));
    }

    #[test]
    fn content_hash_covers_html_and_data() {
        let a = content_hash(b"<p>x</p>", None);
        assert!(a.starts_with("sha256-") && a.len() == 7 + 64);
        assert_ne!(a, content_hash(b"<p>x</p>", Some(b"{}")));
        assert_eq!(a, content_hash(b"<p>x</p>", Some(b"")));
    }
}
