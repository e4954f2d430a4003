//! CloudFront cache and origin request policies of the plan: what each behavior caches, what is in its cache
//! key, and what it forwards to the origin. One definition feeds the template (managed policy IDs, or a
//! generated `AWS::CloudFront::CachePolicy`) and `behaviors.json` (the rules the local preview edge applies).

use serde_json::{json, Value};

/// One year, CloudFront's usual maximum TTL.
const YEAR: u64 = 31_536_000;

/// How a behavior caches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    /// Managed-CachingDisabled: nothing is cached (SSR sidecars, revalidation).
    Disabled,
    /// Managed-CachingOptimized: S3-only objects keyed by path, honouring the object's `cache-control`
    /// (a year for hashed assets, `s-maxage` for SSG data); the query string is neither keyed nor forwarded.
    Optimized,
    /// Generated: the origin's `cache-control` decides (`s-maxage` first; nothing cached without one), keyed by
    /// path and every query parameter. SSG HTML is cached for its `s-maxage`, SSR (`private, no-store`) never,
    /// ISR as its headers say.
    OriginHeaders,
}

impl CachePolicy {
    /// Name in `behaviors.json`.
    pub fn name(self) -> &'static str {
        match self {
            CachePolicy::Disabled => "caching-disabled",
            CachePolicy::Optimized => "caching-optimized",
            CachePolicy::OriginHeaders => "origin-cache-headers",
        }
    }

    /// `CachePolicyId` in the template: a managed ID, or a reference to the generated policy.
    pub fn template_id(self) -> &'static str {
        match self {
            CachePolicy::Disabled => "4135ea2d-6df8-44a3-9df3-4b5a84be39ad # Managed-CachingDisabled",
            CachePolicy::Optimized => "658327ea-f89d-4fab-a63d-7e88639e58f6 # Managed-CachingOptimized",
            CachePolicy::OriginHeaders => "!Ref OriginCacheHeadersPolicy",
        }
    }

    /// `(min, default, max)` TTL in seconds, as CloudFront applies them to the origin's `cache-control`.
    pub fn ttls(self) -> (u64, u64, u64) {
        match self {
            CachePolicy::Disabled => (0, 0, 0),
            CachePolicy::Optimized => (1, 86_400, YEAR),
            CachePolicy::OriginHeaders => (0, 0, YEAR),
        }
    }

    /// Whether every query parameter is in the cache key (and so forwarded).
    pub fn query_in_key(self) -> bool {
        self == CachePolicy::OriginHeaders
    }

    fn describe(self) -> Value {
        let (min, default, max) = self.ttls();
        json!({
            "minTtl": min, "defaultTtl": default, "maxTtl": max,
            "cacheKey": {"queryStrings": if self.query_in_key() { "all" } else { "none" }, "cookies": "none", "headers": "none"},
            "template": self.template_id(),
        })
    }
}

/// What a behavior forwards to its origin besides its cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginRequestPolicy {
    /// Managed-AllViewerExceptHostHeader: every viewer header (including those the viewer-request function
    /// set), cookie and query parameter, but never the viewer `Host` — a Lambda Function URL refuses a foreign
    /// host, so CloudFront sends the origin's own.
    AllViewerExceptHost,
}

impl OriginRequestPolicy {
    /// Name in `behaviors.json`.
    pub fn name(self) -> &'static str {
        "all-viewer-except-host"
    }

    /// `OriginRequestPolicyId` in the template.
    pub fn template_id(self) -> &'static str {
        "b689b0a8-53d0-40ab-baf2-68738e2966ac # Managed-AllViewerExceptHostHeader"
    }

    fn describe(self) -> Value {
        json!({"headers": "allViewerExceptHost", "cookies": "all", "queryStrings": "all", "template": self.template_id()})
    }
}

/// The `policies` object of `behaviors.json`.
pub(super) fn describe_all() -> Value {
    let cache: serde_json::Map<String, Value> =
        [CachePolicy::Disabled, CachePolicy::Optimized, CachePolicy::OriginHeaders]
            .into_iter()
            .map(|p| (p.name().to_string(), p.describe()))
            .collect();
    let origin = OriginRequestPolicy::AllViewerExceptHost;
    json!({"cache": cache, "originRequest": {origin.name(): origin.describe()}})
}

/// The generated cache policy resource of the template.
pub(super) fn origin_headers_resource() -> String {
    let (min, default, max) = CachePolicy::OriginHeaders.ttls();
    format!(
        "  OriginCacheHeadersPolicy:
    Type: AWS::CloudFront::CachePolicy
    Properties:
      CachePolicyConfig:
        Name: !Sub '${{AWS::StackName}}-origin-cache-headers'
        Comment: facetheory - the origin's cache-control decides; keyed by path and query
        MinTTL: {min}
        DefaultTTL: {default}
        MaxTTL: {max}
        ParametersInCacheKeyAndForwardedToOrigin:
          EnableAcceptEncodingGzip: true
          EnableAcceptEncodingBrotli: true
          QueryStringsConfig:
            QueryStringBehavior: all
          CookiesConfig:
            CookieBehavior: none
          HeadersConfig:
            HeaderBehavior: none
"
    )
}
