//! The ISR engine's policies: what to do when regeneration fails, when another request holds the lease, and
//! how an expired page is revalidated.

/// What to do when regeneration fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Serve the previous page (`stale`) when there is one (default).
    ServeStale,
    /// Answer 500.
    Error,
}

/// What to do when another request holds the regeneration lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentionPolicy {
    /// Wait (polling) for the other regeneration, up to the wait timeout (default).
    Wait,
    /// Serve the previous page at once.
    ServeStale,
}

/// How a stale page is revalidated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revalidation {
    /// The request that finds the page stale regenerates it and waits (the TypeScript runtime's behaviour, the
    /// default).
    Blocking,
    /// Stale-while-revalidate: serve the stale page at once (`x-facetheory-isr: stale`) and regenerate after
    /// the response has been sent, under the same lease. A page never generated still blocks once.
    StaleWhileRevalidate,
}
