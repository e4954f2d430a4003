//! A directory of blobs. Each object is one file: a JSON header line (content type, cache-control, metadata)
//! then the body. Writes go to a temporary file in the same directory and are renamed into place, so readers
//! see the old object or the new one, never a mix.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::{check_key, Blob, BlobStore, StoreError};
use crate::BoxFuture;

/// Blobs under a root directory.
pub struct FsStore {
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Header {
    content_type: String,
    cache_control: Option<String>,
    metadata: BTreeMap<String, String>,
}

impl FsStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsStore { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

fn io(key: &str) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { key: key.to_string(), source }
}

async fn write_atomic(path: PathBuf, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
    let written = tokio::task::spawn_blocking(move || crate::atomic_file::write(&path, &bytes)).await;
    match written {
        Ok(result) => result.map_err(io(key)),
        Err(e) => Err(StoreError::Task { key: key.to_string(), reason: e.to_string() }),
    }
}

impl BlobStore for FsStore {
    fn reach(&self) -> crate::store::StoreReach {
        crate::store::StoreReach::Machine
    }

    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>> {
        let key = key.to_string();
        let path = self.path(&key);
        Box::pin(async move {
            let path = path?;
            let header =
                Header { content_type: blob.content_type, cache_control: blob.cache_control, metadata: blob.metadata };
            let mut bytes = serde_json::to_vec(&header)
                .map_err(|e| StoreError::Corrupt { key: key.clone(), reason: e.to_string() })?;
            bytes.push(b'\n');
            bytes.extend_from_slice(&blob.body);
            write_atomic(path, &key, bytes).await
        })
    }

    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>> {
        let key = key.to_string();
        let path = self.path(&key);
        Box::pin(async move {
            let path = path?;
            let bytes = match tokio::fs::read(&path).await {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io(&key)(e)),
            };
            let corrupt = |reason: String| StoreError::Corrupt { key: key.clone(), reason };
            let nl = bytes.iter().position(|b| *b == b'\n').ok_or_else(|| corrupt("no header line".into()))?;
            let header: Header =
                serde_json::from_slice(&bytes[..nl]).map_err(|e| corrupt(format!("bad header: {e}")))?;
            Ok(Some(Blob {
                body: Bytes::copy_from_slice(&bytes[nl + 1..]),
                content_type: header.content_type,
                cache_control: header.cache_control,
                metadata: header.metadata,
            }))
        })
    }

    fn delete(&self, key: &str) -> BoxFuture<Result<(), StoreError>> {
        let key = key.to_string();
        let path = self.path(&key);
        Box::pin(async move {
            match tokio::fs::remove_file(path?).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io(&key)(e)),
            }
        })
    }
}
