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
    // Not JSON, or not an HTTP event: lambda_http reports those itself, without panicking.
    let Ok(mut event) = serde_json::from_slice::<serde_json::Value>(body) else { return Ok(None) };
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
