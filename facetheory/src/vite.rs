//! Vite manifest (`.vite/manifest.json`) → the head tags an entry needs, exactly as the TypeScript runtime: the import
//! closure as `modulepreload` links (post-order, entry excluded, deduplicated), then stylesheets of the closure
//! and the entry, then (optionally) asset hints.
//!
//! ```
//! use facetheory::vite::{AssetOptions, ViteManifest};
//! let manifest = ViteManifest::parse(r#"{
//!   "src/main.ts": {"file": "assets/main-1.js", "isEntry": true, "imports": ["_shared.js"], "css": ["assets/main-2.css"]},
//!   "_shared.js": {"file": "assets/shared-3.js"}
//! }"#).unwrap();
//! let assets = manifest.entry("src/main.ts", &AssetOptions::default()).unwrap();
//! assert_eq!(assets.bootstrap_module, "/assets/main-1.js");
//! let tags: Vec<String> = assets.head_tags.iter().map(|t| t.render()).collect();
//! assert_eq!(tags, [
//!     r#"<link crossorigin href="/assets/shared-3.js" rel="modulepreload">"#,
//!     r#"<link crossorigin href="/assets/main-2.css" rel="stylesheet">"#,
//! ]);
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::head::{Attrs, HeadTag};

/// One chunk of the manifest.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestChunk {
    /// The built file.
    pub file: Option<String>,
    #[serde(default)]
    /// The source path.
    pub src: Option<String>,
    #[serde(default)]
    /// True for an entry point.
    pub is_entry: bool,
    #[serde(default)]
    /// Static imports (manifest keys).
    pub imports: Vec<String>,
    #[serde(default)]
    /// Dynamic imports (manifest keys).
    pub dynamic_imports: Vec<String>,
    #[serde(default)]
    /// CSS files.
    pub css: Vec<String>,
    #[serde(default)]
    /// Other assets.
    pub assets: Vec<String>,
}

/// A parsed Vite manifest.
#[derive(Debug, Clone, Default)]
pub struct ViteManifest {
    chunks: BTreeMap<String, ManifestChunk>,
}

/// A manifest that cannot be read or does not describe the entry asked for.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// The file could not be read.
    #[error("cannot read vite manifest {path}: {source}")]
    Read {
        /// The manifest file.
        path: String,
        /// The failure.
        source: std::io::Error,
    },
    /// The JSON is not a manifest.
    #[error("invalid vite manifest {origin}: {source}")]
    Parse {
        /// Where the manifest came from.
        origin: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The entry is not in the manifest.
    #[error("vite manifest missing entry: {0}")]
    MissingEntry(String),
    /// The entry (or an import of it) has no `file`.
    #[error("vite manifest entry missing file: {0}")]
    MissingFile(String),
}

/// Options for [`ViteManifest::entry`].
#[derive(Debug, Clone)]
pub struct AssetOptions {
    /// Public base path of the assets (default `/`).
    pub base: String,
    /// Add a bare `crossorigin` attribute to modulepreload and stylesheet links (default true).
    pub crossorigin: bool,
    /// Also emit preload/prefetch hints for the chunks' assets (default false).
    pub include_assets: bool,
}

impl Default for AssetOptions {
    fn default() -> Self {
        AssetOptions { base: "/".into(), crossorigin: true, include_assets: false }
    }
}

/// What an entry needs in the head, and the module that boots it.
#[derive(Debug, Clone)]
pub struct EntryAssets {
    /// URL of the entry's module (for `<script type="module">`, emitted with the page's hydration).
    pub bootstrap_module: String,
    /// modulepreload, stylesheet and asset-hint links, in FaceTheory's order.
    pub head_tags: Vec<HeadTag>,
}

impl ViteManifest {
    /// Reads a manifest file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, AssetError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| AssetError::Read { path: path.display().to_string(), source })?;
        Self::parse_from(&text, &path.display().to_string())
    }

    /// Parses manifest JSON.
    pub fn parse(json: &str) -> Result<Self, AssetError> {
        Self::parse_from(json, "(inline)")
    }

    fn parse_from(json: &str, origin: &str) -> Result<Self, AssetError> {
        let chunks =
            serde_json::from_str(json).map_err(|source| AssetError::Parse { origin: origin.into(), source })?;
        Ok(ViteManifest { chunks })
    }

    /// The head tags and bootstrap module for `entry` (a manifest key such as `src/main.ts`).
    pub fn entry(&self, entry: &str, opts: &AssetOptions) -> Result<EntryAssets, AssetError> {
        let chunk = self.chunks.get(entry).ok_or_else(|| AssetError::MissingEntry(entry.into()))?;
        let file = chunk.file.as_deref().ok_or_else(|| AssetError::MissingFile(entry.into()))?;
        let mut closure: Vec<&str> = Vec::new();
        let mut visited: HashSet<&str> = HashSet::from([entry]);
        for import in &chunk.imports {
            self.post_order(import, &mut visited, &mut closure);
        }
        let mut emitted: HashSet<String> = HashSet::new();
        let mut tags = Vec::new();
        let mut preloaded_files: HashSet<&str> = HashSet::new();
        for key in &closure {
            let Some(f) = self.chunks.get(*key).and_then(|c| c.file.as_deref()) else {
                return Err(AssetError::MissingFile((*key).into()));
            };
            if preloaded_files.insert(f) {
                push_link(&mut tags, &mut emitted, "modulepreload", join_base(&opts.base, f), opts.crossorigin);
            }
        }
        let keys: Vec<&str> = closure.iter().copied().chain([entry]).collect();
        for key in &keys {
            for css in self.chunks.get(*key).map(|c| c.css.as_slice()).unwrap_or_default() {
                push_link(&mut tags, &mut emitted, "stylesheet", join_base(&opts.base, css), opts.crossorigin);
            }
        }
        if opts.include_assets {
            for key in &keys {
                for asset in self.chunks.get(*key).map(|c| c.assets.as_slice()).unwrap_or_default() {
                    let href = join_base(&opts.base, asset);
                    if emitted.insert(href.clone()) {
                        tags.push(HeadTag::Link(asset_hint(asset, href)));
                    }
                }
            }
        }
        Ok(EntryAssets { bootstrap_module: join_base(&opts.base, file), head_tags: tags })
    }

    fn post_order<'a>(&'a self, key: &'a str, visited: &mut HashSet<&'a str>, out: &mut Vec<&'a str>) {
        if !visited.insert(key) {
            return;
        }
        if let Some(chunk) = self.chunks.get(key) {
            for import in &chunk.imports {
                self.post_order(import, visited, out);
            }
        }
        out.push(key);
    }
}

fn push_link(tags: &mut Vec<HeadTag>, emitted: &mut HashSet<String>, rel: &str, href: String, crossorigin: bool) {
    if !emitted.insert(href.clone()) {
        return;
    }
    let mut attrs = Attrs::new().set("rel", rel.to_string()).set("href", href);
    if crossorigin {
        attrs = attrs.flag("crossorigin");
    }
    tags.push(HeadTag::Link(attrs));
}

/// `base` with a trailing `/` + `path` without its leading `/`.
pub fn join_base(base: &str, path: &str) -> String {
    let mut out = base.to_string();
    if !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(path.strip_prefix('/').unwrap_or(path));
    out
}

fn asset_hint(asset: &str, href: String) -> Attrs {
    let clean = asset.split(['?', '#']).next().unwrap_or(asset).to_ascii_lowercase();
    let ext = clean.rsplit('.').next().unwrap_or("");
    let preload = |kind: &str| Attrs::new().set("rel", "preload").set("href", href.clone()).set("as", kind.to_string());
    match ext {
        "png" | "apng" | "avif" | "bmp" | "gif" | "ico" | "jpeg" | "jpg" | "svg" | "tif" | "tiff" | "webp" => {
            preload("image")
        }
        "woff2" => preload("font").set("type", "font/woff2").flag("crossorigin"),
        "woff" => preload("font").set("type", "font/woff").flag("crossorigin"),
        "ttf" => preload("font").set("type", "font/ttf").flag("crossorigin"),
        "otf" => preload("font").set("type", "font/otf").flag("crossorigin"),
        "eot" => preload("font").set("type", "application/vnd.ms-fontobject").flag("crossorigin"),
        "aac" | "flac" | "m4a" | "mp3" | "oga" | "ogg" | "wav" => preload("audio"),
        "m4v" | "mov" | "mp4" | "ogv" | "webm" => preload("video"),
        _ => Attrs::new().set("rel", "prefetch").set("href", href),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
      "src/main.ts": {"file": "assets/main.js", "isEntry": true, "imports": ["_a.js", "_b.js"], "css": ["assets/main.css"], "assets": ["assets/logo.svg"]},
      "_a.js": {"file": "assets/a.js", "imports": ["_c.js"], "css": ["assets/a.css", "assets/main.css"]},
      "_b.js": {"file": "assets/b.js", "imports": ["_c.js", "src/main.ts"], "assets": ["assets/font.woff2?v=1", "assets/data.bin"]},
      "_c.js": {"file": "assets/c.js"},
      "src/broken.ts": {"isEntry": true}
    }"#;

    #[test]
    fn closure_order_css_and_assets() {
        let m = ViteManifest::parse(MANIFEST).unwrap();
        let opts = AssetOptions { base: "/static".into(), crossorigin: false, include_assets: true };
        let assets = m.entry("src/main.ts", &opts).unwrap();
        assert_eq!(assets.bootstrap_module, "/static/assets/main.js");
        let tags: Vec<String> = assets.head_tags.iter().map(HeadTag::render).collect();
        assert_eq!(
            tags,
            [
                "<link href=\"/static/assets/c.js\" rel=\"modulepreload\">",
                "<link href=\"/static/assets/a.js\" rel=\"modulepreload\">",
                "<link href=\"/static/assets/b.js\" rel=\"modulepreload\">",
                "<link href=\"/static/assets/a.css\" rel=\"stylesheet\">",
                "<link href=\"/static/assets/main.css\" rel=\"stylesheet\">",
                "<link as=\"font\" crossorigin href=\"/static/assets/font.woff2?v=1\" rel=\"preload\" type=\"font/woff2\">",
                "<link href=\"/static/assets/data.bin\" rel=\"prefetch\">",
                "<link as=\"image\" href=\"/static/assets/logo.svg\" rel=\"preload\">",
            ]
        );
    }

    #[test]
    fn clear_errors() {
        let m = ViteManifest::parse(MANIFEST).unwrap();
        assert_eq!(
            m.entry("src/nope.ts", &AssetOptions::default()).unwrap_err().to_string(),
            "vite manifest missing entry: src/nope.ts"
        );
        assert_eq!(
            m.entry("src/broken.ts", &AssetOptions::default()).unwrap_err().to_string(),
            "vite manifest entry missing file: src/broken.ts"
        );
        assert!(ViteManifest::parse("[1,2]").unwrap_err().to_string().starts_with("invalid vite manifest (inline):"));
        assert!(ViteManifest::load("/no/such/manifest.json")
            .unwrap_err()
            .to_string()
            .starts_with("cannot read vite manifest /no/such/manifest.json"));
    }
}

/// The app's client build (`AppBuilder::vite`): its directory and manifest, read once at start-up.
#[derive(Debug)]
pub(crate) struct ClientBuild {
    dist: std::path::PathBuf,
    manifest: Result<ViteManifest, String>,
    /// Under `cargo facetheory dev` with a Vite dev server (`FACETHEORY_VITE_DEV=1`): entries are served from
    /// source by the dev server, through the dev proxy (same origin), with HMR.
    dev_server: bool,
}

/// Set by `cargo facetheory dev` on the site process when it runs Vite's dev server.
pub(crate) const VITE_DEV_ENV: &str = "FACETHEORY_VITE_DEV";

impl ClientBuild {
    /// Reads `dist/.vite/manifest.json`; a missing or bad manifest is kept as the reason islands cannot load.
    pub(crate) fn load(dist: &Path) -> ClientBuild {
        let path = dist.join(".vite").join("manifest.json");
        let manifest = ViteManifest::load(&path)
            .map_err(|e| format!("{e} (build the client first, e.g. `npm run build` next to vite.config)"));
        let dev_server = std::env::var_os(VITE_DEV_ENV).is_some_and(|v| v == "1");
        ClientBuild { dist: dist.to_path_buf(), manifest, dev_server }
    }

    /// The directory.
    pub(crate) fn dist(&self) -> &Path {
        &self.dist
    }

    /// Why the manifest cannot be used, if it cannot.
    pub(crate) fn problem(&self) -> Option<&str> {
        if self.dev_server {
            return None;
        }
        self.manifest.as_ref().err().map(String::as_str)
    }

    /// The head tags and module of `entry`.
    pub(crate) fn resolve(&self, entry: &str) -> Result<EntryAssets, String> {
        if self.dev_server {
            // As the TypeScript runtime's dev asset helper: Vite's client, then the entry by its source path.
            // On a strict SSR page the request's nonce lands on `<meta property="csp-nonce">`, which Vite's client
            // puts on the styles it injects.
            return Ok(EntryAssets {
                bootstrap_module: format!("/{}", entry.trim_start_matches('/')),
                head_tags: vec![
                    HeadTag::Meta(Attrs::new().set("property", "csp-nonce")),
                    crate::head::module_script("/@vite/client"),
                ],
            });
        }
        let manifest = self.manifest.as_ref().map_err(Clone::clone)?;
        manifest.entry(entry, &AssetOptions::default()).map_err(|e| format!("island entry {entry:?}: {e}"))
    }

    /// The top-level directories the built files live in (`assets`): each is served as a static directory.
    pub(crate) fn asset_dirs(&self) -> Vec<String> {
        let mut dirs: Vec<String> = match &self.manifest {
            Ok(m) => m
                .chunks
                .values()
                .flat_map(|c| c.file.iter().chain(&c.css).chain(&c.assets))
                .filter_map(|f| f.split_once('/').map(|(dir, _)| dir.to_string()))
                .filter(|d| !d.is_empty() && d != "." && d != ".." && !d.starts_with('.'))
                .collect(),
            Err(_) => Vec::new(),
        };
        if dirs.is_empty() {
            dirs.push("assets".into());
        }
        dirs.sort();
        dirs.dedup();
        dirs
    }
}
