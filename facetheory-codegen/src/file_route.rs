//! Routes inferred from file paths under `faces/` (Next.js-style names).
//!
//! | file | route |
//! |---|---|
//! | `index.rs` | `/` |
//! | `about.rs` | `/about` |
//! | `blog/index.rs` | `/blog` |
//! | `blog/[slug].rs` | `/blog/<slug>` |
//! | `docs/[...rest].rs` | `/docs/<rest+>` |
//! | `[[...rest]].rs` | `/<rest*>` |
//!
//! ```
//! use facetheory_codegen::file_route::route_for_file;
//! assert_eq!(route_for_file("blog/[slug].rs").unwrap().to_string(), "/blog/<slug>");
//! assert_eq!(route_for_file("index.rs").unwrap().to_string(), "/");
//! ```

use crate::route::RoutePattern;

/// Builds the route string for a path relative to the `faces/` directory (`/`-separated, ending in `.rs`).
pub fn route_string_for_file(relative: &str) -> Result<String, String> {
    let relative = relative.replace('\\', "/");
    let stem = relative.strip_suffix(".rs").ok_or_else(|| format!("`{relative}` is not a `.rs` file"))?;
    let mut parts: Vec<&str> = stem.split('/').collect();
    if parts.last() == Some(&"index") {
        parts.pop();
    }
    let mut route = String::new();
    for part in parts {
        route.push('/');
        if let Some(inner) = part.strip_prefix("[[...").and_then(|p| p.strip_suffix("]]")) {
            route.push_str(&format!("<{inner}*>"));
        } else if let Some(inner) = part.strip_prefix("[...").and_then(|p| p.strip_suffix(']')) {
            route.push_str(&format!("<{inner}+>"));
        } else if let Some(inner) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            route.push_str(&format!("<{inner}>"));
        } else if part.contains(['[', ']']) {
            return Err(format!(
                "file name part `{part}` has unbalanced brackets; use `[name]`, `[...name]` or `[[...name]]`"
            ));
        } else {
            route.push_str(part);
        }
    }
    if route.is_empty() {
        route.push('/');
    }
    Ok(route)
}

/// Infers and validates the route of a file relative to `faces/`.
pub fn route_for_file(relative: &str) -> Result<RoutePattern, String> {
    let route = route_string_for_file(relative)?;
    RoutePattern::parse(&route).map_err(|e| format!("file `{relative}` gives {}", e.render(&route)))
}

/// The part of `path` below its last `faces` directory component, if any (`/x/faces/blog/a.rs` → `blog/a.rs`).
pub fn relative_to_faces_dir(path: &str) -> Option<String> {
    let path = path.replace('\\', "/");
    let idx = path.rfind("/faces/").map(|i| i + "/faces/".len()).or_else(|| path.strip_prefix("faces/").map(|_| 6))?;
    Some(path[idx..].to_string())
}
