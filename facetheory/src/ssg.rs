//! Static site generation (FaceTheory H1–H7): every `mode = "ssg"` page rendered through the app into a
//! directory that is exactly what goes to S3 — HTML, strict-CSP hydration sidecars under `_facetheory/data/`,
//! `404.html`, the app's static asset directories, and `.facetheory/ssg-manifest.json`.
//!
//! ```no_run
//! # async fn f(app: facetheory::App) {
//! use facetheory::ssg::{build, BuildOptions};
//! let report = build(&app, &BuildOptions::new("dist/site")).await.expect("output directory usable");
//! assert!(report.failures.is_empty());
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::app::{App, SsgHydration};
use crate::face::{Mode, RouteDescriptor, RouteKind, StaticParams};
use crate::sidecar::{encode_uri_component, ssg_data_path};
use facetheory_codegen::route::{CatchAll, RoutePattern, Segment};

/// `cache-control` of SSG HTML (and its hydration sidecars), as the deployment guide recommends.
pub const SSG_CACHE_CONTROL: &str = "public, max-age=0, s-maxage=600";
/// `cache-control` of SSR pages that set none.
pub const SSR_CACHE_CONTROL: &str = "private, no-store";
/// `cache-control` of hashed client assets.
pub const ASSET_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// Where the manifest goes, relative to the output directory.
pub const MANIFEST_FILE: &str = ".facetheory/ssg-manifest.json";

const NOT_FOUND_FALLBACK: &str = "<!doctype html><html lang=\"en\"><head><title>Not Found</title></head><body><h1>Not Found</h1><template data-facetheory-ssg-404=\"true\"></template></body></html>";

/// How page paths become files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputTrailingSlash {
    /// `/about` → `about/index.html` (default).
    Always,
    /// `/about` → `about.html`.
    Never,
}

/// Options of [`build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    pub out: PathBuf,
    pub trailing_slash: OutputTrailingSlash,
    /// Pages rendered at once (≥ 1).
    pub concurrency: usize,
    /// Keep the output directory and skip writing pages whose content hash is unchanged.
    pub incremental: bool,
}

impl BuildOptions {
    /// Defaults: trailing slash `always`, concurrency 4, full rebuild.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        BuildOptions {
            out: out.into(),
            trailing_slash: OutputTrailingSlash::Always,
            concurrency: 4,
            incremental: false,
        }
    }
}

/// A build that could not start or finish writing (bad output directory, I/O).
#[derive(Debug, thiserror::Error)]
pub enum SsgError {
    #[error("SSG output directory {path}: {reason}")]
    OutDir { path: PathBuf, reason: String },
    #[error("SSG: writing {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("SSG concurrency must be a positive integer")]
    Concurrency,
}

/// One page in the manifest (FaceTheory H5, plus `cacheControl`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageEntry {
    pub route_pattern: String,
    pub path: String,
    pub file: String,
    pub status: u16,
    pub content_type: String,
    pub content_hash: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hydration_data_file: Option<String>,
    pub cache_control: String,
}

/// `cache-control` per kind of output, recorded for the uploader and the CDN configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachePolicy {
    pub html: String,
    #[serde(rename = "hydrationData")]
    pub hydration_data: String,
    pub assets: String,
    pub ssr: String,
    pub isr: String,
}

/// `.facetheory/ssg-manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub version: u32,
    pub route_path_policy: String,
    pub html_output_policy: String,
    pub trailing_slash: OutputTrailingSlash,
    pub asset_manifest: Option<AssetManifest>,
    pub cache_control: CachePolicy,
    pub pages: Vec<PageEntry>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub not_found_file: Option<String>,
    /// Copied static files (relative paths), sorted.
    #[serde(default)]
    pub assets: Vec<String>,
}

/// Where the Vite manifest is in the output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetManifest {
    pub format: String,
    pub path: String,
}

/// A page that failed; the others are still written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub route_pattern: String,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "- {} ({})", self.path.as_deref().unwrap_or("<params>"), self.route_pattern)?;
        if let Some(s) = self.status {
            write!(f, " [status {s}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub pages: Vec<PageEntry>,
    /// Pages whose files were (re)written.
    pub written: usize,
    /// Pages left as they were (incremental, content hash unchanged).
    pub skipped: Vec<String>,
    pub failures: Vec<Failure>,
    pub assets: usize,
}

/// A page to render.
#[derive(Clone, Debug)]
struct Planned {
    route: &'static str,
    path: String,
}

/// Builds the path of one page of `route` from enumerated params (FaceTheory H2).
pub fn page_path(route: &str, params: &StaticParams) -> Result<String, String> {
    let pattern = RoutePattern::parse(route).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for segment in pattern.segments() {
        match segment {
            Segment::Static(s) => {
                check_dot(s, route)?;
                out.push('/');
                out.push_str(s);
            }
            Segment::Param(name) => {
                let value = match params.get(name) {
                    Some([one]) if !one.is_empty() => one,
                    _ => return Err(format!("missing required route param {name:?}")),
                };
                check_dot(value, route)?;
                out.push('/');
                out.push_str(&encode_uri_component(value));
            }
            Segment::CatchAll { name, kind } => {
                let parts: Vec<&str> = params
                    .get(name)
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|p| p.split('/'))
                    .filter(|p| !p.is_empty())
                    .collect();
                if parts.is_empty() && *kind == CatchAll::OneOrMore {
                    return Err(format!("missing required catch-all param {name:?}"));
                }
                for part in parts {
                    check_dot(part, route)?;
                    out.push('/');
                    out.push_str(&encode_uri_component(part));
                }
            }
        }
    }
    Ok(if out.is_empty() { "/".into() } else { out })
}

fn check_dot(segment: &str, route: &str) -> Result<(), String> {
    if segment == "." || segment == ".." {
        return Err(format!("SSG route {route:?} contains prohibited dot-segment {segment:?}"));
    }
    Ok(())
}

/// The HTML file of a page (FaceTheory H3), relative to the output directory.
pub fn html_file(path: &str, trailing_slash: OutputTrailingSlash) -> String {
    let trimmed = path.trim_matches('/');
    match (trimmed.is_empty(), trailing_slash) {
        (true, _) => "index.html".into(),
        (false, OutputTrailingSlash::Always) => format!("{trimmed}/index.html"),
        (false, OutputTrailingSlash::Never) => format!("{trimmed}.html"),
    }
}

/// `out.join(rel)`, refusing anything that could land outside `out` (absolute paths, `..`, backslashes,
/// empty segments).
fn inside(out: &Path, rel: &str) -> Result<PathBuf, String> {
    if rel.contains('\\') || rel.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(format!("output path {rel:?} is not a plain relative path"));
    }
    let rel_path = Path::new(rel);
    if !rel_path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!("output path {rel:?} escapes the output directory"));
    }
    Ok(out.join(rel_path))
}

/// `sha256-<hex>` over the HTML and the hydration data (FaceTheory H6).
pub fn content_hash(html: &[u8], hydration: Option<&[u8]>) -> String {
    let mut h = Sha256::new();
    h.update(b"facetheory:ssg-output:v1\0html\0");
    h.update(html);
    h.update(b"\0hydration-data\0");
    h.update(hydration.unwrap_or_default());
    let digest = h.finalize();
    format!("sha256-{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SsgError + '_ {
    move |source| SsgError::Io { path: path.to_path_buf(), source }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SsgError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    std::fs::write(path, bytes).map_err(io_err(path))
}

async fn plan(app: &App) -> (Vec<Planned>, Vec<Failure>) {
    let mut faces: Vec<&'static RouteDescriptor> =
        app.routes().filter(|d| d.mode() == Some(Mode::Ssg) && d.pattern != "/404").collect();
    faces.sort_by(|a, b| a.pattern.cmp(b.pattern));
    let mut planned = Vec::new();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for desc in faces {
        let fail = |message: String| Failure { route_pattern: desc.pattern.into(), path: None, status: None, message };
        let params_fn = match desc.kind {
            RouteKind::Face { params, .. } => params,
            RouteKind::Resource { .. } => None,
        };
        let all = match (RoutePattern::parse(desc.pattern).map(|p| p.is_static()), params_fn) {
            (Ok(true), _) => vec![StaticParams::new()],
            (Ok(false), Some(f)) => match f().await {
                Ok(all) => all,
                Err(e) => {
                    failures.push(fail(format!("the params enumerator failed: {e}")));
                    continue;
                }
            },
            (Ok(false), None) => {
                failures
                    .push(fail(format!("SSG route {:?} has dynamic segments but no params enumerator", desc.pattern)));
                continue;
            }
            (Err(e), _) => {
                failures.push(fail(e.to_string()));
                continue;
            }
        };
        let mut paths = Vec::new();
        for params in all {
            match page_path(desc.pattern, &params) {
                Ok(p) => paths.push(p),
                Err(message) => failures.push(fail(message)),
            }
        }
        paths.sort();
        for path in paths {
            if !seen.insert(path.clone()) {
                failures.push(fail(format!("duplicate SSG output path {path:?}")));
                continue;
            }
            planned.push(Planned { route: desc.pattern, path });
        }
    }
    (planned, failures)
}

struct Rendered {
    planned: Planned,
    status: u16,
    content_type: String,
    html: Bytes,
    hydration: Option<Bytes>,
}

async fn render(app: &App, planned: Planned) -> Result<Rendered, Failure> {
    let request = http::Request::get(planned.path.as_str())
        .header("x-request-id", "ssg-build")
        .body(http_body_util::Empty::<Bytes>::new());
    let fail = |status: Option<u16>, message: String| Failure {
        route_pattern: planned.route.into(),
        path: Some(planned.path.clone()),
        status,
        message,
    };
    let request = request.map_err(|e| fail(None, format!("not a valid request path: {e}")))?;
    let res = app.handle(request).await;
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/html; charset=utf-8")
        .to_string();
    let hydration = res.extensions().get::<SsgHydration>().map(|h| h.0.clone());
    if status != 200 {
        return Err(fail(Some(status), format!("SSG route {:?} returned status {status}", planned.path)));
    }
    let html = res.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    Ok(Rendered { planned, status, content_type, html, hydration })
}

fn read_manifest(out: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(out.join(MANIFEST_FILE)).ok()?;
    serde_json::from_slice::<Manifest>(&bytes).ok().filter(|m| m.version == 1)
}

fn prepare_out_dir(opts: &BuildOptions) -> Result<Option<Manifest>, SsgError> {
    let out = &opts.out;
    let out_err = |reason: String| SsgError::OutDir { path: out.clone(), reason };
    if out.as_os_str().is_empty() || out.parent().is_none() {
        return Err(out_err("refusing to build into the file system root or an empty path".into()));
    }
    let previous = read_manifest(out);
    let non_empty = std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false);
    if non_empty && previous.is_none() {
        return Err(out_err(format!(
            "exists, is not empty and has no {MANIFEST_FILE}: not a previous build output, refusing to overwrite it"
        )));
    }
    if !opts.incremental && non_empty {
        std::fs::remove_dir_all(out).map_err(io_err(out))?;
    }
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    Ok(if opts.incremental { previous } else { None })
}

/// Copies the app's static directories (Vite's `dist/assets` under `/assets`…) and a Vite manifest found beside
/// them (`dist/.vite/manifest.json`) into the output; returns the copied files (relative, sorted).
fn copy_assets(app: &App, out: &Path) -> Result<(Vec<String>, Option<AssetManifest>), SsgError> {
    let mut copied = Vec::new();
    let mut asset_manifest = None;
    for (prefix, dir) in app.static_dir_sources() {
        let target = prefix.trim_matches('/');
        copy_tree(dir, out, target, &mut copied)?;
        if let Some(vite) = dir.parent().map(|p| p.join(".vite")).filter(|p| p.join("manifest.json").is_file()) {
            copy_tree(&vite, out, ".vite", &mut copied)?;
            asset_manifest = Some(AssetManifest { format: "vite".into(), path: ".vite/manifest.json".into() });
        }
    }
    copied.sort();
    copied.dedup();
    Ok((copied, asset_manifest))
}

fn copy_tree(from: &Path, out: &Path, rel: &str, copied: &mut Vec<String>) -> Result<(), SsgError> {
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(()) };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let child_rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, out, &child_rel, copied)?;
        } else if path.is_file() {
            let dest = inside(out, &child_rel).map_err(|reason| SsgError::OutDir { path: out.into(), reason })?;
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir).map_err(io_err(dir))?;
            }
            std::fs::copy(&path, &dest).map_err(io_err(&dest))?;
            copied.push(child_rel);
        }
    }
    Ok(())
}

/// Renders every SSG page and writes the output directory. Page failures are collected in the report (the
/// other pages and the manifest are still written); only an unusable output directory or an I/O failure is an
/// `Err`.
pub async fn build(app: &App, opts: &BuildOptions) -> Result<BuildReport, SsgError> {
    if opts.concurrency == 0 {
        return Err(SsgError::Concurrency);
    }
    let previous = prepare_out_dir(opts)?;
    let out = opts.out.as_path();
    let (planned, mut failures) = plan(app).await;
    let mut rendered: Vec<Result<Rendered, Failure>> =
        futures_util::stream::iter(planned).map(|p| render(app, p)).buffer_unordered(opts.concurrency).collect().await;
    // Completion order varies; output and report must not.
    rendered.sort_by(|a, b| {
        let key = |r: &Result<Rendered, Failure>| match r {
            Ok(r) => r.planned.path.clone(),
            Err(f) => f.path.clone().unwrap_or_default(),
        };
        key(a).cmp(&key(b))
    });
    let previous: BTreeMap<String, PageEntry> =
        previous.map(|m| m.pages.into_iter().map(|p| (p.path.clone(), p)).collect()).unwrap_or_default();
    let mut report = BuildReport::default();
    for result in rendered {
        let page = match result {
            Ok(p) => p,
            Err(f) => {
                failures.push(f);
                continue;
            }
        };
        let file = html_file(&page.planned.path, opts.trailing_slash);
        let data_file = page.hydration.as_ref().map(|_| ssg_data_path(&page.planned.path));
        let data = page.hydration.as_ref().map(|d| {
            let mut v = d.to_vec();
            v.push(b'\n');
            v
        });
        let (html_path, data_path) =
            match (inside(out, &file), data_file.as_deref().map(|f| inside(out, f)).transpose()) {
                (Ok(h), Ok(d)) => (h, d),
                (Err(message), _) | (_, Err(message)) => {
                    failures.push(Failure {
                        route_pattern: page.planned.route.into(),
                        path: Some(page.planned.path.clone()),
                        status: None,
                        message,
                    });
                    continue;
                }
            };
        let entry = PageEntry {
            route_pattern: page.planned.route.into(),
            path: page.planned.path.clone(),
            file: file.clone(),
            status: page.status,
            content_type: page.content_type.clone(),
            content_hash: content_hash(&page.html, data.as_deref()),
            hydration_data_file: data_file,
            cache_control: SSG_CACHE_CONTROL.into(),
        };
        let unchanged = previous.get(&entry.path).is_some_and(|old| {
            old == &entry
                && std::fs::read(&html_path).is_ok_and(|b| b == page.html)
                && match (&data_path, &data) {
                    (Some(p), Some(d)) => std::fs::read(p).is_ok_and(|b| &b == d),
                    _ => true,
                }
        });
        if unchanged {
            report.skipped.push(entry.path.clone());
        } else {
            write_file(&html_path, &page.html)?;
            if let (Some(p), Some(d)) = (&data_path, &data) {
                write_file(p, d)?;
            }
            report.written += 1;
        }
        report.pages.push(entry);
    }
    let not_found = render_404(app).await;
    write_file(&out.join("404.html"), not_found.as_bytes())?;
    let (assets, asset_manifest) = copy_assets(app, out)?;
    report.assets = assets.len();
    let manifest = Manifest {
        version: 1,
        route_path_policy: "normalized".into(),
        html_output_policy: "index-or-html".into(),
        trailing_slash: opts.trailing_slash,
        asset_manifest,
        cache_control: CachePolicy {
            html: SSG_CACHE_CONTROL.into(),
            hydration_data: SSG_CACHE_CONTROL.into(),
            assets: ASSET_CACHE_CONTROL.into(),
            ssr: SSR_CACHE_CONTROL.into(),
            isr: "public, max-age=0, s-maxage=0, stale-if-error=<revalidate>, must-revalidate".into(),
        },
        pages: report.pages.clone(),
        not_found_file: Some("404.html".into()),
        assets,
    };
    let mut json = serde_json::to_string_pretty(&manifest).expect("the manifest serializes");
    json.push('\n');
    write_file(&out.join(MANIFEST_FILE), json.as_bytes())?;
    failures.sort_by(|a, b| (&a.path, &a.route_pattern).cmp(&(&b.path, &b.route_pattern)));
    report.failures = failures;
    Ok(report)
}

/// `404.html`: the `/404` face when it is an SSG page, else FaceTheory's fallback document (H4).
async fn render_404(app: &App) -> String {
    let ssg_404 = app.routes().any(|d| d.pattern == "/404" && d.mode() == Some(Mode::Ssg));
    if ssg_404 {
        let req =
            http::Request::get("/404").header("x-request-id", "ssg-build").body(http_body_util::Empty::<Bytes>::new());
        if let Ok(req) = req {
            let res = app.handle(req).await;
            let body = res.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
            return String::from_utf8_lossy(&body).into_owned();
        }
    }
    NOT_FOUND_FALLBACK.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_encode_and_refuse_dot_segments() {
        let p = StaticParams::new().param("slug", "a b/c");
        assert_eq!(page_path("/blog/<slug>", &p).unwrap(), "/blog/a%20b%2Fc");
        let rest = StaticParams::new().segments("rest", ["a", "", "b c"]);
        assert_eq!(page_path("/docs/<rest*>", &rest).unwrap(), "/docs/a/b%20c");
        assert_eq!(page_path("/docs/<rest*>", &StaticParams::new()).unwrap(), "/docs");
        assert!(page_path("/docs/<rest+>", &StaticParams::new()).unwrap_err().contains("catch-all"));
        assert!(page_path("/blog/<slug>", &StaticParams::new()).unwrap_err().contains("\"slug\""));
        assert!(page_path("/blog/<slug>", &StaticParams::new().param("slug", ".."))
            .unwrap_err()
            .contains("dot-segment"));
        assert!(page_path("/d/<r+>", &StaticParams::new().segments("r", ["a", ".."])).is_err());
        assert_eq!(page_path("/", &StaticParams::new()).unwrap(), "/");
    }

    #[test]
    fn layout_and_confinement() {
        assert_eq!(html_file("/", OutputTrailingSlash::Always), "index.html");
        assert_eq!(html_file("/about", OutputTrailingSlash::Always), "about/index.html");
        assert_eq!(html_file("/about", OutputTrailingSlash::Never), "about.html");
        assert_eq!(html_file("/a/b/", OutputTrailingSlash::Never), "a/b.html");
        let out = Path::new("/tmp/out");
        assert!(inside(out, "a/../../etc/passwd").is_err());
        assert!(inside(out, "/etc/passwd").is_err());
        assert!(inside(out, "a\\b").is_err());
        assert_eq!(inside(out, "a/b.html").unwrap(), Path::new("/tmp/out/a/b.html"));
    }

    #[test]
    fn content_hash_covers_html_and_data() {
        let a = content_hash(b"<p>x</p>", None);
        assert!(a.starts_with("sha256-") && a.len() == 7 + 64);
        assert_ne!(a, content_hash(b"<p>x</p>", Some(b"{}")));
        assert_eq!(a, content_hash(b"<p>x</p>", Some(b"")));
    }
}
