//! Limits shared by the macros (checked at compile time) and the runtime (checked on data a page sets at run
//! time or reads back from a store).

/// Longest ISR cache tag, in bytes (as Next.js).
pub const MAX_TAG_LEN: usize = 256;
/// Most tags one cached page may carry, its implicit `path:` and `route:` tags included. DynamoDB writes the
/// tag index in the commit transaction, which holds at most 100 items.
pub const MAX_TAGS: usize = 64;
/// Longest ISR `revalidate`, in seconds: one year (the `max-age` of immutable assets). Bounding it keeps every
/// freshness and TTL computation far from overflow.
pub const MAX_REVALIDATE_SECONDS: u64 = 365 * 24 * 60 * 60;
