//! The common Function URL event (payload 2.0) read straight into an `http::Request`: one borrowed parse,
//! instead of our check of the event followed by lambda_http's own parse (an untagged enum tried shape by
//! shape over a buffered JSON tree), which together cost more than rendering a small page.
//!
//! The full path ([`super::normalize_event`], then lambda_http) stays the reference. This one answers only
//! events it recognises as plain and valid — version 2.0, a method in capitals, no `cookie` header, the query in
//! `rawQueryString`, the `$default` stage, a plain host and path that URL parsing leaves as they are — and
//! returns `None` for anything else, which then takes the full path. A differential test checks that both
//! build the same request.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};

use crate::app::AdapterRequestId;

#[derive(serde::Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    version: Cow<'a, str>,
    #[serde(rename = "rawPath", borrow)]
    raw_path: Cow<'a, str>,
    /// lambda_http also reads `path` as `rawPath`: an event with it takes the full path.
    #[serde(default)]
    path: Option<serde::de::IgnoredAny>,
    #[serde(rename = "rawQueryString", borrow, default)]
    raw_query: Option<Cow<'a, str>>,
    #[serde(rename = "queryStringParameters", borrow, default)]
    query_parameters: Option<BTreeMap<Cow<'a, str>, serde::de::IgnoredAny>>,
    #[serde(borrow, default)]
    cookies: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    headers: Headers<'a>,
    #[serde(borrow, default)]
    body: Option<Cow<'a, str>>,
    #[serde(rename = "isBase64Encoded", default)]
    base64: bool,
    #[serde(rename = "requestContext", borrow)]
    context: Context<'a>,
}

#[derive(serde::Deserialize)]
struct Context<'a> {
    #[serde(rename = "domainName", borrow, default)]
    domain_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    stage: Option<Cow<'a, str>>,
    #[serde(rename = "requestId", borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    http: ContextHttp<'a>,
    /// An event with an authorizer or authentication takes the full path.
    #[serde(default)]
    authorizer: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    authentication: Option<serde::de::IgnoredAny>,
    // Members lambda_http reads and the app does not: typed as lambda_http types them, so an event it would
    // refuse (a member twice, a number for a string) is refused here too.
    #[serde(rename = "routeKey", borrow, default)]
    _route_key: Option<Borrowed<'a>>,
    #[serde(rename = "accountId", borrow, default)]
    _account_id: Option<Borrowed<'a>>,
    #[serde(rename = "apiId", borrow, default)]
    _api_id: Option<Borrowed<'a>>,
    #[serde(rename = "domainPrefix", borrow, default)]
    _domain_prefix: Option<Borrowed<'a>>,
    #[serde(rename = "time", borrow, default)]
    _time: Option<Borrowed<'a>>,
    #[serde(rename = "timeEpoch", default)]
    _time_epoch: i64,
}

#[derive(serde::Deserialize)]
struct ContextHttp<'a> {
    #[serde(borrow)]
    method: Cow<'a, str>,
    #[serde(rename = "path", borrow, default)]
    _path: Option<Borrowed<'a>>,
    #[serde(rename = "protocol", borrow, default)]
    _protocol: Option<Borrowed<'a>>,
    #[serde(rename = "sourceIp", borrow, default)]
    _source_ip: Option<Borrowed<'a>>,
    #[serde(rename = "userAgent", borrow, default)]
    _user_agent: Option<Borrowed<'a>>,
}

static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The event's headers in order, names parsed. A name `http` refuses, or a `cookie` header, fails the parse: the
/// event then takes the full path, which decides.
#[derive(Default)]
struct Headers<'a>(Vec<(HeaderName, Cow<'a, str>)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Headers<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Headers<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut access: M) -> Result<Headers<'a>, M::Error> {
                use serde::de::Error;
                let mut pairs = Vec::with_capacity(access.size_hint().unwrap_or(16).min(64));
                while let Some((name, value)) = access.next_entry::<Borrowed<'a>, Borrowed<'a>>()? {
                    let name =
                        HeaderName::from_bytes(name.0.as_bytes()).map_err(|_| M::Error::custom("header name"))?;
                    if name == http::header::COOKIE {
                        return Err(M::Error::custom("a cookie header"));
                    }
                    pairs.push((name, value.0));
                }
                Ok(Headers(pairs))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// Where the event's bytes live: borrowed (values are copied), or a shared buffer the header values can point
/// into (no copy per header).
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Borrowed(&'a [u8]),
    Shared(&'a bytes::Bytes),
}

impl<'a> Source<'a> {
    pub(crate) fn bytes(self) -> &'a [u8] {
        match self {
            Source::Borrowed(b) => b,
            Source::Shared(b) => b,
        }
    }

    /// A header value: a view of the shared buffer when `text` lies in it, else a copy.
    fn value(&self, text: Cow<'_, str>) -> Option<HeaderValue> {
        if let (Source::Shared(buf), Cow::Borrowed(v)) = (self, &text) {
            let start = (v.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
            if start <= buf.len() && v.len() <= buf.len() - start {
                return HeaderValue::from_maybe_shared(buf.slice(start..start + v.len())).ok();
            }
        }
        HeaderValue::from_str(&text).ok()
    }
}

/// A string borrowed from the event where it has no escapes.
struct Borrowed<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Borrowed<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Inner<'a>(#[serde(borrow)] Cow<'a, str>);
        Inner::deserialize(d).map(|i| Borrowed(i.0))
    }
}

/// The request a plain Function URL event stands for, as the full path would build it (without lambda_http's
/// API Gateway extensions: the app reads none of them); `None` sends the event down the full path.
pub(crate) fn fast_request(source: Source<'_>) -> Option<Request<lambda_http::Body>> {
    // One UTF-8 check of the whole event; parsing from `&str` then skips checking each string again.
    let mut event: Event<'_> = serde_json::from_str(std::str::from_utf8(source.bytes()).ok()?).ok()?;
    if event.version != "2.0" || event.path.is_some() {
        return None;
    }
    if event.context.authorizer.is_some() || event.context.authentication.is_some() {
        return None;
    }
    let query = event.raw_query.as_deref().unwrap_or("");
    if query.is_empty() && event.query_parameters.as_ref().is_some_and(|p| !p.is_empty()) {
        return None;
    }
    if event.context.stage.as_deref().is_some_and(|s| s != "$default") {
        return None;
    }
    let method = match event.context.http.method.as_ref() {
        "" => Method::GET,
        m if m.bytes().any(|b| b.is_ascii_lowercase()) => return None,
        m => Method::from_bytes(m.as_bytes()).ok()?,
    };
    let pairs = std::mem::take(&mut event.headers.0);
    let members = pairs.len();
    // One more for the trace header the runtime adds.
    let mut headers = HeaderMap::with_capacity(members + 1);
    for (name, value) in pairs {
        headers.insert(name, source.value(value)?);
    }
    // Two spellings of one header: which one lambda_http keeps depends on the event's key order.
    if headers.keys_len() != members {
        return None;
    }
    let host = match headers.get(http::header::HOST) {
        Some(h) => h.to_str().ok()?,
        None => event.context.domain_name.as_deref()?,
    };
    let scheme = match headers.get(&X_FORWARDED_PROTO).map(HeaderValue::to_str) {
        None => "https",
        Some(Ok(p @ ("http" | "https"))) => p,
        Some(_) => return None,
    };
    if !plain_host(host) || !plain_path(&event.raw_path) {
        return None;
    }
    let mut uri = String::with_capacity(scheme.len() + host.len() + event.raw_path.len() + query.len() + 5);
    uri.push_str(scheme);
    uri.push_str("://");
    uri.push_str(host);
    uri.push_str(&event.raw_path);
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(query);
    }
    let uri = http::Uri::try_from(uri).ok()?;
    if let Some(cookies) = &event.cookies {
        headers.insert(http::header::COOKIE, HeaderValue::from_str(&cookies.join("; ")).ok()?);
    }
    let body = match event.body.as_deref() {
        None => lambda_http::Body::Empty,
        Some(b) if event.base64 => lambda_http::Body::Binary(base64::engine::general_purpose::STANDARD.decode(b).ok()?),
        Some(b) => lambda_http::Body::Text(b.to_string()),
    };
    let mut req = Request::new(body);
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    if let Some(id) = event.context.request_id {
        req.extensions_mut().insert(AdapterRequestId(id.into_owned()));
    }
    Some(req)
}

/// A lower-case DNS name that URL parsing keeps as it is (no port: a default one would be dropped; a last label
/// starting with a digit could be read as an IPv4 address and rewritten).
fn plain_host(host: &str) -> bool {
    // One pass over the bytes (this runs on every invocation).
    let bytes = host.as_bytes();
    if bytes.len() > 253 {
        return false;
    }
    let plain_label = |label: &[u8]| !label.is_empty() && label[0] != b'-' && !label.starts_with(b"xn--");
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'.' => {
                if !plain_label(&bytes[start..i]) {
                    return false;
                }
                start = i + 1;
            }
            b'a'..=b'z' | b'0'..=b'9' | b'-' => {}
            _ => return false,
        }
    }
    let last = &bytes[start..];
    plain_label(last) && last[0].is_ascii_lowercase()
}

/// An absolute path that URL parsing keeps as it is: no percent escapes, dot segments or characters it
/// would encode.
fn plain_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("/.")
        && path.bytes().all(|b| {
            matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' | b'!' | b'$'
                | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':' | b'@')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From an owned event, header values are views of its buffer; a value with escapes (decoded, so not in
    /// the buffer) is copied.
    #[test]
    fn shared_events_lend_their_header_values() {
        let event = bytes::Bytes::from(
            br#"{"version":"2.0","rawPath":"/a","headers":{"host":"x.on.aws","accept":"text/html","x-q":"a\"b"},
            "requestContext":{"http":{"method":"GET"}}}"#
                .to_vec(),
        );
        let req = fast_request(Source::Shared(&event)).expect("a plain event");
        let inside = |v: &HeaderValue| event.as_ptr_range().contains(&v.as_bytes().as_ptr());
        assert!(inside(&req.headers()["accept"]) && inside(&req.headers()["host"]));
        assert_eq!(req.headers()["x-q"], "a\"b");
        assert!(!inside(&req.headers()["x-q"]), "the unescaped value is a copy");
        let borrowed = fast_request(Source::Borrowed(&event)).expect("a plain event");
        assert_eq!(borrowed.headers(), req.headers());
        assert!(!inside(&borrowed.headers()["accept"]));
    }

    #[test]
    fn plain_shapes() {
        assert!(plain_host("abc.lambda-url.us-east-1.on.aws"));
        assert!(!plain_host("ABC.example") && !plain_host("a..b") && !plain_host("a:443") && !plain_host(""));
        assert!(!plain_host("127.0.0.1") && !plain_host("10.1") && !plain_host("xn--bcher-kva.example"));
        assert!(!plain_host("a.-b.example") && !plain_host("a.b.") && !plain_host(".a") && !plain_host("a.b.xn--p1ai"));
        assert!(plain_host("a") && plain_host("a-1.b2.c") && !plain_host("a.b.1c") && !plain_host(&"a".repeat(254)));
        assert!(plain_path("/blog/hello-world") && plain_path("/"));
        assert!(!plain_path("/a/../b") && !plain_path("/a%20b") && !plain_path("/a b") && !plain_path("x"));
    }
}
