//! Wall-clock time in milliseconds since the Unix epoch, and the replaceable clock type that stores and
//! sidecars take for tests.

use std::time::{SystemTime, UNIX_EPOCH};

/// A clock: milliseconds since the epoch.
pub(crate) type ClockFn = dyn Fn() -> u64 + Send + Sync;

/// Now, in milliseconds since the epoch (0 if the system clock is before it).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)).unwrap_or(0)
}
