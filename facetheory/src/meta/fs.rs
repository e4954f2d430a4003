//! ISR metadata in a directory, shared safely by several processes on one machine (two `serve`s, or a build and
//! a server): records are replaced atomically (temp file + rename), and a lease is a lock file created with an
//! atomic hard link, so exactly one process wins; an expired lock is taken over by an atomic rename, which
//! only one contender can perform.

use std::collections::HashMap;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::{IsrRecord, Lease, MetaStore};
use crate::atomic_file::unique;
use crate::digest::digest24;
use crate::store::StoreError;
use crate::BoxFuture;

/// Metadata files under a root directory.
pub struct FsMetaStore {
    root: PathBuf,
    /// Records already parsed, by metadata file, with the file's identity when read: a hit costs one `stat`
    /// instead of a read and a JSON parse on the blocking pool. Another process's write replaces the file
    /// (a new inode, mtime and size), so a changed file is always read again.
    parsed: Arc<Mutex<ParsedRecords>>,
}

#[derive(Default)]
struct ParsedRecords {
    by_key: HashMap<String, Parsed>,
    /// The `meta` directory, open: a hit stats its file relative to it (`fstatat`) instead of walking the root's
    /// whole path. Dropped when a stat through it fails (the file or the directory was removed or replaced)
    /// and opened again on the next hit.
    dir: Option<Arc<rustix::fd::OwnedFd>>,
}

/// A record parsed from a metadata file, with the file and its identity when read.
struct Parsed {
    /// The file's name in the `meta` directory (shared: a hit takes it out of the lock without a copy).
    name: Arc<str>,
    identity: FileIdentity,
    record: Arc<IsrRecord>,
}

/// Most parsed records kept (then the cache starts over).
const MAX_PARSED: usize = 10_000;

/// What changes when a metadata file is replaced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct FileIdentity {
    ino: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileIdentity {
    fn of(m: &fs::Metadata) -> FileIdentity {
        use std::os::unix::fs::MetadataExt;
        FileIdentity {
            ino: m.ino(),
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
        }
    }

    /// The same from `fstatat` (the field types differ by platform; every value fits).
    #[allow(clippy::unnecessary_cast)]
    fn of_stat(s: &rustix::fs::Stat) -> FileIdentity {
        FileIdentity {
            ino: s.st_ino as u64,
            len: s.st_size as u64,
            mtime_ns: s.st_mtime as i128 * 1_000_000_000 + s.st_mtime_nsec as i128,
            ctime_ns: s.st_ctime as i128 * 1_000_000_000 + s.st_ctime_nsec as i128,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct MetaFile {
    key: String,
    record: IsrRecord,
}

impl FsMetaStore {
    /// A store rooted at `root` (created as needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsMetaStore { root: root.into(), parsed: Default::default() }
    }

    /// The record parsed earlier for `key`, if its file has not changed since (no digest, one `stat`).
    fn parsed_if_current(&self, key: &str) -> Option<Arc<IsrRecord>> {
        let (name, dir) = {
            let parsed = self.lock_parsed();
            (Arc::clone(&parsed.by_key.get(key)?.name), parsed.dir.clone())
        };
        let dir = match dir {
            Some(dir) => dir,
            None => self.open_meta_dir()?,
        };
        let Ok(stat) = rustix::fs::statat(&*dir, &*name, rustix::fs::AtFlags::empty()) else {
            // Removed, or the directory itself replaced: the caller reads the file by its path.
            self.lock_parsed().dir = None;
            return None;
        };
        let identity = FileIdentity::of_stat(&stat);
        let parsed = self.lock_parsed();
        parsed.by_key.get(key).filter(|p| p.identity == identity).map(|p| Arc::clone(&p.record))
    }

    fn open_meta_dir(&self) -> Option<Arc<rustix::fd::OwnedFd>> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let dir = Arc::new(rustix::fs::open(self.root.join("meta"), flags, Mode::empty()).ok()?);
        self.lock_parsed().dir = Some(Arc::clone(&dir));
        Some(dir)
    }

    fn lock_parsed(&self) -> std::sync::MutexGuard<'_, ParsedRecords> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
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

/// The record in `meta` and the identity of the file it was read from (one open file: stat and read agree).
fn read_record(meta: &Path, key: &str) -> Result<Option<(FileIdentity, IsrRecord)>, StoreError> {
    use std::io::Read;
    let mut file = match fs::File::open(meta) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(key)(e)),
    };
    let identity = FileIdentity::of(&file.metadata().map_err(io(key))?);
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io(key))?;
    let file: MetaFile = serde_json::from_slice(&bytes)
        .map_err(|e| StoreError::Corrupt { key: key.to_string(), reason: format!("metadata file: {e}") })?;
    if file.key != key {
        return Err(StoreError::Corrupt {
            key: key.to_string(),
            reason: "metadata file belongs to another key".into(),
        });
    }
    Ok(Some((identity, file.record)))
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

    fn get(&self, key: &str) -> BoxFuture<Result<Option<Arc<IsrRecord>>, StoreError>> {
        // A hit on a record this process has parsed costs a `stat` (no blocking-pool hop, no digest, no JSON).
        if let Some(record) = self.parsed_if_current(key) {
            return Box::pin(std::future::ready(Ok(Some(record))));
        }
        let (meta, _) = self.paths(key);
        let key = key.to_string();
        let parsed = Arc::clone(&self.parsed);
        blocking(&key.clone(), move || {
            let Some((identity, record)) = read_record(&meta, &key)? else { return Ok(None) };
            let record = Arc::new(record);
            let name: Arc<str> = meta.file_name().and_then(|n| n.to_str()).unwrap_or_default().into();
            let mut parsed = parsed.lock().unwrap_or_else(|p| p.into_inner());
            if parsed.by_key.len() >= MAX_PARSED {
                parsed.by_key.clear();
            }
            parsed.by_key.insert(key, Parsed { name, identity, record: Arc::clone(&record) });
            Ok(Some(record))
        })
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
        let this = FsMetaStore { root: root.clone(), parsed: Default::default() };
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
                    let Some((_, mut record)) = read_record(&meta, &key)? else { return Ok(false) };
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

#[cfg(test)]
mod tests {
    use super::{FsMetaStore, MetaStore};
    use crate::meta::IsrRecord;

    fn record(pointer: &str) -> IsrRecord {
        IsrRecord {
            html_pointer: pointer.into(),
            generated_at_ms: 1_000,
            revalidate_seconds: 60,
            etag: None,
            tags: vec![],
            invalidated_at_ms: None,
        }
    }

    /// The parsed-record cache never hides another process's write: a second store on the same directory
    /// (another process) commits, tags a record stale, or a file is corrupted — the first store sees each.
    #[tokio::test]
    async fn a_cached_record_is_reread_when_another_process_changes_its_file() {
        let dir = std::env::temp_dir().join(format!("facetheory-fsmeta-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (a, b) = (FsMetaStore::new(&dir), FsMetaStore::new(&dir));
        for (i, pointer) in ["g1", "g2", "g3"].into_iter().enumerate() {
            let lease = b.try_acquire_lease("k", 1_000, 5_000).await.unwrap().expect("lease");
            assert!(b.commit("k", &lease, record(pointer), 1_000).await.unwrap());
            // Twice: the second read is served from the cache, and must still be this generation.
            for _ in 0..2 {
                assert_eq!(a.get("k").await.unwrap().unwrap().html_pointer, pointer, "generation {i}");
            }
        }
        b.invalidate_tags(&["t".into()], 2_000).await.ok();
        let lease = b.try_acquire_lease("k", 1_000, 5_000).await.unwrap().expect("lease");
        let mut tagged = record("g4");
        tagged.tags = vec!["t".into()];
        assert!(b.commit("k", &lease, tagged, 1_000).await.unwrap());
        assert_eq!(a.get("k").await.unwrap().unwrap().html_pointer, "g4");
        assert_eq!(b.invalidate_tags(&["t".into()], 2_000).await.unwrap(), 1);
        assert_eq!(a.get("k").await.unwrap().unwrap().invalidated_at_ms, Some(2_000), "the mark is seen");
        let (meta, _) = a.paths("k");
        std::fs::write(&meta, b"{ not json").unwrap();
        assert!(a.get("k").await.is_err(), "a corrupted file is read again, not served from the cache");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A hit stats through the open `meta` directory: when the whole directory is removed and made again (an
    /// operator clearing the cache), the store finds the new files, never the old directory's.
    #[tokio::test]
    async fn a_replaced_metadata_directory_is_opened_again() {
        let dir = std::env::temp_dir().join(format!("facetheory-fsmeta-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (a, b) = (FsMetaStore::new(&dir), FsMetaStore::new(&dir));
        for pointer in ["g1", "g2"] {
            let lease = b.try_acquire_lease("k", 1_000, 5_000).await.unwrap().expect("lease");
            assert!(b.commit("k", &lease, record(pointer), 1_000).await.unwrap());
            for _ in 0..2 {
                assert_eq!(a.get("k").await.unwrap().unwrap().html_pointer, pointer);
            }
            std::fs::remove_dir_all(&dir).unwrap();
            assert_eq!(a.get("k").await.unwrap(), None, "removed with its directory");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
