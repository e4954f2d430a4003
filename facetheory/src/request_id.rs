//! Request ids: taken from `x-request-id` or the adapter when safe, else a fresh UUID v4 from a per-thread
//! generator seeded once from the OS, so minting an id costs no system call on the request path. Ids need to be
//! unique, not secret.

use std::cell::Cell;

use http::HeaderValue;

/// Longest id taken from a client or an adapter.
const MAX_LEN: usize = 128;

/// A request's id, kept as the header value it is echoed as (`x-request-id`): checked once, then shared by the
/// response header, logs and the face's context without a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequestId(HeaderValue);

impl RequestId {
    /// A new random UUID v4.
    pub(crate) fn fresh() -> Self {
        // Version 4 (the high nibble of byte 6) and the RFC 4122 variant (the top bits of byte 8).
        let high = (next() & !(0xf << 12)) | (0x4 << 12);
        let low = (next() & !(0xc << 60)) | (0x8 << 60);
        let (a, b, c, d) = (hex8((high >> 32) as u32), hex8(high as u32), hex8((low >> 32) as u32), hex8(low as u32));
        // `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, straight into the header value's buffer: one allocation.
        let mut text = IdText { bytes: [b'-'; 36], len: 36 };
        text.bytes[..8].copy_from_slice(&a);
        text.bytes[9..13].copy_from_slice(&b[..4]);
        text.bytes[14..18].copy_from_slice(&b[4..]);
        text.bytes[19..23].copy_from_slice(&c[..4]);
        text.bytes[24..28].copy_from_slice(&c[4..]);
        text.bytes[28..].copy_from_slice(&d);
        text.into_id().unwrap_or_else(|| RequestId(HeaderValue::from_static("invalid")))
    }

    /// An id sent by a client or an adapter, when it is 1–128 characters of `A-Z a-z 0-9 - _ . :` once
    /// trimmed. Anything else (spaces, quotes, `=`) could forge log fields, so it is ignored and a fresh id is
    /// minted instead.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let safe = !text.is_empty()
            && text.len() <= MAX_LEN
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if !safe {
            return None;
        }
        let mut id = IdText { bytes: [0; MAX_LEN], len: text.len() };
        id.bytes[..text.len()].copy_from_slice(text.as_bytes());
        id.into_id()
    }

    /// An id set by hand (a test's context): any visible ASCII text, as given; anything else gets a fresh id.
    pub(crate) fn given(text: &str) -> Self {
        match HeaderValue::from_str(text) {
            Ok(value) if value.to_str().is_ok() => RequestId(value),
            _ => Self::fresh(),
        }
    }

    /// [`RequestId::parse`] of a header value, sharing its bytes when it needs no trimming.
    pub(crate) fn from_header(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?;
        let id = Self::parse(text)?;
        Some(if id.as_str().len() == text.len() { RequestId(value.clone()) } else { id })
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        // Every id is checked to be visible ASCII when made: this cannot fail.
        self.0.to_str().unwrap_or("")
    }

    /// The `x-request-id` response header's value.
    pub(crate) fn header_value(&self) -> HeaderValue {
        self.0.clone()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An id's text, the owner of its header value's bytes: the value is made shared at once, so the clones the
/// response header and the log take count references instead of copying. (A header value copied from a slice
/// allocates again when first cloned.)
struct IdText<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> AsRef<[u8]> for IdText<N> {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl<const N: usize> IdText<N> {
    fn into_id(self) -> Option<RequestId> {
        HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(self)).ok().map(RequestId)
    }
}

/// `x` in lower-case hex, most significant digit first: each nibble spread into a byte of its own, then all
/// eight made ASCII at once (no table, no loop).
fn hex8(x: u32) -> [u8; 8] {
    let mut x = u64::from(x);
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    // 1 in each byte holding 10..=15, which skip from '9' + 1 to 'a': 39 more.
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    (x + 0x3030_3030_3030_3030 + letters * 39).to_be_bytes()
}

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) | 1
}

/// SplitMix64: a fast, well-distributed 64-bit generator.
fn next() -> u64 {
    STATE.with(|s| {
        let z = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(z);
        let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn fresh_ids_are_v4_and_distinct() {
        let ids: Vec<RequestId> = (0..1000).map(|_| RequestId::fresh()).collect();
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id.as_str()).unwrap();
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
            // The canonical lower-case form, as `uuid` writes it.
            assert_eq!(parsed.hyphenated().to_string(), id.as_str());
        }
        let distinct: std::collections::HashSet<&str> = ids.iter().map(RequestId::as_str).collect();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn hex_is_lower_case_most_significant_first() {
        for x in [0, 1, 9, 10, 15, 0x1234_abcd, 0xdead_beef, u32::MAX] {
            assert_eq!(super::hex8(x), *format!("{x:08x}").as_bytes(), "{x:#x}");
        }
    }

    #[test]
    fn client_ids_are_trimmed_and_checked() {
        assert_eq!(RequestId::parse("  abc-1.2:3_x ").unwrap().as_str(), "abc-1.2:3_x");
        for bad in ["", "   ", "a b", "a/b", "é", "a\u{0}b", &"x".repeat(129)] {
            assert_eq!(RequestId::parse(bad), None, "{bad:?}");
        }
        assert!(RequestId::parse(&"x".repeat(128)).is_some());
        let header = http::HeaderValue::from_static(" padded ");
        assert_eq!(RequestId::from_header(&header).unwrap().as_str(), "padded");
        let header = http::HeaderValue::from_static("exact");
        assert_eq!(RequestId::from_header(&header).unwrap().header_value(), header);
        assert_eq!(RequestId::from_header(&http::HeaderValue::from_bytes(b"\xff").unwrap()), None);
    }

    #[test]
    fn ids_set_by_hand_are_kept_when_visible_ascii() {
        assert_eq!(RequestId::given("a test id").as_str(), "a test id");
        let replaced = RequestId::given("été");
        assert!(uuid::Uuid::parse_str(replaced.as_str()).is_ok(), "{replaced}");
    }
}
