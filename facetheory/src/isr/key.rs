//! ISR cache keys (byte-order sorting instead of the TypeScript runtime's locale collation):
//! `<tenant>::<route pattern>?<params>&<query>[#auth=<d>&cookies=<d>]`, where params and query are
//! `encodeURIComponent`-encoded `k=v` pairs sorted by key, and the digests (sha256 hex, 24 characters) cover
//! authorization-like headers and cookies, so that personalised variants never share a page.

use crate::context::FaceContext;
pub(crate) use crate::digest::digest24;
use crate::params::encode_uri_component_into;

/// Headers whose values make a request a different variant.
/// Header names are parsed once: looking a header up by `&str` parses the name on every call (every ISR hit).
static AUTH_HEADERS: [http::HeaderName; 4] = [
    http::header::AUTHORIZATION,
    http::header::PROXY_AUTHORIZATION,
    http::HeaderName::from_static("x-amz-security-token"),
    http::HeaderName::from_static("x-api-key"),
];
/// Headers that announce a tenant: with one of them set and no tenant function, ISR fails closed.
static TENANT_HEADERS: [http::HeaderName; 2] =
    [http::HeaderName::from_static("x-tenant-id"), http::HeaderName::from_static("x-facetheory-tenant")];

/// How the variant part of a key treats cookies.
#[derive(Clone, Debug, Default)]
pub enum CookieVary {
    /// Every cookie is part of the key (the safe default).
    #[default]
    All,
    /// Only these cookies (e.g. `["locale"]`).
    Only(Vec<String>),
}

/// The default cache key for a request to `route`.
#[cfg(test)]
pub(crate) fn default_cache_key(tenant: &str, route: &str, ctx: &FaceContext, cookies: &CookieVary) -> String {
    let mut key = String::new();
    write_cache_key(&mut key, tenant, route, ctx, cookies);
    key
}

/// The default cache key, appended to `key` in place (it is computed on every hit).
pub(crate) fn write_cache_key(key: &mut String, tenant: &str, route: &str, ctx: &FaceContext, cookies: &CookieVary) {
    key.push_str(tenant);
    key.push_str("::");
    key.push_str(route);
    key.push('?');
    let mut first = true;
    let mut pair = |key: &mut String, k: &str, v: &str| {
        if !std::mem::take(&mut first) {
            key.push('&');
        }
        encode_uri_component_into(key, k);
        key.push('=');
        encode_uri_component_into(key, v);
    };
    let mut params: Vec<(&str, &str)> = ctx.raw_params().collect();
    params.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (k, v) in params {
        pair(key, k, v);
    }
    // A hydration sidecar request is the page's own request plus the sidecar parameter: same key.
    let mut query: Vec<(&str, &str)> =
        ctx.query().iter().filter(|(k, _)| *k != crate::hydration::HYDRATION_PARAM).collect();
    // Stable by key: values of a repeated key keep their order.
    query.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (k, v) in query {
        pair(key, k, v);
    }

    let mut variant = Vec::new();
    let mut auth_lines = Vec::new();
    for name in &AUTH_HEADERS {
        let values: Vec<&str> = ctx.headers().get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.iter().any(|v| !v.is_empty()) {
            auth_lines.push(format!("{name}={}", values.join("\0")));
        }
    }
    if !auth_lines.is_empty() {
        variant.push(format!("auth={}", digest24(&auth_lines.join("\n"))));
    }
    if ctx.headers().contains_key(http::header::COOKIE) {
        let mut cookie_lines: Vec<String> = ctx
            .cookies()
            .iter()
            .filter(|(n, _)| match cookies {
                CookieVary::All => true,
                CookieVary::Only(list) => list.iter().any(|c| c == n),
            })
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        cookie_lines.sort();
        cookie_lines.dedup();
        if !cookie_lines.is_empty() {
            variant.push(format!("cookies={}", digest24(&cookie_lines.join("\n"))));
        }
    }
    if !variant.is_empty() {
        key.push('#');
        key.push_str(&variant.join("&"));
    }
}

/// The first non-empty tenant-boundary header, if any.
pub(crate) fn tenant_header(ctx: &FaceContext) -> Option<&'static str> {
    let found =
        |h: &http::HeaderName| ctx.headers().get(h).and_then(|v| v.to_str().ok()).is_some_and(|v| !v.trim().is_empty());
    TENANT_HEADERS.iter().find(|h| found(h)).map(http::HeaderName::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_encode_and_digest_variants() {
        let ctx = FaceContext::builder("GET", "/blog/a%20b?z=1&a=2&a=1&q=x%20y").param("slug", "a%20b").build();
        assert_eq!(
            default_cache_key("default", "/blog/<slug>", &ctx, &CookieVary::All),
            "default::/blog/<slug>?slug=a%2520b&a=2&a=1&q=x%20y&z=1"
        );
        let authed = FaceContext::builder("GET", "/x").header("authorization", "Bearer t").build();
        let key = default_cache_key("default", "/x", &authed, &CookieVary::All);
        assert_eq!(key, format!("default::/x?#auth={}", digest24("authorization=Bearer t")));
        let cookies = FaceContext::builder("GET", "/x").header("cookie", "b=2; a=1; locale=fr").build();
        let all = default_cache_key("t1", "/x", &cookies, &CookieVary::All);
        assert_eq!(all, format!("t1::/x?#cookies={}", digest24("a=1\nb=2\nlocale=fr")));
        let only = default_cache_key("t1", "/x", &cookies, &CookieVary::Only(vec!["locale".into()]));
        assert_eq!(only, format!("t1::/x?#cookies={}", digest24("locale=fr")));
        assert_eq!(digest24("x").len(), 24);
    }

    #[test]
    fn tenant_headers_are_detected() {
        assert_eq!(
            tenant_header(&FaceContext::builder("GET", "/").header("x-tenant-id", " acme ").build()),
            Some("x-tenant-id")
        );
        assert_eq!(tenant_header(&FaceContext::builder("GET", "/").header("x-facetheory-tenant", " ").build()), None);
    }
}
