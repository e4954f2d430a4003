//! The AWS deployment shape of a site, generated from its route table and reserved endpoints
//! (`<site> deploy-plan --out DIR`). One list of [`Behavior`]s per strategy, in CloudFront precedence order,
//! feeds every file, so what is linted and what the preview replays are the same plan:
//!
//! - `cloudfront-function.js`: the default behavior's viewer-request function (extensionless URIs → the S3 key
//!   shape, original URI kept in `x-facetheory-original-uri` for the Lambda failover);
//!   `strip-original-uri.js`: the Lambda behaviors' function (drops a viewer-supplied original URI);
//! - `behaviors.json`: both strategies' behaviors with origins, methods, [`CachePolicy`] and
//!   [`OriginRequestPolicy`], and the policies' rules;
//! - `template.yaml` (`template.rs`): CloudFormation for Strategy A — Lambda with a `RESPONSE_STREAM` Function
//!   URL on `AWS_IAM` behind CloudFront OAC, the site bucket, the ISR bucket with lifecycle rules, the DynamoDB
//!   table with TTL, the generated sidecar secret, and the runtime's environment;
//! - `preview.mjs`: the local edge that replays the plan (docs/deployment.md).
//!
//! ```
//! let app = facetheory::App::builder().build().unwrap();
//! let plan = facetheory::deploy::plan(&app, &facetheory::deploy::PlanOptions::default());
//! assert!(plan.template.contains("RESPONSE_STREAM"));
//! assert!(plan.cloudfront_function.contains("x-facetheory-original-uri"));
//! assert_eq!(plan.behaviors["strategyA"][0]["pathPattern"], "/.vite/*");
//! ```

use serde_json::json;

use crate::app::{App, Origin, Reserved};
use crate::cache_control;
use crate::face::{FaceMode, Mode, RouteKind};
use crate::ssg::OutputTrailingSlash;
use facetheory_codegen::route::RoutePattern;

mod behavior;
mod policy;
mod template;

pub use behavior::{Behavior, Methods, Target, ViewerFunction, FAILOVER_STATUS};
pub use policy::{CachePolicy, OriginRequestPolicy};

/// The local edge that replays the plan (`node preview.mjs`, see docs/deployment.md).
const PREVIEW: &str = include_str!("preview.mjs");
/// SSR hydration sidecars live for minutes (`SsrSidecars::ttl_seconds`, at most a day): a day is enough.
const SIDECAR_EXPIRATION_DAYS: u64 = 1;
const FUNCTION: &str = include_str!("cloudfront-function.js");

/// Written by `build` beside the assets when the client has a Vite manifest; always on S3.
const VITE_MANIFEST_PREFIX: &str = "/.vite/*";
/// The revalidation endpoint: the template enables it with its `RevalidateSecret` parameter, so it is routed
/// to Lambda whether or not this process has a secret.
const REVALIDATE_PATTERN: &str = "/_facetheory/revalidate";
/// Everything under it belongs to the framework (user routes there are refused at start-up).
const RESERVED_NAMESPACE: &str = "/_facetheory/";

/// Options of [`plan`].
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// How `build` laid out the HTML (the CloudFront function rewrites to the same shape).
    pub trailing_slash: OutputTrailingSlash,
    /// The site's name, shown in the template (description, default code key).
    pub site_name: String,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { trailing_slash: OutputTrailingSlash::Always, site_name: "facetheory-site".into() }
    }
}

/// The generated files.
#[derive(Clone, Debug)]
pub struct Plan {
    /// `cloudfront-function.js`.
    pub cloudfront_function: String,
    /// `behaviors.json`.
    pub behaviors: serde_json::Value,
    /// `template.yaml`.
    pub template: String,
}

/// Paths that must reach Lambda (resource routes answering mutating methods), as CloudFront path patterns.
fn mutating_paths(app: &App) -> Vec<String> {
    let mut out: Vec<String> = app
        .routes()
        .filter(|d| matches!(&d.kind, RouteKind::Resource(r) if r.is_mutating()))
        .map(|d| cloudfront_pattern(d.pattern))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The app's reserved endpoints served from one origin, as CloudFront path patterns.
fn reserved_paths(app: &App, origin: Origin) -> Vec<String> {
    let mut out: Vec<String> = app
        .reserved_endpoints()
        .filter(|r| r.endpoint.origin() == origin)
        .map(|r| cloudfront_pattern(&r.pattern))
        .collect();
    match origin {
        Origin::S3 => out.push(VITE_MANIFEST_PREFIX.into()),
        Origin::Lambda => out.push(REVALIDATE_PATTERN.into()),
    }
    out.sort();
    out.dedup();
    out
}

/// A route pattern as a CloudFront path pattern (`/blog/<slug>` → `/blog/*`).
pub fn cloudfront_pattern(route: &str) -> String {
    match RoutePattern::parse(route) {
        Ok(p) if p.is_static() => route.to_string(),
        Ok(p) => {
            let mut out = String::new();
            for s in p.segments() {
                match s {
                    facetheory_codegen::route::Segment::Static(t) => {
                        out.push('/');
                        out.push_str(t);
                    }
                    _ => {
                        out.push_str("/*");
                        break;
                    }
                }
            }
            out
        }
        Err(_) => route.to_string(),
    }
}

/// Strategy B's S3 behaviors: static SSG routes exactly (both `/p` and `/p/`), dynamic SSG routes by prefix.
fn ssg_patterns(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    let not_found = app.not_found_route();
    for d in app.routes().filter(|d| d.mode() == Some(Mode::Ssg) && !not_found.is_some_and(|n| std::ptr::eq(n, *d))) {
        let p = cloudfront_pattern(d.pattern);
        if p == "/" {
            out.push("/index.html".to_string());
            continue;
        }
        if !p.ends_with('*') {
            out.push(format!("{p}/"));
        }
        out.push(p);
    }
    out.sort();
    out.dedup();
    out
}

/// The viewer-request CloudFront Function (cloudfront-js-2.0); `pass_through` are the URI prefixes it leaves
/// alone (static objects and the framework's endpoints).
pub fn cloudfront_function(trailing_slash: OutputTrailingSlash, pass_through: &[String]) -> String {
    let suffix = match trailing_slash {
        OutputTrailingSlash::Always => "/index.html",
        OutputTrailingSlash::Never => ".html",
    };
    let list = serde_json::to_string(pass_through).unwrap_or_else(|_| "[]".into()).replace('"', "'").replace(',', ", ");
    FUNCTION
        .lines()
        .map(|line| {
            if line.ends_with("// facetheory:pass-through") {
                format!("var PASS_THROUGH = {list};")
            } else if line.ends_with("// facetheory:page-suffix") {
                format!("var PAGE_SUFFIX = '{suffix}';")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// URI prefixes the CloudFront function passes through: every static directory, the Vite manifest, and the
/// framework's namespace.
fn pass_through(app: &App) -> Vec<String> {
    let mut out: Vec<String> = app
        .reserved_endpoints()
        .filter(|r| matches!(r.endpoint, Reserved::StaticDir(_)))
        .map(|r| cloudfront_pattern(&r.pattern).trim_end_matches('*').to_string())
        .collect();
    out.push(VITE_MANIFEST_PREFIX.trim_end_matches('*').into());
    out.push(RESERVED_NAMESPACE.into());
    out.dedup();
    out
}

#[derive(Clone, Copy)]
enum Strategy {
    A,
    B,
}

/// The behaviors of one strategy, in CloudFront precedence order (`default` last).
fn behaviors(app: &App, strategy: Strategy) -> Vec<Behavior> {
    let mut out: Vec<Behavior> = reserved_paths(app, Origin::S3)
        .iter()
        .map(|p| Behavior::s3(p, "static objects (hashed assets, Vite manifest, SSG hydration data)"))
        .collect();
    for p in reserved_paths(app, Origin::Lambda) {
        out.push(Behavior::lambda(&p, CachePolicy::Disabled, "framework endpoint: SSR sidecars, revalidation"));
    }
    // A mutating route's GETs (an ISR page, say) follow the origin's headers; other methods are never cached.
    for p in mutating_paths(app) {
        out.push(Behavior::lambda(&p, CachePolicy::OriginHeaders, "route answering POST/PUT/PATCH/DELETE"));
    }
    match strategy {
        Strategy::A => out.push(Behavior {
            path_pattern: "default".into(),
            target: Target::S3ThenLambda,
            methods: Methods::Read,
            cache: CachePolicy::OriginHeaders,
            origin_request: Some(OriginRequestPolicy::AllViewerExceptHost),
            function: Some(ViewerFunction::Rewrite),
            note: "SSG HTML from S3; SSR and ISR (and any S3 miss) from Lambda",
        }),
        Strategy::B => {
            for p in ssg_patterns(app) {
                out.push(Behavior::s3(&p, "known SSG page"));
            }
            out.push(Behavior::lambda("default", CachePolicy::OriginHeaders, "SSR and ISR"));
        }
    }
    out
}

/// Days after which the ISR bucket's lifecycle rule removes an object: past the longest `revalidate` plus the
/// metadata table's retention (after which no record points at it), with a day of slack for TTL deletion.
fn isr_expiration_days(app: &App) -> u64 {
    let longest = app
        .routes()
        .filter_map(|d| match d.face().map(|f| f.mode) {
            Some(FaceMode::Isr { revalidate, .. }) => Some(revalidate.get()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    longest.saturating_add(crate::meta::RETENTION_S).div_ceil(86_400).saturating_add(1)
}

/// Builds the plan for an app.
pub fn plan(app: &App, opts: &PlanOptions) -> Plan {
    let a = behaviors(app, Strategy::A);
    let b = behaviors(app, Strategy::B);
    let isr_routes: Vec<&str> = app.routes().filter(|d| d.mode() == Some(Mode::Isr)).map(|d| d.pattern).collect();
    let isr_expiration_days = isr_expiration_days(app);
    let behaviors = json!({
        "reservedPrefixes": {"s3": reserved_paths(app, Origin::S3), "lambda": reserved_paths(app, Origin::Lambda)},
        "mutatingPaths": mutating_paths(app),
        "isrRoutes": isr_routes,
        "cacheControl": {
            "ssr": cache_control::SSR,
            "ssgHtml": cache_control::SSG,
            "assets": cache_control::ASSET,
            "isr": cache_control::ISR_TEMPLATE,
        },
        "policies": policy::describe_all(),
        "lambdaOrigin": {"authType": "AWS_IAM", "originAccessControl": true, "payloadHashHeader": "x-amz-content-sha256"},
        "isrObjectExpirationDays": isr_expiration_days,
        "strategyA": a.iter().map(Behavior::to_json).collect::<Vec<_>>(),
        "strategyB": b.iter().map(Behavior::to_json).collect::<Vec<_>>(),
    });
    let function = cloudfront_function(opts.trailing_slash, &pass_through(app));
    let template = template::render(
        &a,
        &template::TemplateInput {
            site: &opts.site_name,
            rewrite_function: &function,
            strip_function: template::STRIP_FUNCTION,
            isr_expiration_days,
            sidecar_expiration_days: SIDECAR_EXPIRATION_DAYS,
        },
    );
    Plan { template, cloudfront_function: function, behaviors }
}

/// Writes the plan's files into `dir`: the two CloudFront functions, `behaviors.json`, `template.yaml` and
/// `preview.mjs` (the local edge that replays them).
pub fn write(plan: &Plan, dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let behaviors = serde_json::to_string_pretty(&plan.behaviors).map_err(std::io::Error::other)? + "\n";
    let files = [
        (ViewerFunction::Rewrite.file(), plan.cloudfront_function.as_str()),
        (ViewerFunction::StripOriginalUri.file(), template::STRIP_FUNCTION),
        ("behaviors.json", behaviors.as_str()),
        ("template.yaml", plan.template.as_str()),
        ("preview.mjs", PREVIEW),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}
