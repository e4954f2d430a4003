//! Typed route parameters: [`FromParam`] for one segment, [`FromSegments`] for catch-alls. Values are
//! percent-decoded per segment before parsing; a parse failure makes the route answer 404.
//!
//! ```
//! use facetheory::params::{FromParam, FromSegments};
//! assert_eq!(u32::from_param("42").unwrap(), 42);
//! assert!(u32::from_param("x").is_err());
//! let segs = vec!["a b".to_string(), "c".to_string()];
//! assert_eq!(Vec::<String>::from_segments(&segs).unwrap(), segs);
//! assert_eq!(Option::<Vec<String>>::from_segments(&[]).unwrap(), None);
//! ```

use std::borrow::Cow;

/// A parameter value that could not be parsed (the route then answers 404).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse route parameter {value:?} as {expected}")]
pub struct ParamError {
    /// The decoded text.
    pub value: String,
    /// What was expected.
    pub expected: &'static str,
}

impl ParamError {
    /// A new error for `value`.
    pub fn new(value: &str, expected: &'static str) -> Self {
        ParamError { value: value.to_string(), expected }
    }
}

/// Parses one decoded path segment. Implement it for your own types (ids, slugs, enums).
///
/// ```
/// use facetheory::params::{FromParam, ParamError};
/// struct Slug(String);
/// impl FromParam for Slug {
///     fn from_param(s: &str) -> Result<Self, ParamError> {
///         if s.chars().all(|c| c.is_ascii_lowercase() || c == '-') { Ok(Slug(s.into())) }
///         else { Err(ParamError::new(s, "a lower-case slug")) }
///     }
/// }
/// assert!(Slug::from_param("hello-world").is_ok());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a route parameter",
    note = "implement `facetheory::params::FromParam` for it, or take `String`"
)]
pub trait FromParam: Sized {
    /// Parses the decoded segment.
    fn from_param(decoded: &str) -> Result<Self, ParamError>;
}

/// Parses the decoded segments captured by a catch-all (`<rest+>` gives at least one, `<rest*>` maybe none).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot take a catch-all route parameter",
    note = "use `Vec<String>` (or `Vec<T: FromParam>`), `String` (segments joined by `/`), or `Option<...>` of those for `<rest*>`"
)]
pub trait FromSegments: Sized {
    /// Parses the decoded segments.
    fn from_segments(decoded: &[String]) -> Result<Self, ParamError>;
}

impl FromParam for String {
    fn from_param(decoded: &str) -> Result<Self, ParamError> {
        Ok(decoded.to_string())
    }
}

macro_rules! from_str_param {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl FromParam for $t {
            fn from_param(decoded: &str) -> Result<Self, ParamError> {
                decoded.parse().map_err(|_| ParamError::new(decoded, $what))
            }
        }
    )*};
}

from_str_param!(
    u8 => "an integer", u16 => "an integer", u32 => "an integer", u64 => "an integer", u128 => "an integer",
    usize => "an integer", i8 => "an integer", i16 => "an integer", i32 => "an integer", i64 => "an integer",
    i128 => "an integer", isize => "an integer", f32 => "a number", f64 => "a number", char => "one character",
);

impl FromParam for bool {
    fn from_param(decoded: &str) -> Result<Self, ParamError> {
        match decoded {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(ParamError::new(decoded, "true/false")),
        }
    }
}

impl<T: FromParam> FromSegments for Vec<T> {
    fn from_segments(decoded: &[String]) -> Result<Self, ParamError> {
        decoded.iter().map(|s| T::from_param(s)).collect()
    }
}

impl FromSegments for String {
    fn from_segments(decoded: &[String]) -> Result<Self, ParamError> {
        Ok(decoded.join("/"))
    }
}

impl<T: FromSegments> FromSegments for Option<T> {
    fn from_segments(decoded: &[String]) -> Result<Self, ParamError> {
        if decoded.is_empty() {
            Ok(None)
        } else {
            T::from_segments(decoded).map(Some)
        }
    }
}

/// Percent-decodes one segment. `%` not followed by two hex digits, or bytes that are not UTF-8, are errors.
///
/// ```
/// use facetheory::params::percent_decode;
/// assert_eq!(percent_decode("caf%C3%A9").unwrap(), "café");
/// assert!(percent_decode("%zz").is_err());
/// ```
pub fn percent_decode(raw: &str) -> Result<Cow<'_, str>, ParamError> {
    if !raw.contains('%') {
        return Ok(Cow::Borrowed(raw));
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            match (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b))) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => return Err(ParamError::new(raw, "valid percent-encoding")),
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map(Cow::Owned).map_err(|_| ParamError::new(raw, "UTF-8 text"))
}

/// JavaScript's `encodeURIComponent`: text made safe for one path segment or query value (building a redirect
/// location from user input).
///
/// ```
/// assert_eq!(facetheory::params::encode_uri_component("Ada & Bob/é"), "Ada%20%26%20Bob%2F%C3%A9");
/// ```
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_uri_component_into(&mut out, s);
    out
}

/// [`encode_uri_component`] appending to `out` (unreserved runs are copied whole): the generated path
/// builders (`faces::paths`) write each segment straight into the path.
///
/// ```
/// let mut path = String::from("/blog/");
/// facetheory::params::encode_uri_component_into(&mut path, "café & co");
/// assert_eq!(path, "/blog/caf%C3%A9%20%26%20co");
/// ```
pub fn encode_uri_component_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            continue;
        }
        // Runs start after an escaped byte: only ASCII runs are non-empty, so both ends are char boundaries.
        if run < i {
            out.push_str(&s[run..i]);
        }
        out.push('%');
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
        run = i + 1;
    }
    out.push_str(&s[run..]);
}
