//! An in-process store, bounded so that sidecars written forever cannot grow without limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::{check_key, Blob, BlobStore, StoreError};
use crate::BoxFuture;

/// In-memory blobs; the oldest are dropped beyond `capacity`.
pub struct MemoryStore {
    inner: Mutex<(HashMap<String, Blob>, VecDeque<String>)>,
    capacity: usize,
}

impl MemoryStore {
    /// A store keeping at most `capacity` blobs (at least 1).
    pub fn new(capacity: usize) -> Self {
        MemoryStore { inner: Mutex::new((HashMap::new(), VecDeque::new())), capacity: capacity.max(1) }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new(10_000)
    }
}

impl BlobStore for MemoryStore {
    fn reach(&self) -> crate::store::StoreReach {
        crate::store::StoreReach::Process
    }

    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>> {
        let result = check_key(key).map(|()| {
            // A poisoned lock only means another thread panicked mid-operation; the map itself is intact.
            let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let (map, order) = &mut *guard;
            if map.insert(key.to_string(), blob).is_none() {
                order.push_back(key.to_string());
            }
            while map.len() > self.capacity {
                match order.pop_front() {
                    Some(old) => {
                        map.remove(&old);
                    }
                    None => break,
                }
            }
        });
        Box::pin(async move { result })
    }

    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>> {
        let result = check_key(key).map(|()| {
            let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            guard.0.get(key).cloned()
        });
        Box::pin(async move { result })
    }

    fn delete(&self, key: &str) -> BoxFuture<Result<(), StoreError>> {
        let result = check_key(key).map(|()| {
            // The key stays in the eviction order until it reaches the front; evicting it then is a no-op.
            self.inner.lock().unwrap_or_else(|p| p.into_inner()).0.remove(key);
        });
        Box::pin(async move { result })
    }
}
