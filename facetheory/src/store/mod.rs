//! Blob stores: keyed bytes with a content type, cache-control and string metadata. Used for SSR hydration
//! sidecars now (and, with S3 behind the same trait, for ISR bodies). Implementations: [`MemoryStore`]
//! (bounded, per process) and [`FsStore`] (a directory; atomic writes, survives restarts).

mod fs;
mod memory;
#[cfg(feature = "aws")]
pub(crate) mod s3;

use std::collections::BTreeMap;

use bytes::Bytes;

pub use fs::FsStore;
pub use memory::MemoryStore;
#[cfg(feature = "aws")]
pub use s3::S3Store;

use crate::BoxFuture;

/// A stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// The bytes.
    pub body: Bytes,
    /// The content type.
    pub content_type: String,
    /// The `cache-control` stored with it.
    pub cache_control: Option<String>,
    /// Metadata (status, headers) by name.
    pub metadata: BTreeMap<String, String>,
}

/// What can go wrong in a store. Messages name the key and the cause.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key is not a safe relative key.
    #[error("invalid store key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Reading or writing failed.
    #[error("store I/O for {key:?}: {source}")]
    Io {
        /// The key.
        key: String,
        /// The failure.
        source: std::io::Error,
    },
    /// The blocking task doing the store's I/O panicked or was cancelled.
    #[error("store task for {key:?} did not finish: {reason}")]
    Task {
        /// The key.
        key: String,
        /// What happened to the task.
        reason: String,
    },
    /// What is stored cannot be read back as a blob.
    #[error("stored object {key:?} is corrupt: {reason}")]
    Corrupt {
        /// The key.
        key: String,
        /// What could not be read.
        reason: String,
    },
}

/// Who sees what a store holds: the app refuses to run on AWS Lambda with a store that instances do not share
/// (each instance would cache, lease and sign on its own, and lose it all when recycled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StoreReach {
    /// This process only ([`MemoryStore`], `MemoryMetaStore`).
    Process,
    /// Processes on this machine ([`FsStore`], `FsMetaStore`): on Lambda, one instance's `/tmp`.
    Machine,
    /// Every instance (S3, DynamoDB, and by default any store of your own).
    Shared,
}

/// Keyed blob storage.
pub trait BlobStore: Send + Sync + 'static {
    /// Who sees the data (default [`StoreReach::Shared`]).
    fn reach(&self) -> StoreReach {
        StoreReach::Shared
    }
    /// Writes (replaces) a blob; readers never see a half-written one.
    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>>;
    /// Reads a blob; `Ok(None)` when the key is absent.
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>>;
    /// Deletes a blob; deleting an absent key is not an error. (ISR deletes a superseded generation after the
    /// commit that replaced it, so stores do not grow with every regeneration.)
    fn delete(&self, key: &str) -> BoxFuture<Result<(), StoreError>>;
}

impl<T: BlobStore + ?Sized> BlobStore for std::sync::Arc<T> {
    fn reach(&self) -> StoreReach {
        (**self).reach()
    }
    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>> {
        (**self).put(key, blob)
    }
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>> {
        (**self).get(key)
    }
    fn delete(&self, key: &str) -> BoxFuture<Result<(), StoreError>> {
        (**self).delete(key)
    }
}

/// Keys are `/`-separated relative paths: no control characters, `\`, empty, `.` or `..` parts.
pub fn check_key(key: &str) -> Result<(), StoreError> {
    let bad = |reason| Err(StoreError::InvalidKey { key: key.to_string(), reason });
    if key.is_empty() {
        return bad("empty");
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return bad("control character or backslash");
    }
    if key.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
        return bad("empty, `.` or `..` path part");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
