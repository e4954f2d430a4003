//! Which HTTP methods a route answers, and when two routes on the same paths can live together.
//!
//! A face answers `GET` and `HEAD`; a resource answers the methods it lists, plus `HEAD` when it lists `GET`;
//! a framework endpoint is treated as answering every method. Two routes that match the same paths conflict
//! only when their method sets overlap, so a page and the form `POST` it renders can share one URL.
//!
//! ```
//! use facetheory_codegen::methods::{MethodSet, FACE};
//! let post = MethodSet::resource(&["POST"]);
//! assert!(!FACE.overlaps(post));
//! assert!(FACE.overlaps(MethodSet::resource(&["GET"])));      // GET twice: a conflict
//! assert_eq!(MethodSet::resource(&["GET", "POST"]).names(), ["GET", "HEAD", "POST"]);
//! ```

/// The methods a route may declare, in the order `allow` lists them.
pub const KNOWN: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// A set of [`KNOWN`] methods (a bit per method).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MethodSet(u8);

/// What a face answers: `GET, HEAD`.
pub const FACE: MethodSet = MethodSet(0b0000_0110);

/// Every method: a framework endpoint shares its paths with nothing.
pub const ALL: MethodSet = MethodSet(0b0111_1111);

impl MethodSet {
    /// The empty set.
    pub const fn empty() -> Self {
        MethodSet(0)
    }

    /// The set for one known method name (case-insensitive); `None` for any other name.
    pub fn of(name: &str) -> Option<Self> {
        KNOWN.iter().position(|m| m.eq_ignore_ascii_case(name)).map(|i| MethodSet(1 << i))
    }

    /// What a resource listing `methods` answers: those (unknown names ignored) plus `HEAD` when `GET` is listed.
    pub fn resource(methods: &[&str]) -> Self {
        let mut set = methods.iter().filter_map(|m| Self::of(m)).fold(Self::empty(), Self::union);
        if set.contains_name("GET") {
            set = set.union(Self::of("HEAD").unwrap_or_default());
        }
        set
    }

    /// Both sets.
    pub const fn union(self, other: Self) -> Self {
        MethodSet(self.0 | other.0)
    }

    /// True when some method is in both.
    pub const fn overlaps(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// True when `name` (case-insensitive) is in the set.
    pub fn contains_name(self, name: &str) -> bool {
        Self::of(name).is_some_and(|m| self.overlaps(m))
    }

    /// The methods in the set, upper-case, in `allow` order.
    pub fn names(self) -> Vec<&'static str> {
        KNOWN.iter().enumerate().filter(|(i, _)| self.0 & (1 << i) != 0).map(|(_, m)| *m).collect()
    }

    /// The `allow` header value: the names joined by `, `.
    pub fn allow_header(self) -> String {
        self.names().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets() {
        assert_eq!(FACE.names(), ["GET", "HEAD"]);
        assert_eq!(ALL.names(), KNOWN);
        assert_eq!(MethodSet::resource(&["post", "DELETE"]).allow_header(), "DELETE, POST");
        assert_eq!(MethodSet::of("BREW"), None);
        assert!(ALL.overlaps(MethodSet::resource(&["PATCH"])));
        assert!(!MethodSet::resource(&["PUT"]).overlaps(MethodSet::resource(&["POST"])));
    }
}
