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
use std::ops::Not;

use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};

use super::json::Reader;
use crate::app::AdapterRequestId;

/// The members of the event the request is built from.
#[derive(Default)]
struct Event<'a> {
    version: Option<Cow<'a, str>>,
    raw_path: Option<Cow<'a, str>>,
    raw_query: Option<Cow<'a, str>>,
    /// `queryStringParameters` has a member (it only matters when `rawQueryString` is empty).
    query_parameters: bool,
    cookies: Option<Vec<Cow<'a, str>>>,
    /// The headers in order, names parsed.
    headers: Vec<(HeaderName, Cow<'a, str>)>,
    body: Option<Cow<'a, str>>,
    base64: bool,
    domain_name: Option<Cow<'a, str>>,
    request_id: Option<Cow<'a, str>>,
    method: Option<Cow<'a, str>>,
}

/// Top-level members lambda_http reads as optional strings (as API Gateway v2, the shape it parses a Function URL
/// event as) and the app does not use; their duplicate checks follow the first ten members'.
const STRING_MEMBERS: [&str; 6] = ["routeKey", "resource", "type", "methodArn", "identitySource", "authorizationToken"];

/// Reads the event as lambda_http's types would take it, or `None`: the same members typed as it types them
/// (a member twice, `null` where a value is needed or a number for a string is refused), members it does not
/// know skipped, and the shapes the fast path leaves to the full one refused (`path` at the top, an
/// `authorizer` or `authentication`, a stage other than `$default`, a `cookie` header).
fn read_event(text: &str) -> Option<Event<'_>> {
    let mut r = Reader::new(text);
    let mut e = Event::default();
    let mut seen = Seen::default();
    r.object(|r, key| {
        match key.as_ref() {
            "version" => {
                seen.first(0)?;
                e.version = Some(r.string()?);
            }
            "rawPath" => {
                seen.first(1)?;
                e.raw_path = Some(r.string()?);
            }
            // lambda_http reads `path` as a second spelling of `rawPath` and refuses the event with both, even
            // when `path` is `null`: any `path` takes the full path.
            "path" => return None,
            "rawQueryString" => {
                seen.first(3)?;
                e.raw_query = r.optional_string()?;
            }
            "queryStringParameters" => {
                seen.first(4)?;
                if !r.null() {
                    // lambda_http types the values as strings even when `rawQueryString` makes them unused.
                    r.object(|r, _| {
                        e.query_parameters = true;
                        r.string().map(drop)
                    })?;
                }
            }
            "cookies" => {
                seen.first(5)?;
                if !r.null() {
                    let mut cookies = Vec::new();
                    r.array(|r| r.string().map(|c| cookies.push(c)))?;
                    e.cookies = Some(cookies);
                }
            }
            "headers" => {
                seen.first(6)?;
                e.headers.reserve(16);
                r.object(|r, name| {
                    let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
                    if name == http::header::COOKIE || e.headers.len() >= MAX_HEADERS {
                        return None;
                    }
                    e.headers.push((name, r.string()?));
                    Some(())
                })?;
            }
            "body" => {
                seen.first(7)?;
                e.body = r.optional_string()?;
            }
            "isBase64Encoded" => {
                seen.first(8)?;
                e.base64 = r.bool()?;
            }
            "requestContext" => {
                seen.first(9)?;
                read_context(r, &mut e)?;
            }
            // Read with their own rules by lambda_http (maps of strings, a method); Function URLs send none of
            // them: the full path takes them.
            "pathParameters" | "stageVariables" | "httpMethod" => return None,
            // Members lambda_http reads and the app does not: typed as it types them (strings); others skipped.
            other => match STRING_MEMBERS.iter().position(|m| *m == other) {
                Some(i) => {
                    seen.first(10 + i as u32)?;
                    r.optional_string()?;
                }
                None => r.skip()?,
            },
        }
        Some(())
    })?;
    r.end()?;
    // `requestContext` (with its `http.method`), `version` and `rawPath` are required.
    (e.method.is_some() && e.version.is_some() && e.raw_path.is_some()).then_some(e)
}

/// The event's `requestContext`.
fn read_context<'a>(r: &mut Reader<'a>, e: &mut Event<'a>) -> Option<()> {
    let mut seen = Seen::default();
    r.object(|r, key| {
        // Each known member by index: one duplicate check and one string read for all of them.
        let member = match key.as_ref() {
            "domainName" => 0,
            "stage" => 1,
            "requestId" => 2,
            "http" => 3,
            "authorizer" => 4,
            "authentication" => 5,
            "timeEpoch" => 6,
            // Members lambda_http reads and the app does not: typed as lambda_http types them (strings).
            "routeKey" => 7,
            "accountId" => 8,
            "apiId" => 9,
            "domainPrefix" => 10,
            "time" => 11,
            _ => return r.skip(),
        };
        seen.first(member)?;
        match member {
            3 => read_context_http(r, e),
            // An event with an authorizer or authentication takes the full path.
            4 | 5 => r.present()?.not().then_some(()),
            6 => r.integer().map(drop),
            _ => {
                let text = r.optional_string()?;
                match member {
                    0 => e.domain_name = text,
                    1 if text.as_deref().is_some_and(|s| s != "$default") => return None,
                    2 => e.request_id = text,
                    _ => {}
                }
                Some(())
            }
        }
    })?;
    // `http` and its `method` are required.
    e.method.is_some().then_some(())
}

/// The request context's `http`.
fn read_context_http<'a>(r: &mut Reader<'a>, e: &mut Event<'a>) -> Option<()> {
    let mut seen = Seen::default();
    r.object(|r, key| {
        let member = match key.as_ref() {
            "method" => 0,
            // Read and typed as lambda_http types them; the app does not use them.
            "path" => 1,
            "protocol" => 2,
            "sourceIp" => 3,
            "userAgent" => 4,
            _ => return r.skip(),
        };
        seen.first(member)?;
        if member == 0 {
            e.method = Some(r.string()?);
        } else {
            r.optional_string()?;
        }
        Some(())
    })
}

/// The known members of one object already read: a second one is refused, as serde's derive refuses it.
#[derive(Default)]
struct Seen(u16);

impl Seen {
    fn first(&mut self, member: u32) -> Option<()> {
        let bit = 1 << member;
        let first = self.0 & bit == 0;
        self.0 |= bit;
        first.then_some(())
    }
}

/// More headers than this send the event down the full path (a Function URL request has at most a few dozen).
const MAX_HEADERS: usize = 256;

static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

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

/// The request a plain Function URL event stands for, as the full path would build it (without lambda_http's
/// API Gateway extensions: the app reads none of them); `None` sends the event down the full path.
pub(crate) fn fast_request(source: Source<'_>) -> Option<Request<lambda_http::Body>> {
    // One UTF-8 check of the whole event; the reader then slices it without checking each string again.
    let mut event = read_event(std::str::from_utf8(source.bytes()).ok()?)?;
    if event.version.as_deref() != Some("2.0") {
        return None;
    }
    let raw_path = event.raw_path.as_deref()?;
    let query = event.raw_query.as_deref().unwrap_or("");
    if query.is_empty() && event.query_parameters {
        return None;
    }
    let method = match event.method.as_deref().unwrap_or("") {
        "" => Method::GET,
        m if m.bytes().any(|b| b.is_ascii_lowercase()) => return None,
        m => Method::from_bytes(m.as_bytes()).ok()?,
    };
    let pairs = std::mem::take(&mut event.headers);
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
        None => event.domain_name.as_deref()?,
    };
    let scheme = match headers.get(&X_FORWARDED_PROTO).map(HeaderValue::to_str) {
        None => "https",
        Some(Ok(p @ ("http" | "https"))) => p,
        Some(_) => return None,
    };
    if !plain_host(host) || !plain_path(raw_path) {
        return None;
    }
    let mut uri = String::with_capacity(scheme.len() + host.len() + raw_path.len() + query.len() + 5);
    uri.push_str(scheme);
    uri.push_str("://");
    uri.push_str(host);
    uri.push_str(raw_path);
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
    if let Some(id) = event.request_id {
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

    /// Odd but valid JSON the fast reader must either take exactly as the full path does or leave to it.
    #[test]
    fn odd_events_are_taken_as_the_full_path_takes_them_or_left_to_it() {
        let event = |top: &str, context: &str| {
            format!(
                r#"{{"version":"2.0","rawPath":"/a","headers":{{"host":"x.on.aws"}}{top},
                "requestContext":{{"http":{{"method":"GET"}},"requestId":"r"{context}}}}}"#
            )
        };
        let cases = [
            // (top-level members, request-context members, taken by the fast path)
            ("", "", true),
            (r#","authorizer":{"x":1},"extra":[1,{"a":[true,null,-1.5e3]}]"#, "", true),
            (r#","path":null"#, "", false),
            (r#","raw\u0051ueryString":"q=1""#, "", true),
            (r#","cookies":["a=1","b=\"2\""],"body":"x\ny","isBase64Encoded":false"#, "", true),
            ("", r#","timeEpoch":-1"#, true),
            ("", r#","timeEpoch":-0"#, false),
            ("", r#","stage":"$default""#, true),
            ("", r#","authorizer":null"#, true),
            ("", r#","authentication":null"#, true),
            (r#","rawPath":"/b""#, "", false),
            (r#","path":"/b""#, "", false),
            (r#","isBase64Encoded":null"#, "", false),
            (r#","rawQueryString":1"#, "", false),
            (r#","cookies":[1]"#, "", false),
            (r#","headers":null"#, "", false),
            ("", r#","requestId":"s""#, false),
            ("", r#","timeEpoch":1.0"#, false),
            ("", r#","timeEpoch":null"#, false),
            ("", r#","routeKey":7"#, false),
            ("", r#","authorizer":{}"#, false),
            ("", r#","stage":"prod""#, false),
            ("", r#","http":{"method":"GET"}"#, false),
            (r#","queryStringParameters":{"q":"1"}"#, "", false),
            (r#","queryStringParameters":{}"#, "", true),
            (r#","routeKey":"$default","resource":null"#, "", true),
            // Found by the fuzzer: lambda_http types these members and refuses the event when they do not fit.
            (r#","stageVariables":"q=1""#, "", false),
            (r#","routeKey":1"#, "", false),
            (r#","routeKey":"a","routeKey":"b""#, "", false),
            (r#","pathParameters":{}"#, "", false),
            (r#","rawQueryString":"q=1","queryStringParameters":{"q":"1"}"#, "", true),
            // Found by the fuzzer: a value that is not a string makes lambda_http refuse the whole event.
            (r#","rawQueryString":"q=1","queryStringParameters":{"t":1}"#, "", false),
            (r#","rawQueryString":"q=1","queryStringParameters":{"q":null}"#, "", false),
        ];
        let mut wrong = Vec::new();
        for (top, context, taken) in cases {
            let text = event(top, context);
            let agrees = super::super::fast_path_agrees(text.as_bytes());
            if agrees != Ok(taken) {
                wrong.push(format!("{top} {context}: {agrees:?}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // Not JSON the fast path takes: trailing bytes, an array at the top, a lone surrogate.
        for text in [format!("{} x", event("", "")), "[]".to_string(), event(r#","x":"\ud800""#, "")] {
            assert!(fast_request(Source::Borrowed(text.as_bytes())).is_none(), "{text}");
        }
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
