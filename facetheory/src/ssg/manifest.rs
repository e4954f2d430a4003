//! `.facetheory/ssg-manifest.json`: what `build` wrote, in the TypeScript runtime's shape plus `cacheControl`
//! per kind of output (for the uploader and the CDN configuration).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::OutputTrailingSlash;

/// Where the manifest goes, relative to the output directory.
pub const MANIFEST_FILE: &str = ".facetheory/ssg-manifest.json";

/// One page in the manifest.
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

/// The previous build's manifest, when `out` holds one this version can read.
pub(super) fn read_manifest(out: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(out.join(MANIFEST_FILE)).ok()?;
    serde_json::from_slice::<Manifest>(&bytes).ok().filter(|m| m.version == 1)
}
