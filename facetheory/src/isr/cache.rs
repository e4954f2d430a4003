//! The engine's in-process caches, both bounded: bodies by generation pointer (a pointer names one generation
//! and is never reused, so a cached body is never stale and a repeat hit needs only the metadata read), and
//! the last record read per key (served when the metadata store fails).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;

use crate::meta::IsrRecord;
use crate::render::Rendered;

const BODY_CACHE_ENTRIES: usize = 512;
const BODY_CACHE_BYTES: usize = 64 * 1024 * 1024;
const LAST_KNOWN_CAPACITY: usize = 1024;

/// Recently served bodies by pointer, evicted oldest first past 512 entries or 64 MiB.
#[derive(Default)]
pub(super) struct BodyCache {
    inner: Mutex<Bodies>,
}

#[derive(Default)]
struct Bodies {
    map: HashMap<String, Rendered<Bytes>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl BodyCache {
    pub(super) fn get(&self, pointer: &str) -> Option<Rendered<Bytes>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).map.get(pointer).cloned()
    }

    pub(super) fn insert(&self, pointer: &str, page: &Rendered<Bytes>) {
        let mut b = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if page.body.len() > BODY_CACHE_BYTES / 4 || b.map.contains_key(pointer) {
            return;
        }
        b.bytes += page.body.len();
        b.map.insert(pointer.to_string(), page.clone());
        b.order.push_back(pointer.to_string());
        while b.map.len() > BODY_CACHE_ENTRIES || b.bytes > BODY_CACHE_BYTES {
            let Some(old) = b.order.pop_front() else { break };
            if let Some(p) = b.map.remove(&old) {
                b.bytes -= p.body.len();
            }
        }
    }
}

/// The last record this process read per key, cleared whole when it reaches 1,024 keys.
#[derive(Default)]
pub(super) struct LastKnown {
    map: Mutex<HashMap<String, IsrRecord>>,
}

impl LastKnown {
    pub(super) fn remember(&self, key: &str, rec: &IsrRecord) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= LAST_KNOWN_CAPACITY && !map.contains_key(key) {
            map.clear();
        }
        map.insert(key.to_string(), rec.clone());
    }

    pub(super) fn get(&self, key: &str) -> Option<IsrRecord> {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }
}
