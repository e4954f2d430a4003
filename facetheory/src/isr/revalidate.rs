//! On-demand revalidation: marking cached pages stale by tag or by path, and the tag rules.

use super::{IsrRuntime, MAX_TAGS, MAX_TAG_LEN};

/// Why on-demand revalidation failed.
#[derive(Debug, thiserror::Error)]
pub enum RevalidateError {
    /// A tag or path the call cannot use (nothing was marked).
    #[error("{0}")]
    Invalid(String),
    /// The metadata store failed (some pages may have been marked; calling again is safe).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl IsrRuntime {
    /// Marks stale every cached page tagged `tag` (by its face's `tags`, [`crate::Page::tag`], or the implicit
    /// `path:<path>` / `route:<pattern>` tags). Returns how many cached pages were marked; each regenerates on
    /// its next request, under the usual policies.
    pub async fn revalidate_tag(&self, tag: &str) -> Result<u64, RevalidateError> {
        self.revalidate(&[tag.to_string()], &[]).await
    }

    /// Marks stale every cached variant (query, cookies, tenants) of the page at `path` (as requested, e.g.
    /// `/blog/hello`; a trailing slash is ignored).
    pub async fn revalidate_path(&self, path: &str) -> Result<u64, RevalidateError> {
        self.revalidate(&[], &[path.to_string()]).await
    }

    /// Tags and paths together (what `POST /_facetheory/revalidate` calls).
    pub async fn revalidate(&self, tags: &[String], paths: &[String]) -> Result<u64, RevalidateError> {
        let mut all: Vec<String> = Vec::with_capacity(tags.len() + paths.len());
        for tag in tags {
            check_tag(tag).map_err(RevalidateError::Invalid)?;
            all.push(tag.clone());
        }
        for path in paths {
            if !path.starts_with('/') || path.chars().any(char::is_control) {
                return Err(RevalidateError::Invalid(format!(
                    "revalidate path {path:?} must start with '/' and contain no control characters"
                )));
            }
            all.push(path_tag(path));
        }
        let marked = self.meta().invalidate_tags(&all, self.now()).await?;
        tracing::info!(tags = ?all, marked, "ISR on-demand revalidation");
        Ok(marked)
    }
}

/// The implicit tag of a page path: a trailing slash (other than the root's) does not make a different page.
pub(super) fn path_tag(path: &str) -> String {
    let path = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    format!("path:{path}")
}

fn check_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("an ISR tag is empty".into());
    }
    if tag.len() > MAX_TAG_LEN {
        let start: String = tag.chars().take(40).collect();
        return Err(format!("ISR tag {start:?}… is longer than {MAX_TAG_LEN} bytes"));
    }
    if tag.chars().any(char::is_control) {
        return Err(format!("ISR tag {tag:?} contains a control character"));
    }
    Ok(())
}

/// Implicit tags first, then the page's, deduplicated; invalid tags and those over [`MAX_TAGS`] are dropped
/// with a warning (as Next.js does) rather than failing the page.
pub(super) fn checked_tags(key: &str, implicit: &[String; 2], tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = implicit.to_vec();
    for tag in tags {
        if let Err(problem) = check_tag(&tag) {
            tracing::warn!(key, "{problem}; tag dropped");
        } else if out.len() >= MAX_TAGS {
            tracing::warn!(key, tag, "a page carries more than {MAX_TAGS} ISR tags; tag dropped");
        } else if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}
