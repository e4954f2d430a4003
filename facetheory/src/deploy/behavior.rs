//! The CloudFront cache behaviors of a plan, in CloudFront's precedence order (first match wins, `default`
//! last). One list feeds both the template and `behaviors.json`, so what is linted and what the preview edge
//! replays are the same thing.

use serde_json::{json, Value};

use super::policy::{CachePolicy, OriginRequestPolicy};

/// Where a behavior sends requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The site bucket.
    S3,
    /// The Lambda Function URL.
    Lambda,
    /// The origin group: S3 first, Lambda when S3 answers one of [`FAILOVER_STATUS`].
    S3ThenLambda,
}

/// The statuses on which the origin group fails over from S3 to Lambda.
pub const FAILOVER_STATUS: [u16; 2] = [403, 404];

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::S3 => "s3",
            Target::Lambda => "lambda",
            Target::S3ThenLambda => "s3-primary-lambda-failover",
        }
    }

    /// `TargetOriginId` in the template.
    pub fn origin_id(self) -> &'static str {
        match self {
            Target::S3 => "site-bucket",
            Target::Lambda => "lambda",
            Target::S3ThenLambda => "s3-then-lambda",
        }
    }
}

/// The viewer-request function a behavior runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerFunction {
    /// `cloudfront-function.js`: URI rewrite to the S3 key shape, original URI kept for the failover.
    Rewrite,
    /// `strip-original-uri.js`: drops a viewer-supplied `x-facetheory-original-uri`.
    StripOriginalUri,
}

impl ViewerFunction {
    /// File name in the plan directory.
    pub fn file(self) -> &'static str {
        match self {
            ViewerFunction::Rewrite => "cloudfront-function.js",
            ViewerFunction::StripOriginalUri => "strip-original-uri.js",
        }
    }

    /// The function's resource name in the template.
    pub fn resource(self) -> &'static str {
        match self {
            ViewerFunction::Rewrite => "ViewerRequestFunction",
            ViewerFunction::StripOriginalUri => "StripOriginalUriFunction",
        }
    }
}

/// Methods a behavior allows (CloudFront answers 403 to the others).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Methods {
    /// `GET, HEAD` — all an origin group allows.
    Read,
    /// Every method, for mutating routes.
    All,
}

impl Methods {
    /// The list, as the template and `behaviors.json` spell it.
    pub fn list(self) -> &'static [&'static str] {
        match self {
            Methods::Read => &["GET", "HEAD"],
            Methods::All => &["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
        }
    }
}

/// One cache behavior.
#[derive(Clone, Debug)]
pub struct Behavior {
    /// CloudFront path pattern, or `default`.
    pub path_pattern: String,
    /// Where it goes.
    pub target: Target,
    /// Allowed methods.
    pub methods: Methods,
    /// Cache policy.
    pub cache: CachePolicy,
    /// Origin request policy (None: only the cache key reaches the origin).
    pub origin_request: Option<OriginRequestPolicy>,
    /// Viewer-request function.
    pub function: Option<ViewerFunction>,
    /// Why it exists, for the reader of `behaviors.json`.
    pub note: &'static str,
}

impl Behavior {
    /// An S3-only behavior for static objects (assets, SSG data, a known SSG page).
    pub fn s3(path: &str, note: &'static str) -> Behavior {
        Behavior {
            path_pattern: path.into(),
            target: Target::S3,
            methods: Methods::Read,
            cache: CachePolicy::Optimized,
            origin_request: None,
            function: None,
            note,
        }
    }

    /// A Lambda behavior: every method, all viewer data forwarded except `Host`, a viewer-supplied original-URI
    /// header dropped.
    pub fn lambda(path: &str, cache: CachePolicy, note: &'static str) -> Behavior {
        Behavior {
            path_pattern: path.into(),
            target: Target::Lambda,
            methods: Methods::All,
            cache,
            origin_request: Some(OriginRequestPolicy::AllViewerExceptHost),
            function: Some(ViewerFunction::StripOriginalUri),
            note,
        }
    }

    /// Whether this is the default behavior.
    pub fn is_default(&self) -> bool {
        self.path_pattern == "default"
    }

    /// The behavior as `behaviors.json` lists it.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "pathPattern": self.path_pattern,
            "origin": self.target.name(),
            "allowedMethods": self.methods.list(),
            "cachePolicy": self.cache.name(),
            "originRequestPolicy": self.origin_request.map(|p| p.name()),
            "viewerRequestFunction": self.function.map(|f| f.file()),
            "note": self.note,
        });
        if self.target == Target::S3ThenLambda {
            v["failoverStatusCodes"] = json!(FAILOVER_STATUS);
        }
        v
    }
}
