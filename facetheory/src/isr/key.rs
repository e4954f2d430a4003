//! ISR cache keys (byte-order sorting instead of the TypeScript runtime's locale collation):
//! `<tenant>::<route pattern>?<params>&<query>[#auth=<d>&cookies=<d>]`, where params and query are
//! `encodeURIComponent`-encoded `k=v` pairs sorted by key, and the digests (sha256 hex, 24 characters) cover
//! authorization-like headers and cookies, so that personalised variants never share a page.

use crate::context::FaceContext;
pub(crate) use crate::digest::digest24;
use crate::params::encode_uri_component;

/// Headers whose values make a request a different variant.
pub(crate) const AUTH_HEADERS: &[&str] = &["authorization", "proxy-authorization", "x-amz-security-token", "x-api-key"];
/// Headers that announce a tenant: with one of them set and no tenant function, ISR fails closed.
pub(crate) const TENANT_HEADERS: &[&str] = &["x-tenant-id", "x-facetheory-tenant"];

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
pub(crate) fn default_cache_key(tenant: &str, route: &str, ctx: &FaceContext, cookies: &CookieVary) -> String {
    let mut params: Vec<(&str, &str)> = ctx.raw_params().collect();
    params.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut parts: Vec<String> =
        params.iter().map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v))).collect();
    // A hydration sidecar request is the page's own request plus the sidecar parameter: same key.
    let mut query: Vec<(&str, &str)> =
        ctx.query().iter().filter(|(k, _)| *k != crate::hydration::HYDRATION_PARAM).collect();
    // Stable by key: values of a repeated key keep their order.
    query.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    parts.extend(query.iter().map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v))));

    let mut variant = Vec::new();
    let mut auth_lines = Vec::new();
    for name in AUTH_HEADERS {
        let values: Vec<&str> = ctx.headers().get_all(*name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.iter().any(|v| !v.is_empty()) {
            auth_lines.push(format!("{name}={}", values.join("\0")));
        }
    }
    if !auth_lines.is_empty() {
        variant.push(format!("auth={}", digest24(&auth_lines.join("\n"))));
    }
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
    let variant = if variant.is_empty() { String::new() } else { format!("#{}", variant.join("&")) };
    format!("{tenant}::{route}?{}{variant}", parts.join("&"))
}

/// The first non-empty tenant-boundary header, if any.
pub(crate) fn tenant_header(ctx: &FaceContext) -> Option<&'static str> {
    TENANT_HEADERS.iter().copied().find(|h| ctx.header(h).is_some_and(|v| !v.trim().is_empty()))
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
