//! Signed SSR sidecar tokens from the outside: any string is a rejection with a reason or (never, here) a
//! body — verification never panics, and a forged token is never accepted.
#![no_main]

use facetheory::hydration::SsrSidecars;
use facetheory::store::MemoryStore;
use futures_util::FutureExt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let sidecars = SsrSidecars::new(b"fuzz-secret-0123456789".to_vec(), MemoryStore::default()).expect("a secret");
    let ctx = facetheory::FaceContext::builder("GET", "/_facetheory/ssr-data/x").build();
    // The memory store answers at once, so the future is ready on its first poll.
    let result = sidecars.resolve(&ctx, token).now_or_never().expect("ready");
    assert!(result.is_err(), "an unsigned token was accepted: {token:?}");
});
