//! Replacing a file atomically: write a uniquely named temporary file in the same directory, then rename it
//! over the target, so readers (other tasks, other processes) see the old content or the new, never a mix.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name in `dir` no other writer (thread or process) uses: `.<tag>-<pid>-<n>`.
pub(crate) fn unique(dir: &Path, tag: &str) -> PathBuf {
    dir.join(format!(".{tag}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)))
}

/// Writes `bytes` to `path` atomically, creating the directory as needed.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temp = unique(dir, "tmp");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("facetheory-atomic-{}", uuid::Uuid::new_v4()));
        let path = dir.join("a/b.txt");
        super::write(&path, b"one").unwrap();
        super::write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.join("a")).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
