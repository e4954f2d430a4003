//! Copying the app's static directories (and the Vite manifest beside them) into the output.

use std::path::Path;

use super::build::io_err;
use super::paths::inside;
use super::{AssetManifest, SsgError};
use crate::app::App;

/// Copies the app's static directories (Vite's `dist/assets` under `/assets`…) and a Vite manifest found beside
/// them (`dist/.vite/manifest.json`) into the output; returns the copied files (relative, sorted).
pub(super) fn copy_assets(app: &App, out: &Path) -> Result<(Vec<String>, Option<AssetManifest>), SsgError> {
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
    // The framework's own client modules, served from S3 like any asset.
    let rel = format!("{}/{}", crate::sections::RUNTIME_PREFIX.trim_start_matches('/'), *crate::sections::MODULE_FILE);
    let dest = inside(out, &rel).map_err(|reason| SsgError::OutDir { path: out.into(), reason })?;
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    std::fs::write(&dest, crate::sections::MODULE_SOURCE).map_err(io_err(&dest))?;
    copied.push(rel);
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
