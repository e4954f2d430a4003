//! Fresh request ids: UUID v4 from a per-thread generator seeded once from the OS, so minting an id costs no
//! system call on the request path. Ids need to be unique, not secret.

use std::cell::Cell;

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

/// A new random UUID v4 string.
pub(crate) fn fresh() -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&next().to_le_bytes());
    bytes[8..].copy_from_slice(&next().to_le_bytes());
    // Encoded into a stack buffer: `to_string` would go through the formatting machinery.
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    String::from(uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().encode_lower(&mut text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_v4_and_distinct() {
        let a = super::fresh();
        let b = super::fresh();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }
}
