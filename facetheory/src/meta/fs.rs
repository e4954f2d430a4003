//! ISR metadata in a directory, shared safely by several processes on one machine (two `serve`s, or a build and
//! a server): records are replaced atomically (temp file + rename), and a lease is a lock file created with an
//! atomic hard link, so exactly one process wins; an expired lock is taken over by an atomic rename, which
//! only one contender can perform.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{IsrRecord, Lease, MetaStore};
use crate::atomic_file::unique;
use crate::digest::digest24;
use crate::store::StoreError;
use crate::BoxFuture;

/// Metadata files under a root directory.
pub struct FsMetaStore {
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct MetaFile {
    key: String,
    record: IsrRecord,
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

    /// The index entry that records `key` under `tag`: `tags/<digest(tag)>/<digest(key)>.key`, holding the key.
    fn tag_entry(root: &Path, tag: &str, key: &str) -> PathBuf {
        root.join("tags").join(digest24(&format!("tag:{tag}"))).join(format!("{}.key", digest24(key)))
    }
}

fn read_record(meta: &Path, key: &str) -> Result<Option<IsrRecord>, StoreError> {
    let bytes = match fs::read(meta) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(key)(e)),
    };
    let file: MetaFile = serde_json::from_slice(&bytes)
        .map_err(|e| StoreError::Corrupt { key: key.to_string(), reason: format!("metadata file: {e}") })?;
    if file.key != key {
        return Err(StoreError::Corrupt {
            key: key.to_string(),
            reason: "metadata file belongs to another key".into(),
        });
    }
    Ok(Some(file.record))
}

fn io(key: &str) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { key: key.to_string(), source }
}

fn write_atomic(path: &Path, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
    crate::atomic_file::write(path, bytes).map_err(io(key))
}

/// Creates the lock file (atomic hard link), taking over an expired one.
fn acquire(lock: &Path, key: &str, now_ms: u64, lease_ms: u64) -> Result<Option<Lease>, StoreError> {
    let dir = lock.parent().expect("lock paths have a parent").to_path_buf();
    fs::create_dir_all(&dir).map_err(io(key))?;
    let lease = Lease { token: uuid::Uuid::new_v4().to_string(), expires_at_ms: now_ms.saturating_add(lease_ms) };
    let temp = unique(&dir, "lease");
    fs::write(&temp, serde_json::to_vec(&lease).expect("lease serializes")).map_err(io(key))?;
    let result = (|| {
        for _ in 0..3 {
            match fs::hard_link(&temp, lock) {
                Ok(()) => return Ok(Some(lease.clone())),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io(key)(e)),
            }
            match read_lease(lock) {
                Some(held) if held.expires_at_ms > now_ms => return Ok(None),
                // Expired or unreadable (a crashed writer): take it over. Only one contender's rename
                // succeeds; the others find the lock gone or renewed and loop.
                _ => {
                    let tomb = unique(&dir, "expired");
                    if fs::rename(lock, &tomb).is_ok() {
                        let _ = fs::remove_file(&tomb);
                    }
                }
            }
        }
        Ok(None)
    })();
    let _ = fs::remove_file(&temp);
    result
}

fn read_lease(path: &Path) -> Option<Lease> {
    fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

/// Runs the store's file I/O on the blocking pool; `key` names the work in a task failure.
fn blocking<T: Send + 'static>(
    key: &str,
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> BoxFuture<Result<T, StoreError>> {
    let key = key.to_string();
    Box::pin(async move {
        tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| Err(StoreError::Task { key, reason: e.to_string() }))
    })
}

impl MetaStore for FsMetaStore {
    fn reach(&self) -> crate::store::StoreReach {
        crate::store::StoreReach::Machine
    }

    fn get(&self, key: &str) -> BoxFuture<Result<Option<IsrRecord>, StoreError>> {
        let (meta, _) = self.paths(key);
        let key = key.to_string();
        blocking(&key.clone(), move || read_record(&meta, &key))
    }

    fn try_acquire_lease(&self, key: &str, now_ms: u64, lease_ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>> {
        let (_, lock) = self.paths(key);
        let key = key.to_string();
        blocking(&key.clone(), move || acquire(&lock, &key, now_ms, lease_ms))
    }

    fn commit(&self, key: &str, lease: &Lease, record: IsrRecord, now_ms: u64) -> BoxFuture<Result<bool, StoreError>> {
        let (meta, lock) = self.paths(key);
        let root = self.root.clone();
        let key = key.to_string();
        let lease = lease.clone();
        blocking(&key.clone(), move || {
            match read_lease(&lock) {
                Some(held) if held.token == lease.token && held.expires_at_ms > now_ms => {}
                _ => return Ok(false),
            }
            // Index first: an entry without a record is harmless, a record missing from the index is not.
            for tag in &record.tags {
                let entry = Self::tag_entry(&root, tag, &key);
                if !entry.exists() {
                    write_atomic(&entry, &key, key.as_bytes())?;
                }
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
        blocking(key, move || {
            if read_lease(&lock).is_some_and(|held| held.token == token) {
                let _ = fs::remove_file(&lock);
            }
            Ok(())
        })
    }

    fn invalidate_tags(&self, tags: &[String], now_ms: u64) -> BoxFuture<Result<u64, StoreError>> {
        let root = self.root.clone();
        let tags = tags.to_vec();
        let this = FsMetaStore { root: root.clone() };
        blocking("tag index", move || {
            let mut keys = std::collections::BTreeSet::new();
            for tag in &tags {
                let dir = Self::tag_entry(&root, tag, "").parent().expect("entries have a parent").to_path_buf();
                let entries = match fs::read_dir(&dir) {
                    Ok(e) => e,
                    Err(e) if e.kind() == ErrorKind::NotFound => continue,
                    Err(e) => return Err(io(tag)(e)),
                };
                for entry in entries.flatten() {
                    if entry.path().extension().is_some_and(|x| x == "key") {
                        if let Ok(key) = fs::read_to_string(entry.path()) {
                            keys.insert(key);
                        }
                    }
                }
            }
            let mut marked = 0;
            for key in keys {
                let (meta, lock) = this.paths(&key);
                // Read-modify-write under the key's lease, so that a commit is never overwritten by an older
                // record; a regeneration in progress is waited for (bounded by its lease).
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                let lease = loop {
                    if let Some(lease) = acquire(&lock, &key, now_ms, 5_000)? {
                        break Some(lease);
                    }
                    if std::time::Instant::now() > deadline {
                        break None;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                };
                let Some(lease) = lease else {
                    tracing::warn!(key, "ISR invalidation skipped: the key's lease stayed busy");
                    continue;
                };
                let result = (|| {
                    let Some(mut record) = read_record(&meta, &key)? else { return Ok(false) };
                    if !record.tags.iter().any(|t| tags.contains(t)) {
                        return Ok(false);
                    }
                    record.invalidated_at_ms = Some(now_ms);
                    let bytes =
                        serde_json::to_vec(&MetaFile { key: key.clone(), record }).expect("metadata serializes");
                    write_atomic(&meta, &key, &bytes)?;
                    Ok(true)
                })();
                if read_lease(&lock).is_some_and(|held| held.token == lease.token) {
                    let _ = fs::remove_file(&lock);
                }
                if result? {
                    marked += 1;
                }
            }
            Ok(marked)
        })
    }
}
