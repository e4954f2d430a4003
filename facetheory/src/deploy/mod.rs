//! The AWS deployment shape of a site, generated from its route table and reserved endpoints
//! (`<site> deploy-plan --out DIR`). The template and the function are real files beside this module
//! (`template.yaml`, `cloudfront-function.js`), filled in at marked lines:
//!
//! - `cloudfront-function.js`: the viewer-request function of Strategy A (extensionless URIs → the S3 key
//!   shape, original URI kept in `x-facetheory-original-uri` for the Lambda failover);
//! - `behaviors.json`: CloudFront cache behaviors for Strategy A (S3-primary origin group with Lambda failover)
//!   and Strategy B (explicit behaviors for the known SSG routes), with the reserved prefixes;
//! - `template.yaml`: a CloudFormation template (Strategy A) — Lambda (`provided.al2023`, arm64) with a
//!   `RESPONSE_STREAM` Function URL on `AWS_IAM` behind CloudFront OAC, the assets/SSG bucket with OAC, the ISR
//!   bucket and DynamoDB table (TTL on), and the runtime's environment variables.
//!
//! ```
//! let app = facetheory::App::builder().build().unwrap();
//! let plan = facetheory::deploy::plan(&app, &facetheory::deploy::PlanOptions::default());
//! assert!(plan.template.contains("RESPONSE_STREAM"));
//! assert!(plan.cloudfront_function.contains("x-facetheory-original-uri"));
//! ```

use serde_json::json;

use crate::app::{App, Origin, Reserved};
use crate::cache_control;
use crate::face::{Mode, RouteKind};
use crate::ssg::OutputTrailingSlash;
use facetheory_codegen::route::RoutePattern;

const TEMPLATE: &str = include_str!("template.yaml");
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

/// Builds the plan for an app.
pub fn plan(app: &App, opts: &PlanOptions) -> Plan {
    let mutating = mutating_paths(app);
    let s3_prefixes = reserved_paths(app, Origin::S3);
    let lambda_prefixes = reserved_paths(app, Origin::Lambda);
    let lambda_paths: Vec<String> = lambda_prefixes.iter().cloned().chain(mutating.iter().cloned()).collect();
    let ssg = ssg_patterns(app);
    let isr_routes: Vec<&str> = app.routes().filter(|d| d.mode() == Some(Mode::Isr)).map(|d| d.pattern).collect();
    let behavior = |path: &str, origin: &str, note: &str| json!({"pathPattern": path, "origin": origin, "note": note});
    let mut a = Vec::new();
    let mut b = Vec::new();
    for p in &s3_prefixes {
        a.push(behavior(p, "s3", "static objects (immutable assets, Vite manifest, SSG hydration data)"));
        b.push(behavior(p, "s3", "static objects"));
    }
    let strip = |mut v: serde_json::Value| {
        v["viewerRequestFunction"] = json!("strip-original-uri");
        v
    };
    for p in &lambda_paths {
        a.push(strip(behavior(p, "lambda", "dynamic: SSR sidecars, revalidation, mutating routes")));
        b.push(strip(behavior(p, "lambda", "dynamic")));
    }
    for p in &ssg {
        b.push(behavior(p, "s3", "known SSG page"));
    }
    a.push(json!({"pathPattern": "default", "origin": "s3-primary-lambda-failover",
        "failoverStatusCodes": [403, 404], "viewerRequestFunction": "cloudfront-function.js",
        "note": "SSG HTML from S3; SSR and ISR (and any S3 miss) from Lambda"}));
    b.push(behavior("default", "lambda", "SSR and ISR"));
    let behaviors = json!({
        "reservedPrefixes": {"s3": s3_prefixes, "lambda": lambda_prefixes},
        "mutatingPaths": mutating,
        "isrRoutes": isr_routes,
        "cacheControl": {
            "ssr": cache_control::SSR,
            "ssgHtml": cache_control::SSG,
            "assets": cache_control::ASSET,
            "isr": cache_control::ISR_TEMPLATE,
        },
        "strategyA": a,
        "strategyB": b,
    });
    let function = cloudfront_function(opts.trailing_slash, &pass_through(app));
    Plan {
        template: template(&s3_prefixes, &lambda_paths, &opts.site_name, &function),
        cloudfront_function: function,
        behaviors,
    }
}

fn template(s3_paths: &[String], lambda_paths: &[String], site: &str, function: &str) -> String {
    let mut behaviors = String::new();
    for p in s3_paths {
        behaviors.push_str(&format!(
            "          - PathPattern: '{p}'
            TargetOriginId: site-bucket
            ViewerProtocolPolicy: redirect-to-https
            AllowedMethods: [GET, HEAD]
            CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6 # Managed-CachingOptimized
"
        ));
    }
    for p in lambda_paths {
        behaviors.push_str(&format!(
            "          - PathPattern: '{p}'
            TargetOriginId: lambda
            ViewerProtocolPolicy: redirect-to-https
            AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]
            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad # Managed-CachingDisabled
            OriginRequestPolicyId: b689b0a8-53d0-40ab-baf2-68738e2966ac # Managed-AllViewerExceptHostHeader
            FunctionAssociations:
              - EventType: viewer-request
                FunctionARN: !GetAtt StripOriginalUriFunction.FunctionMetadata.FunctionARN
"
        ));
    }
    let mut out = String::with_capacity(TEMPLATE.len() + behaviors.len() + function.len());
    for line in TEMPLATE.lines() {
        match line.trim() {
            "# facetheory:cache-behaviors" => out.push_str(&behaviors),
            "// facetheory:function-code" => out.push_str(&indent(function, 8)),
            _ => {
                out.push_str(&line.replace("__site__", site));
                out.push('\n');
            }
        }
    }
    out
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") }).collect::<Vec<_>>().join("\n")
        + "\n"
}

/// Writes the plan's three files into `dir`.
pub fn write(plan: &Plan, dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("cloudfront-function.js", plan.cloudfront_function.clone()),
        ("behaviors.json", serde_json::to_string_pretty(&plan.behaviors).expect("json") + "\n"),
        ("template.yaml", plan.template.clone()),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}
