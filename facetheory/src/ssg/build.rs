//! The build: plan every SSG page from the route table and the params enumerators, render each through
//! [`App::render_static`] (no requests), and write pages, hydration data, `404.html`, assets and the manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bytes::Bytes;
use facetheory_codegen::route::RoutePattern;
use futures_util::StreamExt;

use super::assets::copy_assets;
use super::links::{self, LinkCheck};
use super::manifest::{self, CachePolicy, Manifest, PageEntry, MANIFEST_FILE};
use super::paths::{content_hash, html_file, inside, page_path};
use super::{BuildOptions, BuildReport, Failure, SsgError};
use crate::app::App;
use crate::cache_control;
use crate::face::{Mode, RouteDescriptor, StaticParams};
use crate::hydration::ssg_data_path;
use crate::render::Rendered;

const NOT_FOUND_FALLBACK: &str = "<!doctype html><html lang=\"en\"><head><title>Not Found</title></head><body><h1>Not Found</h1><template data-facetheory-ssg-404=\"true\"></template></body></html>";

/// A page to render.
#[derive(Clone, Debug)]
struct Planned {
    route: &'static str,
    path: String,
}

pub(super) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SsgError + '_ {
    move |source| SsgError::Io { path: path.to_path_buf(), source }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SsgError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    std::fs::write(path, bytes).map_err(io_err(path))
}

async fn plan(app: &App) -> (Vec<Planned>, Vec<Failure>) {
    let not_found = app.not_found_route();
    let mut faces: Vec<&'static RouteDescriptor> = app
        .routes()
        .filter(|d| d.mode() == Some(Mode::Ssg) && !not_found.is_some_and(|n| std::ptr::eq(n, *d)))
        .collect();
    faces.sort_by(|a, b| a.pattern.cmp(b.pattern));
    let mut planned = Vec::new();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for desc in faces {
        let fail = |message: String| Failure { route_pattern: desc.pattern.into(), path: None, status: None, message };
        let params_fn = desc.face().and_then(|f| f.mode.params());
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

/// A rendered page with its plan entry.
struct Written {
    planned: Planned,
    page: Rendered<Bytes>,
}

async fn render(app: &App, planned: Planned) -> Result<Written, Failure> {
    let fail = |status: Option<u16>, message: String| Failure {
        route_pattern: planned.route.into(),
        path: Some(planned.path.clone()),
        status,
        message,
    };
    match app.render_static(&planned.path).await {
        Ok(page) if page.status == http::StatusCode::OK => Ok(Written { planned, page }),
        Ok(page) => {
            let status = page.status.as_u16();
            Err(fail(Some(status), format!("SSG route {:?} returned status {status}", planned.path)))
        }
        Err(e) => Err(fail(Some(e.status().as_u16()), format!("SSG route {:?}: {e}", planned.path))),
    }
}

fn prepare_out_dir(opts: &BuildOptions) -> Result<Option<Manifest>, SsgError> {
    let out = &opts.out;
    let out_err = |reason: String| SsgError::OutDir { path: out.clone(), reason };
    if out.as_os_str().is_empty() || out.parent().is_none() {
        return Err(out_err("refusing to build into the file system root or an empty path".into()));
    }
    let previous = manifest::read_manifest(out);
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
    let mut rendered: Vec<Result<Written, Failure>> =
        futures_util::stream::iter(planned).map(|p| render(app, p)).buffer_unordered(opts.concurrency).collect().await;
    // Completion order varies; output and report must not.
    rendered.sort_by(|a, b| {
        let key = |r: &Result<Written, Failure>| match r {
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
        let Written { planned, page } = page;
        let file = html_file(&planned.path, opts.trailing_slash);
        let data_file = page.sidecar.as_ref().map(|_| ssg_data_path(&planned.path));
        let data = page.sidecar.as_ref().map(|d| {
            let mut v = d.to_vec();
            v.push(b'\n');
            v
        });
        let (html_path, data_path) =
            match (inside(out, &file), data_file.as_deref().map(|f| inside(out, f)).transpose()) {
                (Ok(h), Ok(d)) => (h, d),
                (Err(message), _) | (_, Err(message)) => {
                    failures.push(Failure {
                        route_pattern: planned.route.into(),
                        path: Some(planned.path.clone()),
                        status: None,
                        message,
                    });
                    continue;
                }
            };
        let entry = PageEntry {
            route_pattern: planned.route.into(),
            path: planned.path.clone(),
            file: file.clone(),
            status: page.status.as_u16(),
            content_type: page.content_type().unwrap_or("text/html; charset=utf-8").to_string(),
            content_hash: content_hash(&page.body, data.as_deref()),
            hydration_data_file: data_file,
            cache_control: cache_control::SSG.into(),
        };
        let unchanged = previous.get(&entry.path).is_some_and(|old| {
            old == &entry
                && std::fs::read(&html_path).is_ok_and(|b| b == page.body)
                && match (&data_path, &data) {
                    (Some(p), Some(d)) => std::fs::read(p).is_ok_and(|b| &b == d),
                    _ => true,
                }
        });
        if unchanged {
            report.skipped.push(entry.path.clone());
        } else {
            write_file(&html_path, &page.body)?;
            if let (Some(p), Some(d)) = (&data_path, &data) {
                write_file(p, d)?;
            }
            report.written += 1;
        }
        report.pages.push(entry);
    }
    let not_found = render_404(app).await;
    write_file(&out.join("404.html"), &not_found)?;
    let (assets, asset_manifest) = copy_assets(app, out)?;
    report.assets = assets.len();
    let manifest = Manifest {
        version: 1,
        route_path_policy: "normalized".into(),
        html_output_policy: "index-or-html".into(),
        trailing_slash: opts.trailing_slash,
        asset_manifest,
        cache_control: CachePolicy {
            html: cache_control::SSG.into(),
            hydration_data: cache_control::SSG.into(),
            assets: cache_control::ASSET.into(),
            ssr: cache_control::SSR.into(),
            isr: cache_control::ISR_TEMPLATE.into(),
        },
        pages: report.pages.clone(),
        not_found_file: Some("404.html".into()),
        assets,
    };
    let mut json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| SsgError::Io { path: out.join(MANIFEST_FILE), source: std::io::Error::other(e) })?;
    json.push('\n');
    write_file(&out.join(MANIFEST_FILE), json.as_bytes())?;
    failures.sort_by(|a, b| (&a.path, &a.route_pattern).cmp(&(&b.path, &b.route_pattern)));
    report.failures = failures;
    if opts.links != LinkCheck::Off {
        // Every page in the manifest, written now or kept from before, and the 404 page.
        let mut pages = vec![("/404.html".to_string(), String::from_utf8_lossy(&not_found).into_owned())];
        for entry in &report.pages {
            let path = inside(out, &entry.file).map_err(|reason| SsgError::OutDir { path: out.into(), reason })?;
            let html = std::fs::read(&path).map_err(io_err(&path))?;
            pages.push((entry.path.clone(), String::from_utf8_lossy(&html).into_owned()));
        }
        let written: BTreeSet<String> = report.pages.iter().map(|p| p.path.clone()).collect();
        report.broken_links = links::check(app, out, &pages, &written);
    }
    Ok(report)
}

/// `404.html`: the not-found face when it is an SSG page, else the fixed fallback document.
async fn render_404(app: &App) -> Bytes {
    let ssg_404 = app.not_found_route().filter(|d| d.mode() == Some(Mode::Ssg));
    if let Some(desc) = ssg_404 {
        match app.render_static(desc.pattern).await {
            Ok(page) => return page.body,
            Err(e) => {
                tracing::warn!(route = desc.pattern, error = %e, "the not-found page did not render; writing the fallback")
            }
        }
    }
    Bytes::from_static(NOT_FOUND_FALLBACK.as_bytes())
}
