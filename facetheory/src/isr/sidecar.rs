//! Serving an ISR hydration sidecar: only to a request whose cache key is the generation's.

use bytes::Bytes;

use super::codec::body_etag;
use super::{key, IsrRuntime};
use crate::context::FaceContext;

impl IsrRuntime {
    /// Serves an ISR hydration sidecar: `encoded` must name the sidecar of a generation of
    /// this very request's cache key. `None` (→ 404) for anything else.
    pub async fn hydration(&self, ctx: &FaceContext, route: &str, encoded: &str) -> Option<(Bytes, Option<String>)> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded.as_bytes()).ok()?;
        let pointer = String::from_utf8(raw).ok()?;
        if pointer.starts_with('/') || pointer.starts_with('\\') {
            return None;
        }
        let relative = pointer.strip_prefix(&self.config.pointer_prefix)?;
        let (digest, file) = relative.split_once('/')?;
        let (stamp, id) = file.strip_suffix(".hydration.json")?.split_once('-')?;
        let hex24 = digest.len() == 24 && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let stamp_ok = !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit());
        let id_ok = id.len() == 36 && id.bytes().all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !(hex24 && stamp_ok && id_ok) {
            return None;
        }
        let key = self.cache_key(ctx, route).ok()?;
        if key::digest24(&key) != digest {
            return None;
        }
        let blob = self.config.html.get(&pointer).await.ok()??;
        let etag = Some(body_etag(&blob.body));
        Some((blob.body, etag))
    }
}
