//! The identity of the running build, so that ISR pages rendered by one build are never served by another:
//! `FACETHEORY_BUILD_ID` when the deployment sets it, else a digest of the executable's size and modification
//! time (a rebuilt or redeployed binary gets a new one; every instance of one deployment shares it).

use std::sync::OnceLock;

/// The build identity (computed once; a `stat` of the executable, no hashing of its contents).
pub(crate) fn current() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        if let Some(id) = crate::config::build_id() {
            return id;
        }
        let stamp = std::env::current_exe().and_then(std::fs::metadata).map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{}:{}", m.len(), modified.map_or(0, |d| d.as_nanos()))
        });
        match stamp {
            Ok(stamp) => crate::digest::digest24(&format!("facetheory-build:{stamp}"))[..12].to_string(),
            Err(_) => "unknown".to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_within_a_process() {
        let id = super::current();
        assert!(!id.is_empty());
        assert_eq!(id, super::current());
    }
}
