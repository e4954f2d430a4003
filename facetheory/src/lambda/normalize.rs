//! The full path's check of a Function URL event before lambda_http parses it: the normalisations that keep
//! the request the client sent, and the refusal of events lambda_http would panic on.

/// Why an event cannot become a request: lambda_http would panic building its URI (the runtime then answers
/// 502 and logs a panic).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Lambda event does not form a valid request URI: {0}")]
pub struct InvalidEvent(pub String);

/// Normalises a Function URL event (payload 2.0) before lambda_http parses it, so that the app sees the request
/// the client sent, and refuses events lambda_http would panic on.
///
/// - The method is upper-cased (`get` would otherwise be an unknown extension method).
/// - Cookies in a `cookie` header are kept together with the `cookies` array (lambda_http would replace the
///   header with the array): header cookies first, then the array's, so the array wins for a repeated name.
/// - An empty `rawQueryString` is rebuilt from `queryStringParameters` when those are present (keys sorted;
///   AWS has already joined a repeated key's values with commas, so each key keeps one value).
/// - Then the URI lambda_http will build is checked the way it builds it: scheme from `x-forwarded-proto`, host
///   from the `host` header or `requestContext.domainName`, then `rawPath` and `rawQueryString`. An event that
///   fails is rewritten to a harmless one (path `/`, no query, host `localhost`) so that lambda_http can parse
///   it, and the reason is returned: the handler answers it `400`.
///
/// `Ok(None)`: pass the event on unchanged; `Ok(Some(bytes))`: pass these bytes instead.
///
/// ```
/// let event = br#"{"version":"2.0","rawPath":"/","rawQueryString":"q=a b","headers":{"host":"x.on.aws"}}"#;
/// let (fixed, reason) = facetheory::lambda::normalize_event(event).unwrap_err();
/// assert!(reason.0.contains("query"));
/// assert!(std::str::from_utf8(&fixed).unwrap().contains(r#""rawQueryString":"""#));
/// let lower = br#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"post"}}}"#;
/// let fixed = facetheory::lambda::normalize_event(lower).unwrap().expect("rewritten");
/// assert!(std::str::from_utf8(&fixed).unwrap().contains(r#""method":"POST""#));
/// ```
pub fn normalize_event(body: &[u8]) -> Result<Option<Vec<u8>>, (Vec<u8>, InvalidEvent)> {
    if needs_nothing(body) {
        return Ok(None);
    }
    normalize_event_in_full(body)
}

/// [`normalize_event`] without its fast path (the fuzz target checks that both always agree).
#[doc(hidden)]
pub fn normalize_event_in_full(body: &[u8]) -> Result<Option<Vec<u8>>, (Vec<u8>, InvalidEvent)> {
    // Not JSON, or not an HTTP event: lambda_http reports those itself, without panicking. A lone UTF-16
    // surrogate escape is the exception: serde_json skips it in a member lambda_http ignores but refuses it in
    // a tree, so the event is checked with U+FFFD in its place (and passed on unchanged when nothing else is).
    let parsed = serde_json::from_slice::<serde_json::Value>(body)
        .or_else(|e| replace_lone_surrogates(body).ok_or(e).and_then(|fixed| serde_json::from_slice(&fixed)));
    let Ok(mut event) = parsed else { return Ok(None) };
    if !event.is_object() {
        return Ok(None);
    }
    let changed = normalize(&mut event);
    match check_uri(&mut event) {
        Ok(()) if changed => Ok(Some(serde_json::to_vec(&event).unwrap_or_else(|_| body.to_vec()))),
        Ok(()) => Ok(None),
        Err(reason) => Err((serde_json::to_vec(&event).unwrap_or_else(|_| body.to_vec()), reason)),
    }
}

/// The JSON text with every `\\u` escape of an unpaired UTF-16 surrogate replaced by `\\ufffd` (the same
/// length), or `None` when it has none. One pass; escapes are only read inside strings.
fn replace_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    let hex = |at: usize| -> Option<u16> {
        let digits = body.get(at..at + 4).filter(|d| d.iter().all(u8::is_ascii_hexdigit))?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| body.get(at..at + 2) == Some(b"\\u".as_slice());
    let mut fixed: Option<Vec<u8>> = None;
    let (mut i, mut in_string) = (0, false);
    while i < body.len() {
        match body[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                if body.get(i + 1) != Some(&b'u') {
                    i += 2;
                    continue;
                }
                let Some(n) = hex(i + 2) else {
                    i += 2;
                    continue;
                };
                let paired = (0xD800..=0xDBFF).contains(&n)
                    && escape_at(i + 6)
                    && hex(i + 8).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
                if paired {
                    i += 12;
                    continue;
                }
                if (0xD800..=0xDFFF).contains(&n) {
                    fixed.get_or_insert_with(|| body.to_vec())[i + 2..i + 6].copy_from_slice(b"fffd");
                }
                i += 6;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    fixed
}

/// The method, cookie and query normalisations of [`normalize_event`]; true when something changed.
fn normalize(event: &mut serde_json::Value) -> bool {
    let mut changed = false;
    if let Some(method) = event.pointer_mut("/requestContext/http/method") {
        if let Some(m) = method.as_str().filter(|m| m.bytes().any(|b| b.is_ascii_lowercase())) {
            *method = m.to_ascii_uppercase().into();
            changed = true;
        }
    }
    let header_cookies = event.get_mut("headers").and_then(|h| h.as_object_mut()).and_then(|headers| {
        let name = headers.keys().find(|k| k.eq_ignore_ascii_case("cookie"))?.clone();
        headers.remove(&name)
    });
    if let Some(header) = header_cookies {
        let mut all: Vec<serde_json::Value> = header
            .as_str()
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| c.to_string().into())
            .collect();
        if let Some(array) = event.get("cookies").and_then(|c| c.as_array()) {
            all.extend(array.iter().cloned());
        }
        event["cookies"] = all.into();
        changed = true;
    }
    let raw_empty = event.get("rawQueryString").and_then(|q| q.as_str()).is_none_or(str::is_empty);
    let params = event.get("queryStringParameters").and_then(|p| p.as_object()).filter(|p| !p.is_empty());
    if let (true, Some(params)) = (raw_empty, params) {
        let mut pairs: Vec<(&String, &str)> = params.iter().filter_map(|(k, v)| v.as_str().map(|v| (k, v))).collect();
        pairs.sort();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        event["rawQueryString"] = query.finish().into();
        changed = true;
    }
    changed
}

/// Why lambda_http would fail (panic) building the URI of an event with these parts, if it would: the check of
/// [`normalize_event`], done the way lambda_http builds it.
fn uri_problem(
    raw_path: &str,
    stage: Option<&str>,
    host_header: Option<&str>,
    domain_name: Option<&str>,
    forwarded_proto: Option<&str>,
    query: &str,
) -> Option<String> {
    // As lambda_http does: a missing `rawPath` is empty, a stage other than `$default` prefixes it.
    let path = match stage {
        Some(stage) if stage != "$default" && std::env::var_os("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH").is_none() => {
            if raw_path.starts_with(&format!("/{stage}/")) {
                raw_path.to_string()
            } else {
                format!("/{stage}{raw_path}")
            }
        }
        _ => raw_path.to_string(),
    };
    // lambda_http reads the host header through `HeaderValue::to_str`, which refuses anything but visible ASCII,
    // and then falls back to the domain name: so must we.
    let host = host_header.filter(|h| http::HeaderValue::from_str(h).is_ok_and(|v| v.to_str().is_ok())).or(domain_name);
    let scheme = forwarded_proto.unwrap_or("https");
    // lambda_http: with a host, the whole URL; without, the path of `http://localhost<path>`; then `?<query>`.
    let base = match host {
        None => url::Url::parse(&format!("http://localhost{path}"))
            .map(|u| u.path().to_string())
            .map_err(|e| format!("path {path:?}: {e}")),
        Some(host) => url::Url::parse(&format!("{scheme}://{host}{path}"))
            .map(|u| u.to_string())
            .map_err(|e| format!("scheme {scheme:?}, host {host:?} or path {path:?}: {e}")),
    };
    match base {
        Err(problem) => Some(problem),
        Ok(base) => {
            let uri = if query.is_empty() { base } else { format!("{base}?{query}") };
            http::Uri::try_from(uri).err().map(|e| format!("query {query:?}: {e}"))
        }
    }
}

/// The fields [`normalize_event`] looks at, borrowed from the event's bytes: the common event (nothing to
/// change, a URI lambda_http can build) is recognised without building a JSON tree.
#[derive(serde::Deserialize)]
struct Probe<'a> {
    #[serde(rename = "rawPath", borrow, default)]
    raw_path: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "rawQueryString", borrow, default)]
    raw_query: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    headers: Option<std::collections::BTreeMap<std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>>>,
    #[serde(rename = "queryStringParameters", default)]
    query_parameters: Option<std::collections::BTreeMap<String, serde::de::IgnoredAny>>,
    #[serde(rename = "requestContext", borrow, default)]
    context: Option<ProbeContext<'a>>,
}

#[derive(serde::Deserialize)]
struct ProbeContext<'a> {
    #[serde(rename = "domainName", borrow, default)]
    domain_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    stage: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    http: Option<ProbeHttp<'a>>,
}

#[derive(serde::Deserialize)]
struct ProbeHttp<'a> {
    #[serde(borrow, default)]
    method: Option<std::borrow::Cow<'a, str>>,
}

/// True when the event certainly needs no change: every condition of [`normalize_event`] holds. Anything
/// unusual (a field of another type, duplicate keys, two spellings of one header) returns false and takes the
/// full path.
fn needs_nothing(body: &[u8]) -> bool {
    let Ok(probe) = serde_json::from_slice::<Probe<'_>>(body) else { return false };
    let empty = std::collections::BTreeMap::new();
    let headers = probe.headers.as_ref().unwrap_or(&empty);
    let one = |name: &str| {
        let mut found = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Ok(Some(v.as_ref())),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(()),
        }
    };
    let (Ok(host), Ok(proto), Ok(None)) = (one("host"), one("x-forwarded-proto"), one("cookie")) else { return false };
    let context = probe.context.as_ref();
    let method = context.and_then(|c| c.http.as_ref()).and_then(|h| h.method.as_deref());
    if method.is_some_and(|m| m.bytes().any(|b| b.is_ascii_lowercase())) {
        return false;
    }
    let query = probe.raw_query.as_deref().unwrap_or("");
    if query.is_empty() && probe.query_parameters.as_ref().is_some_and(|p| !p.is_empty()) {
        return false;
    }
    uri_problem(
        probe.raw_path.as_deref().unwrap_or(""),
        context.and_then(|c| c.stage.as_deref()),
        host,
        context.and_then(|c| c.domain_name.as_deref()),
        proto,
        query,
    )
    .is_none()
}

/// The URI check of [`normalize_event`]: on failure the event is rewritten in place and the reason returned.
fn check_uri(event: &mut serde_json::Value) -> Result<(), InvalidEvent> {
    let text = |v: &serde_json::Value, path: &[&str]| {
        let mut v = v;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str().map(str::to_string)
    };
    let header = |name: &str| {
        let headers = event.get("headers")?.as_object()?;
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str()).map(str::to_string)
    };
    let problem = uri_problem(
        &text(event, &["rawPath"]).unwrap_or_default(),
        text(event, &["requestContext", "stage"]).as_deref(),
        header("host").as_deref(),
        text(event, &["requestContext", "domainName"]).as_deref(),
        header("x-forwarded-proto").as_deref(),
        &text(event, &["rawQueryString"]).unwrap_or_default(),
    );
    let Some(problem) = problem else { return Ok(()) };
    event["rawPath"] = "/".into();
    event["rawQueryString"] = "".into();
    if let Some(headers) = event.get_mut("headers").and_then(|h| h.as_object_mut()) {
        headers.retain(|k, _| !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("x-forwarded-proto"));
        headers.insert("host".into(), "localhost".into());
    }
    if let Some(ctx) = event.get_mut("requestContext").and_then(|c| c.as_object_mut()) {
        ctx.insert("domainName".into(), "localhost".into());
        ctx.insert("stage".into(), "$default".into());
        if let Some(http) = ctx.get_mut("http").and_then(|h| h.as_object_mut()) {
            http.insert("path".into(), "/".into());
        }
    }
    Err(InvalidEvent(problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_are_replaced_and_pairs_kept() {
        let fix = |text: &str| replace_lone_surrogates(text.as_bytes()).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(fix(r#"{"a":"\ud83d\ude00"}"#), None, "a pair is kept");
        assert_eq!(fix(r#"{"a":"\ude00"}"#).as_deref(), Some(r#"{"a":"\ufffd"}"#));
        assert_eq!(fix(r#"{"a":"\ud800x"}"#).as_deref(), Some(r#"{"a":"\ufffdx"}"#));
        assert_eq!(fix(r#"{"a":"\ud800\ud800\udc00"}"#).as_deref(), Some(r#"{"a":"\ufffd\ud800\udc00"}"#));
        assert_eq!(fix(r#"{"\udc00":"\\ud800"}"#).as_deref(), Some(r#"{"\ufffd":"\\ud800"}"#), "an escaped backslash");
        assert_eq!(fix(r#"{"a":"\u+d80","b":"\ud8"}"#), None, "not an escape of four hex digits");
        assert_eq!(fix(r#"\ud800"#), None, "outside a string");
    }

    /// Found by the fuzzer: a lone surrogate in a member lambda_http skips hid a host it panics on.
    #[test]
    fn a_lone_surrogate_does_not_hide_an_invalid_host() {
        let event = br#"{"version":"2.0","rawPath":"/blog","rawQueryString":"","x":"\ude00",
            "headers":{"host":"abc.on:.aws"},"requestContext":{"http":{"method":"GET"}}}"#;
        assert!(serde_json::from_slice::<serde_json::Value>(event).is_err());
        let (fixed, reason) = normalize_event(event).expect_err("an invalid host");
        assert!(reason.0.contains("abc.on:.aws"), "{reason}");
        assert!(std::str::from_utf8(&fixed).unwrap().contains(r#""host":"localhost""#));
        // Valid otherwise: passed on unchanged, as lambda_http takes it.
        let fine = br#"{"version":"2.0","rawPath":"/","x":"\ude00","headers":{"host":"a.on.aws"},
            "requestContext":{"http":{"method":"GET"}}}"#;
        assert_eq!(normalize_event(fine), Ok(None));
        assert_eq!(normalize_event_in_full(fine), Ok(None));
    }
}
