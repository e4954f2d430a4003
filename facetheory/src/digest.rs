//! Short, stable digests used as names: store keys, file names, ETags.

use sha2::{Digest, Sha256};

/// sha256 hex, first 24 characters.
pub(crate) fn digest24(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes())[..12])
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// sha256 of `bytes`, lowercase hex (64 characters).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
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
