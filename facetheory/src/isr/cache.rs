//! The engine's in-process caches, both bounded: bodies by generation pointer (a pointer names one generation
//! and is never reused, so a cached body is never stale and a repeat hit needs only the metadata read), and
//! the last record read per key (served when the metadata store fails).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

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
    map: HashMap<String, Cached>,
    order: VecDeque<String>,
    bytes: usize,
}

/// A cached body, and the headers a hit on it was last served with.
struct Cached {
    page: Rendered<Bytes>,
    hit: Option<HitHeaders>,
}

/// Served headers of a hit, for the record fields they were built from (a pointer's etag and freshness do not
/// change in practice; they are compared anyway).
struct HitHeaders {
    etag: Option<String>,
    revalidate_seconds: u64,
    headers: http::HeaderMap,
}

impl BodyCache {
    pub(super) fn get(&self, pointer: &str) -> Option<Rendered<Bytes>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).map.get(pointer).map(|c| c.page.clone())
    }

    /// The cached body of `rec` as a hit serves it: its served headers are built on the first hit and cloned
    /// after (one copy, no hashing or formatting per request).
    pub(super) fn hit(&self, rec: &IsrRecord) -> Option<Rendered<Bytes>> {
        let mut b = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let cached = b.map.get_mut(&rec.html_pointer)?;
        let current =
            cached.hit.as_ref().is_some_and(|h| h.etag == rec.etag && h.revalidate_seconds == rec.revalidate_seconds);
        if !current {
            cached.hit = None;
        }
        let page = &cached.page;
        let hit = cached.hit.get_or_insert_with(|| HitHeaders {
            etag: rec.etag.clone(),
            revalidate_seconds: rec.revalidate_seconds,
            headers: super::served::served_headers(
                &page.headers,
                page.body.len(),
                super::IsrState::Hit,
                rec.etag.as_deref(),
                rec.revalidate_seconds,
            ),
        });
        Some(Rendered {
            status: page.status,
            headers: hit.headers.clone(),
            body: page.body.clone(),
            tags: Vec::new(),
            sidecar: page.sidecar.clone(),
        })
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
        b.map.insert(pointer.to_string(), Cached { page: kept, hit: None });
        b.order.push_back(pointer.to_string());
        while b.map.len() > BODY_CACHE_ENTRIES || b.bytes > BODY_CACHE_BYTES {
            let Some(old) = b.order.pop_front() else { break };
            if let Some(c) = b.map.remove(&old) {
                b.bytes -= c.page.body.len();
            }
        }
    }
}

/// The last record this process read per key, cleared whole when it reaches 1,024 keys.
#[derive(Default)]
pub(super) struct LastKnown {
    map: Mutex<HashMap<String, Arc<IsrRecord>>>,
}

impl LastKnown {
    pub(super) fn remember(&self, key: &str, rec: &Arc<IsrRecord>) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Every hit remembers its record: most times it is the one already kept (the same allocation, when the
        // store keeps records), and a compare is no allocation.
        if map.get(key).is_some_and(|kept| Arc::ptr_eq(kept, rec) || kept == rec) {
            return;
        }
        if map.len() >= LAST_KNOWN_CAPACITY && !map.contains_key(key) {
            map.clear();
        }
        map.insert(key.to_string(), Arc::clone(rec));
    }

    pub(super) fn get(&self, key: &str) -> Option<Arc<IsrRecord>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(etag: &str, revalidate_seconds: u64) -> IsrRecord {
        IsrRecord {
            html_pointer: "p/1.html".into(),
            generated_at_ms: 0,
            revalidate_seconds,
            etag: Some(etag.into()),
            tags: Vec::new(),
            invalidated_at_ms: None,
        }
    }

    #[test]
    fn a_hit_is_served_with_headers_of_the_record_it_hits() {
        let cache = BodyCache::default();
        assert!(cache.hit(&record("\"a\"", 60)).is_none(), "nothing cached yet");
        cache.insert("p/1.html", &Rendered::html(http::StatusCode::OK, "<p>hi</p>"));
        for (etag, seconds) in [("\"a\"", 60), ("\"a\"", 60), ("\"b\"", 60), ("\"b\"", 5)] {
            let page = cache.hit(&record(etag, seconds)).expect("cached");
            assert_eq!(page.headers["etag"], etag);
            assert_eq!(page.headers["cache-control"], crate::cache_control::isr(seconds));
            assert_eq!(page.headers["x-facetheory-isr"], "hit");
            assert_eq!(page.headers["content-length"], "9");
            assert_eq!(page.body, "<p>hi</p>");
        }
        assert!(cache.get("p/1.html").unwrap().headers.get("etag").is_none(), "the cached page itself is unchanged");
    }
}
