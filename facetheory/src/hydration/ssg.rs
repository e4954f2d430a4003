//! SSG hydration data files: a strict static page's data is written to `_facetheory/data/<path>.json` beside
//! the HTML, so both upload to S3 together.

/// URL prefix of SSG data files.
pub(crate) const SSG_DATA_PREFIX: &str = "/_facetheory/data";

/// The SSG hydration data file for a page path (`/` → `_facetheory/data/index.json`).
pub fn ssg_data_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "_facetheory/data/index.json".to_string()
    } else {
        format!("_facetheory/data/{trimmed}.json")
    }
}

/// The page path of a data file below the prefix (`index.json` → `/`, `blog/a.json` → `/blog/a`); `None`
/// for anything that is not a plain relative `.json` name.
pub(crate) fn page_of_data_path(rest: &str) -> Option<String> {
    let rest = rest.strip_suffix(".json")?;
    if rest.is_empty() || rest.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return None;
    }
    Some(if rest == "index" { "/".into() } else { format!("/{rest}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_paths_round_trip() {
        for path in ["/", "/about", "/blog/hello"] {
            let file = ssg_data_path(path);
            let rest = file.strip_prefix("_facetheory/data/").unwrap();
            assert_eq!(page_of_data_path(rest).as_deref(), Some(path));
        }
        assert_eq!(page_of_data_path("../x.json"), None);
        assert_eq!(page_of_data_path("a//b.json"), None);
        assert_eq!(page_of_data_path("a.txt"), None);
    }
}
