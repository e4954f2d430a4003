//! The path a request is routed by, shared with the URI it arrived in.

use std::fmt;
use std::ops::Deref;

use http::uri::PathAndQuery;

/// A request's path: the bytes of its URI (no copy per request) or text made for it (a context built by hand,
/// an SSG page, the edge's original URI). Reads as a `&str`.
///
/// Route captures are ranges of this text ([`crate::context::RawParam`]): it never changes once the request
/// is made.
#[derive(Clone)]
pub(crate) struct RequestPath(Repr);

#[derive(Clone)]
enum Repr {
    Uri(PathAndQuery),
    Made(String),
}

impl RequestPath {
    /// The URI's path, sharing its bytes, read as [`http::Uri::path`] reads it: `/` for `http://host`, empty for
    /// an authority-form target (`CONNECT host:443`), which routes nowhere.
    pub(crate) fn of_uri(uri: http::Uri) -> Self {
        match uri.into_parts().path_and_query {
            Some(path_and_query) => RequestPath(Repr::Uri(path_and_query)),
            None => RequestPath(Repr::Made(String::new())),
        }
    }
}

impl Deref for RequestPath {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            Repr::Uri(uri) => uri.path(),
            Repr::Made(text) => text,
        }
    }
}

impl From<String> for RequestPath {
    fn from(text: String) -> Self {
        RequestPath(Repr::Made(text))
    }
}

impl fmt::Display for RequestPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for RequestPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_path_reads_as_the_uri_does_and_made_text_as_given() {
        let cases = [
            ("/a/b?x=1", "/a/b"),
            ("/", "/"),
            ("/p%20q?", "/p%20q"),
            ("http://h.example", "/"),
            ("*", "*"),
            ("h.example:443", ""),
        ];
        for (uri, path) in cases {
            let uri: http::Uri = uri.parse().unwrap();
            assert_eq!(&*RequestPath::of_uri(uri.clone()), uri.path(), "{uri}");
            assert_eq!(&*RequestPath::of_uri(uri), path);
        }
        let made = RequestPath::from(String::from("/made"));
        assert_eq!((&*made, made.to_string(), format!("{made:?}")), ("/made", "/made".into(), "\"/made\"".into()));
    }
}
