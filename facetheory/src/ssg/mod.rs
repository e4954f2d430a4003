//! Static site generation: every `mode = "ssg"` page rendered through the app into a
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

mod assets;
mod build;
mod links;
mod manifest;
mod paths;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use build::build;
pub use links::{BrokenLink, LinkCheck};
pub use manifest::{AssetManifest, CachePolicy, Manifest, PageEntry, MANIFEST_FILE};
pub use paths::{content_hash, html_file, page_path};

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
    /// The output directory.
    pub out: PathBuf,
    /// The HTML layout.
    pub trailing_slash: OutputTrailingSlash,
    /// Pages rendered at once (≥ 1).
    pub concurrency: usize,
    /// Keep the output directory and skip writing pages whose content hash is unchanged.
    pub incremental: bool,
    /// What broken links in the written pages do (default: fail the build).
    pub links: LinkCheck,
}

impl BuildOptions {
    /// Defaults: trailing slash `always`, concurrency 4, full rebuild.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        BuildOptions {
            out: out.into(),
            trailing_slash: OutputTrailingSlash::Always,
            concurrency: 4,
            incremental: false,
            links: LinkCheck::Error,
        }
    }
}

/// A build that could not start or finish writing (bad output directory, I/O).
#[derive(Debug, thiserror::Error)]
pub enum SsgError {
    /// The output directory cannot be used.
    #[error("SSG output directory {path}: {reason}")]
    OutDir {
        /// The directory.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// Writing failed.
    #[error("SSG: writing {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// `concurrency` is 0.
    #[error("SSG concurrency must be a positive integer")]
    Concurrency,
}

/// A page that failed; the others are still written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The route pattern.
    pub route_pattern: String,
    /// The page path (`None` when the params could not be enumerated).
    pub path: Option<String>,
    /// The status the page answered, when it rendered.
    pub status: Option<u16>,
    /// What went wrong.
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
    /// The pages in the manifest.
    pub pages: Vec<PageEntry>,
    /// Pages whose files were (re)written.
    pub written: usize,
    /// Pages left as they were (incremental, content hash unchanged).
    pub skipped: Vec<String>,
    /// The pages that failed.
    pub failures: Vec<Failure>,
    /// Asset files copied.
    pub assets: usize,
    /// Same-origin links in the written pages that reach nothing (at most 1,000 listed).
    pub broken_links: Vec<BrokenLink>,
}

impl BuildReport {
    /// Whether the build succeeded under `links`: no page failed, and no broken link unless they only warn.
    pub fn succeeded(&self, links: LinkCheck) -> bool {
        self.failures.is_empty() && (self.broken_links.is_empty() || links != LinkCheck::Error)
    }
}
