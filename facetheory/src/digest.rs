//! Short, stable digests used as names: store keys, file names, ETags.

use sha2::{Digest, Sha256};

/// sha256 hex, first 24 characters.
pub(crate) fn digest24(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// sha256 of `bytes`, lowercase hex (64 characters).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn twenty_four_hex_characters() {
        let d = super::digest24("facetheory");
        assert_eq!(d.len(), 24);
        assert!(d.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(d, super::digest24("facetheory"));
        assert_ne!(d, super::digest24("facetheory "));
    }
}
