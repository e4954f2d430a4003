//! Comparing secrets and signatures without leaking, through response times, how much of them matched.

use sha2::{Digest, Sha256};

/// Constant-time equality. Both sides are hashed first, so neither the position of the first difference nor
/// the length of the expected value shows in the time taken.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter().zip(y.iter()).fold(0u8, |acc, (p, q)| acc | (p ^ q)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_and_unequal() {
        assert!(super::constant_time_eq(b"secret", b"secret"));
        assert!(!super::constant_time_eq(b"secret", b"secreT"));
        assert!(!super::constant_time_eq(b"secret", b"secret!"));
        assert!(!super::constant_time_eq(b"", b"x"));
    }
}
