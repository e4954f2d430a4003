//! The facetheory example blog: faces live in `faces/`, shared pieces here.

pub mod islands;
pub mod layout;
pub mod posts;

facetheory::include_faces!();

/// The blog app: the route table generated from `faces/` at compile time, and the Vite build's assets under
/// `/assets` for local runs (on AWS they are served from S3).
pub fn app() -> facetheory::AppBuilder {
    facetheory::App::builder()
        .routes(faces::ROUTES)
        .static_dir("/assets", islands::dist_dir().join("assets"))
        .ssr_hydration_sidecars(sidecars())
}

/// Signed SSR hydration sidecars for the strict pages. The secret comes from `FACETHEORY_SIDECAR_SECRET`
/// (share one across Lambda instances, with a shared store); without it a random per-process secret is used,
/// which suits a single local `serve`.
fn sidecars() -> facetheory::hydration::SsrSidecars {
    let secret = std::env::var("FACETHEORY_SIDECAR_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("{}{}", facetheory::csp::create_nonce(), facetheory::csp::create_nonce()));
    facetheory::hydration::SsrSidecars::new(secret.into_bytes(), facetheory::store::MemoryStore::default())
        .expect("a non-empty secret")
}
