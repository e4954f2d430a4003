//! The engine's in-process caches, both bounded: bodies by generation pointer (a pointer names one generation
//! and is never reused, so a cached body is never stale and a repeat hit needs only the metadata read), and
//! the last record read per key (served when the metadata store fails).

use std::collections::{HashMap, HashSet, VecDeque};
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
        // Kept for serving: a hit clones it, and the tags matter only when a generation is written.
        let mut kept = page.clone();
        kept.tags = Vec::new();
        b.map.insert(pointer.to_string(), kept);
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
        // Every hit remembers its record: most times it is the one already kept, and a compare is no allocation.
        if map.get(key) == Some(rec) {
            return;
        }
        if map.len() >= LAST_KNOWN_CAPACITY && !map.contains_key(key) {
            map.clear();
        }
        map.insert(key.to_string(), rec.clone());
    }

    pub(super) fn get(&self, key: &str) -> Option<IsrRecord> {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }
}

/// The cache keys this process has let into the cache, per route pattern, up to a cap: past it a new variant
/// of that route (another query, cookie or tenant combination) is rendered uncached instead of stored, so a
/// client inventing variants cannot grow the store without bound. Route patterns come from the app, so the
/// number of sets is bounded too.
#[derive(Default)]
pub(super) struct Variants {
    by_route: Mutex<HashMap<String, HashSet<String>>>,
}

impl Variants {
    /// True when `key` may be cached: already admitted, or `route` has fewer than `cap` keys.
    pub(super) fn admit(&self, route: &str, key: &str, cap: usize) -> bool {
        let mut map = self.by_route.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(route) {
            Some(keys) if keys.contains(key) => true,
            Some(keys) if keys.len() >= cap => false,
            Some(keys) => keys.insert(key.to_string()),
            None => {
                map.insert(route.to_string(), HashSet::from([key.to_string()]));
                true
            }
        }
    }
}
