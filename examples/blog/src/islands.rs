//! The blog's interactive islands: typed hydration payloads (exported to TypeScript with ts-rs, so the Vite
//! client type-checks against these structs) and the Vite manifest that names each island's files.

use std::path::PathBuf;
use std::sync::OnceLock;

use facetheory::vite::{AssetOptions, EntryAssets, ViteManifest};
use serde::Serialize;
use ts_rs::TS;

/// One post as the search island sees it.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export, export_to = "../client/src/generated/")]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

/// Hydration payload of the home page's search island.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export, export_to = "../client/src/generated/")]
pub struct HomeData {
    pub posts: Vec<PostSummary>,
}

/// Hydration payload of the strict page's counter island (served from `/api/counter`, not inlined).
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export, export_to = "../client/src/generated/")]
pub struct CounterData {
    pub start: i32,
    pub step: i32,
    pub label: String,
}

/// Where the Vite build lives (`BLOG_CLIENT_DIST` overrides; default `examples/blog/client/dist`).
pub fn dist_dir() -> PathBuf {
    std::env::var_os("BLOG_CLIENT_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/client/dist")))
}

/// The manifest, read once. Without a client build the site still works: pages render without islands.
fn manifest() -> Option<&'static ViteManifest> {
    static MANIFEST: OnceLock<Option<ViteManifest>> = OnceLock::new();
    MANIFEST
        .get_or_init(|| match ViteManifest::load(dist_dir().join(".vite/manifest.json")) {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!("islands disabled: {e} (build them with `npm run build` in examples/blog/client)");
                None
            }
        })
        .as_ref()
}

/// The files of an island entry (`src/search.ts`…), if the client is built.
pub fn island(entry: &str) -> Option<EntryAssets> {
    let m = manifest()?;
    match m.entry(entry, &AssetOptions::default()) {
        Ok(assets) => Some(assets),
        Err(e) => {
            tracing::error!("island {entry}: {e}");
            None
        }
    }
}
