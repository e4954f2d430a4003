//! The link check after a build: every same-origin `href`, `src`, `srcset`, `action`, `formaction` and `poster` in
//! the written pages must reach something — a written file (page, asset, data), a route the app answers, or a
//! framework endpoint. An SSG route counts only for the pages the build wrote (any other path of it would be a
//! 404 from the bucket). Tags are found the way browsers find them (the strict-CSP tokenizer).

use std::collections::BTreeSet;
use std::path::Path;

use crate::app::App;
use crate::csp::tokenize::start_tags;
use crate::face::Mode;

/// What the build does with broken links (`build --links error|warn|off`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkCheck {
    /// Broken links fail the build (the default).
    #[default]
    Error,
    /// Broken links are listed; the build succeeds.
    Warn,
    /// No check.
    Off,
}

/// A link in a written page that reaches nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page's path (`/about`), or `/404.html`.
    pub page: String,
    /// The link as written.
    pub url: String,
    /// Where it is: `<a href>`, `<img src>`…
    pub at: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "- {} → {} ({})", self.page, self.url, self.at)
    }
}

/// Most links reported per build (the rest are counted, not listed).
pub(super) const MAX_REPORTED: usize = 1000;

const URL_ATTRS: [&str; 5] = ["href", "src", "action", "formaction", "poster"];

/// Checks the pages `(path, html)`; `written` are the page paths the build wrote.
pub(super) fn check(app: &App, out: &Path, pages: &[(String, String)], written: &BTreeSet<String>) -> Vec<BrokenLink> {
    let mut broken = Vec::new();
    for (page, html) in pages {
        let Ok(tags) = start_tags(html) else { continue };
        for tag in tags {
            if tag.name == "base" {
                continue;
            }
            for (name, raw) in &tag.attrs {
                let urls: Vec<String> = if name == "srcset" {
                    decode(raw).split(',').filter_map(|c| c.split_whitespace().next().map(str::to_string)).collect()
                } else if URL_ATTRS.contains(&name.as_str()) {
                    vec![decode(raw)]
                } else {
                    continue;
                };
                for url in urls {
                    let Some(path) = same_origin_path(page, &url) else { continue };
                    if !reaches(app, out, &path, written) && broken.len() < MAX_REPORTED {
                        broken.push(BrokenLink { page: page.clone(), url, at: format!("<{} {name}>", tag.name) });
                    }
                }
            }
        }
    }
    broken
}

/// The path a same-origin link points at (query and fragment dropped), resolved against the page; `None` for
/// another origin, another scheme, or a fragment of the page itself.
fn same_origin_path(page: &str, url: &str) -> Option<String> {
    let url = url.trim();
    let path = &url[..url.find(['?', '#']).unwrap_or(url.len())];
    if path.is_empty() {
        return None; // `#top`, `?page=2`, `""`: this page
    }
    if path.starts_with("//") {
        return None;
    }
    let scheme = path.find(':').is_some_and(|i| {
        path[..i].starts_with(|c: char| c.is_ascii_alphabetic())
            && path[..i].chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if scheme {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}{path}", &page[..page.rfind('/').map_or(0, |i| i + 1)])
    };
    let mut segments: Vec<&str> = Vec::new();
    for s in joined.split('/').skip(1) {
        match s {
            "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    Some(format!("/{}", segments.join("/")))
}

fn reaches(app: &App, out: &Path, path: &str, written: &BTreeSet<String>) -> bool {
    let trimmed = path.trim_end_matches('/');
    let rel = trimmed.trim_start_matches('/');
    let file = |r: &str| !r.split('/').any(|s| s == "..") && out.join(r).is_file();
    let page_file = if rel.is_empty() {
        file("index.html")
    } else {
        file(rel) || file(&format!("{rel}/index.html")) || file(&format!("{rel}.html"))
    };
    if page_file || written.contains(if trimmed.is_empty() { "/" } else { trimmed }) {
        return true;
    }
    match app.get_target(path) {
        Some(crate::app::Endpoint::Route(desc)) => desc.mode() != Some(Mode::Ssg),
        // Files the build writes (static directories, SSG data, runtime modules) were checked above.
        Some(crate::app::Endpoint::Reserved(r)) => r.origin() == crate::app::Origin::Lambda,
        None => false,
    }
}

/// Undoes the character references maud and browsers use in attribute values.
fn decode(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    raw.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::same_origin_path;

    #[test]
    fn links_resolve_against_the_page_and_other_origins_are_skipped() {
        assert_eq!(same_origin_path("/blog/post", "other").as_deref(), Some("/blog/other"));
        assert_eq!(same_origin_path("/blog/post", "../about?x=1#y").as_deref(), Some("/about"));
        assert_eq!(same_origin_path("/blog/post", "/assets/a.js").as_deref(), Some("/assets/a.js"));
        assert_eq!(same_origin_path("/", "./").as_deref(), Some("/"));
        for skipped in ["https://x.example/a", "//cdn.example/a", "mailto:a@b", "#top", "?page=2", "", "data:,x"] {
            assert_eq!(same_origin_path("/p", skipped), None, "{skipped}");
        }
    }
}
