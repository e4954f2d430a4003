//! Metadata in process memory (tests, single-process runs).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use super::{IsrRecord, Lease, MetaStore};
use crate::store::StoreError;
use crate::BoxFuture;

/// A key's record and lease.
/// Shared: a read hands out the record without copying it.
type Entry = (Option<Arc<IsrRecord>>, Option<Lease>);

/// Metadata in process memory (tests, single-process runs).
#[derive(Default)]
pub struct MemoryMetaStore {
    inner: Mutex<HashMap<String, Entry>>,
    tags: Mutex<HashMap<String, BTreeSet<String>>>,
}

fn fresh_token() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl MetaStore for MemoryMetaStore {
    fn reach(&self) -> crate::store::StoreReach {
        crate::store::StoreReach::Process
    }

    fn get(&self, key: &str) -> BoxFuture<Result<Option<Arc<IsrRecord>>, StoreError>> {
        let rec = self.inner.lock().unwrap_or_else(|p| p.into_inner()).get(key).and_then(|e| e.0.clone());
        Box::pin(async move { Ok(rec) })
    }

    fn try_acquire_lease(&self, key: &str, now_ms: u64, lease_ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>> {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(key.to_string()).or_default();
        let result = match &entry.1 {
            Some(l) if l.expires_at_ms > now_ms => None,
            _ => {
                let lease = Lease { token: fresh_token(), expires_at_ms: now_ms.saturating_add(lease_ms) };
                entry.1 = Some(lease.clone());
                Some(lease)
            }
        };
        Box::pin(async move { Ok(result) })
    }

    fn commit(&self, key: &str, lease: &Lease, record: IsrRecord, now_ms: u64) -> BoxFuture<Result<bool, StoreError>> {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(key.to_string()).or_default();
        let owned = entry.1.as_ref().is_some_and(|l| l.token == lease.token && l.expires_at_ms > now_ms);
        if owned {
            let mut index = self.tags.lock().unwrap_or_else(|p| p.into_inner());
            for tag in &record.tags {
                index.entry(tag.clone()).or_default().insert(key.to_string());
            }
            entry.0 = Some(Arc::new(record));
            entry.1 = None;
        }
        Box::pin(async move { Ok(owned) })
    }

    fn release(&self, key: &str, lease: &Lease) -> BoxFuture<Result<(), StoreError>> {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = map.get_mut(key) {
            if entry.1.as_ref().is_some_and(|l| l.token == lease.token) {
                entry.1 = None;
            }
        }
        Box::pin(async { Ok(()) })
    }

    fn invalidate_tags(&self, tags: &[String], now_ms: u64) -> BoxFuture<Result<u64, StoreError>> {
        let keys: BTreeSet<String> = {
            let index = self.tags.lock().unwrap_or_else(|p| p.into_inner());
            tags.iter().filter_map(|t| index.get(t)).flatten().cloned().collect()
        };
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut marked = 0;
        for key in keys {
            let Some((Some(rec), _)) = map.get_mut(&key) else { continue };
            // The index is append-only; the record's own tags say whether it still carries one.
            if rec.tags.iter().any(|t| tags.contains(t)) {
                // Readers holding the old record keep it; the store's copy is replaced.
                Arc::make_mut(rec).invalidated_at_ms = Some(now_ms);
                marked += 1;
            }
        }
        Box::pin(async move { Ok(marked) })
    }
}
