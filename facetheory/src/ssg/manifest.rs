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
    /// The face's route pattern.
    pub route_pattern: String,
    /// The page path.
    pub path: String,
    /// The HTML file, relative to the output directory.
    pub file: String,
    /// The status rendered (always 200 for written pages).
    pub status: u16,
    /// The content type.
    pub content_type: String,
    /// `sha256-<hex>` over the HTML and the hydration data.
    pub content_hash: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The hydration data file, for strict pages.
    pub hydration_data_file: Option<String>,
    /// The `cache-control` to upload it with.
    pub cache_control: String,
}

/// `cache-control` per kind of output, recorded for the uploader and the CDN configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachePolicy {
    /// SSG HTML.
    pub html: String,
    #[serde(rename = "hydrationData")]
    /// SSG hydration data files.
    pub hydration_data: String,
    /// Hashed client assets.
    pub assets: String,
    /// SSR pages.
    pub ssr: String,
    /// ISR pages (`<revalidate>` stands for the face's seconds).
    pub isr: String,
}

/// `.facetheory/ssg-manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Manifest format version (1).
    pub version: u32,
    /// How route paths are normalised.
    pub route_path_policy: String,
    /// How pages map to files.
    pub html_output_policy: String,
    /// The trailing-slash layout.
    pub trailing_slash: OutputTrailingSlash,
    /// Where the Vite manifest was copied, if any.
    pub asset_manifest: Option<AssetManifest>,
    /// `cache-control` per kind of output.
    pub cache_control: CachePolicy,
    /// The pages written (or kept).
    pub pages: Vec<PageEntry>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The 404 document.
    pub not_found_file: Option<String>,
    /// Copied static files (relative paths), sorted.
    #[serde(default)]
    pub assets: Vec<String>,
}

/// Where the Vite manifest is in the output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetManifest {
    /// `vite`.
    pub format: String,
    /// Its path in the output.
    pub path: String,
}

/// The previous build's manifest, when `out` holds one this version can read.
pub(super) fn read_manifest(out: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(out.join(MANIFEST_FILE)).ok()?;
    serde_json::from_slice::<Manifest>(&bytes).ok().filter(|m| m.version == 1)
}
