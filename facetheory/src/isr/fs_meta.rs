//! ISR metadata in a directory, shared safely by several processes on one machine (two `serve`s, or a build and
//! a server): records are replaced atomically (temp file + rename), and a lease is a lock file created with an
//! atomic hard link, so exactly one process wins; an expired lock is taken over by an atomic rename, which
//! only one contender can perform.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::key::digest24;
use super::meta::{IsrRecord, Lease, MetaStore};
use crate::face::BoxFuture;
use crate::store::StoreError;

/// Metadata files under a root directory.
pub struct FsMetaStore {
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct MetaFile {
    key: String,
    record: IsrRecord,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(dir: &Path, tag: &str) -> PathBuf {
    dir.join(format!(".{tag}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)))
}

impl FsMetaStore {
    /// A store rooted at `root` (created as needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsMetaStore { root: root.into() }
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        // Long, collision-resistant file names; the key itself is stored inside and checked on read.
        let name = format!("{}{}", digest24(key), digest24(&format!("facetheory:{key}")));
        (self.root.join("meta").join(format!("{name}.json")), self.root.join("lock").join(format!("{name}.lock")))
    }
}

fn io(key: &str) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { key: key.to_string(), source }
}

fn write_atomic(path: &Path, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().expect("store paths have a parent");
    fs::create_dir_all(dir).map_err(io(key))?;
    let temp = unique(dir, "tmp");
    fs::write(&temp, bytes).map_err(io(key))?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        io(key)(e)
    })
}

fn read_lease(path: &Path) -> Option<Lease> {
    fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> BoxFuture<Result<T, StoreError>> {
    Box::pin(async move {
        tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
            Err(StoreError::Io { key: String::new(), source: std::io::Error::other(format!("store task failed: {e}")) })
        })
    })
}

impl MetaStore for FsMetaStore {
    fn get(&self, key: &str) -> BoxFuture<Result<Option<IsrRecord>, StoreError>> {
        let (meta, _) = self.paths(key);
        let key = key.to_string();
        blocking(move || {
            let bytes = match fs::read(&meta) {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(&key)(e)),
            };
            let file: MetaFile = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt { key: key.clone(), reason: format!("metadata file: {e}") })?;
            if file.key != key {
                return Err(StoreError::Corrupt { key, reason: "metadata file belongs to another key".into() });
            }
            Ok(Some(file.record))
        })
    }

    fn try_acquire_lease(&self, key: &str, now_ms: u64, lease_ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>> {
        let (_, lock) = self.paths(key);
        let key = key.to_string();
        blocking(move || {
            let dir = lock.parent().expect("lock paths have a parent").to_path_buf();
            fs::create_dir_all(&dir).map_err(io(&key))?;
            let lease = Lease { token: uuid::Uuid::new_v4().to_string(), expires_at_ms: now_ms + lease_ms };
            let temp = unique(&dir, "lease");
            fs::write(&temp, serde_json::to_vec(&lease).expect("lease serializes")).map_err(io(&key))?;
            let result = (|| {
                for _ in 0..3 {
                    match fs::hard_link(&temp, &lock) {
                        Ok(()) => return Ok(Some(lease.clone())),
                        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(io(&key)(e)),
                    }
                    match read_lease(&lock) {
                        Some(held) if held.expires_at_ms > now_ms => return Ok(None),
                        // Expired or unreadable (a crashed writer): take it over. Only one contender's rename
                        // succeeds; the others find the lock gone or renewed and loop.
                        _ => {
                            let tomb = unique(&dir, "expired");
                            if fs::rename(&lock, &tomb).is_ok() {
                                let _ = fs::remove_file(&tomb);
                            }
                        }
                    }
                }
                Ok(None)
            })();
            let _ = fs::remove_file(&temp);
            result
        })
    }

    fn commit(&self, key: &str, lease: &Lease, record: IsrRecord, now_ms: u64) -> BoxFuture<Result<bool, StoreError>> {
        let (meta, lock) = self.paths(key);
        let key = key.to_string();
        let lease = lease.clone();
        blocking(move || {
            match read_lease(&lock) {
                Some(held) if held.token == lease.token && held.expires_at_ms > now_ms => {}
                _ => return Ok(false),
            }
            let bytes = serde_json::to_vec(&MetaFile { key: key.clone(), record }).expect("metadata serializes");
            write_atomic(&meta, &key, &bytes)?;
            let _ = fs::remove_file(&lock);
            Ok(true)
        })
    }

    fn release(&self, key: &str, lease: &Lease) -> BoxFuture<Result<(), StoreError>> {
        let (_, lock) = self.paths(key);
        let token = lease.token.clone();
        blocking(move || {
            if read_lease(&lock).is_some_and(|held| held.token == token) {
                let _ = fs::remove_file(&lock);
            }
            Ok(())
        })
    }
}
