//! ISR metadata stores: the record pointing at a page's current HTML, its tags, and the regeneration lease,
//! behind [`MetaStore`] — in memory, in a directory (cross-process), or in DynamoDB.

#[cfg(feature = "aws")]
mod dynamodb;
mod fs;
mod memory;

#[cfg(feature = "aws")]
pub use dynamodb::DynamoMetaStore;
pub use fs::FsMetaStore;
pub use memory::MemoryMetaStore;

/// How long DynamoDB keeps a record after it went stale (for serving stale and for tags), in seconds: a week.
pub(crate) const RETENTION_S: u64 = 7 * 24 * 60 * 60;

/// The DynamoDB attribute holding each item's expiry (epoch seconds): the table's TTL attribute.
pub(crate) const TTL_ATTRIBUTE: &str = "ttl";

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::store::StoreError;
use crate::BoxFuture;

/// The current generation of a cached page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsrRecord {
    /// Key of the HTML in the HTML store.
    pub html_pointer: String,
    /// When it was generated (ms since the epoch).
    pub generated_at_ms: u64,
    /// Freshness in seconds, as committed.
    pub revalidate_seconds: u64,
    /// The strong ETag of the HTML.
    pub etag: Option<String>,
    /// Tags of this generation (its path, its route, the face's and the page's own): revalidating one of them
    /// marks the record stale.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When on-demand revalidation marked this generation stale (ms since the epoch).
    #[serde(default)]
    pub invalidated_at_ms: Option<u64>,
}

impl IsrRecord {
    /// Fresh while `now < generated_at + revalidate`.
    /// On-demand revalidation ([`MetaStore::invalidate_tags`]) ends freshness early.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms < self.generated_at_ms.saturating_add(self.revalidate_seconds.saturating_mul(1000))
            && self.invalidated_at_ms.is_none()
    }
}

/// A held regeneration lease.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Identifies the holder (compare-and-set on commit and release).
    pub token: String,
    /// When it lapses, ms since the epoch.
    pub expires_at_ms: u64,
}

/// Metadata and leases for ISR keys. Implementations must make `try_acquire_lease` exclusive (one winner among
/// concurrent callers, across processes for shared stores) and `commit` conditional on still owning the lease.
pub trait MetaStore: Send + Sync + 'static {
    /// Who sees the data (default [`StoreReach::Shared`](crate::store::StoreReach::Shared)).
    fn reach(&self) -> crate::store::StoreReach {
        crate::store::StoreReach::Shared
    }
    /// The record for a key (shared: stores that keep records hand them out without copying).
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Arc<IsrRecord>>, StoreError>>;
    /// Takes the lease if nobody holds an unexpired one.
    fn try_acquire_lease(&self, key: &str, now_ms: u64, lease_ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>>;
    /// Writes the record and drops the lease, only if the lease is still ours and unexpired; `Ok(false)` if not.
    fn commit(&self, key: &str, lease: &Lease, record: IsrRecord, now_ms: u64) -> BoxFuture<Result<bool, StoreError>>;
    /// Drops the lease if it is still ours (best effort).
    fn release(&self, key: &str, lease: &Lease) -> BoxFuture<Result<(), StoreError>>;
    /// Marks stale every record committed with one of `tags` (the tag index is written by `commit`); returns
    /// how many records were marked. The next request for each regenerates it under the normal policies.
    fn invalidate_tags(&self, tags: &[String], now_ms: u64) -> BoxFuture<Result<u64, StoreError>>;
}

impl<T: MetaStore + ?Sized> MetaStore for std::sync::Arc<T> {
    fn reach(&self) -> crate::store::StoreReach {
        (**self).reach()
    }
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Arc<IsrRecord>>, StoreError>> {
        (**self).get(key)
    }
    fn try_acquire_lease(&self, key: &str, now_ms: u64, lease_ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>> {
        (**self).try_acquire_lease(key, now_ms, lease_ms)
    }
    fn commit(&self, key: &str, lease: &Lease, record: IsrRecord, now_ms: u64) -> BoxFuture<Result<bool, StoreError>> {
        (**self).commit(key, lease, record, now_ms)
    }
    fn release(&self, key: &str, lease: &Lease) -> BoxFuture<Result<(), StoreError>> {
        (**self).release(key, lease)
    }
    fn invalidate_tags(&self, tags: &[String], now_ms: u64) -> BoxFuture<Result<u64, StoreError>> {
        (**self).invalidate_tags(tags, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::IsrRecord;

    #[test]
    fn freshness_saturates_on_foreign_or_corrupt_numbers() {
        let rec = |generated_at_ms, revalidate_seconds| IsrRecord {
            html_pointer: "isr/x.html".into(),
            generated_at_ms,
            revalidate_seconds,
            etag: None,
            tags: Vec::new(),
            invalidated_at_ms: None,
        };
        // In a debug build these would overflow (a panic); they saturate instead.
        assert!(rec(u64::MAX, u64::MAX).is_fresh(u64::MAX - 1));
        assert!(rec(1_000, u64::MAX / 10).is_fresh(u64::MAX - 1));
        assert!(!rec(1_000, 10).is_fresh(11_000));
        assert!(rec(1_000, 10).is_fresh(10_999));
    }
}
