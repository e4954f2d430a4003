//! The facetheory example blog: faces live in `faces/`, shared pieces here.

pub mod layout;
pub mod payloads;
pub mod posts;

facetheory::include_faces!();

/// The blog app: the route table generated from `faces/` at compile time, its posts store as app state, the
/// Vite client build its islands resolve against (its assets served under `/assets` locally, from S3 on AWS),
/// and signed SSR hydration sidecars for the strict pages, configured by the environment
/// (`FACETHEORY_SIDECAR_BUCKET` and `FACETHEORY_SIDECAR_SECRET` on AWS; process memory and a random secret for
/// a local `serve`).
pub fn app() -> facetheory::AppBuilder {
    facetheory::App::builder()
        .routes(faces::ROUTES)
        .state(posts::Posts::new())
        .vite(client_dist())
        .ssr_hydration_sidecars_from_env()
}

/// Where the Vite build lives (`BLOG_CLIENT_DIST` overrides; default `examples/blog/client/dist`).
pub fn client_dist() -> std::path::PathBuf {
    std::env::var_os("BLOG_CLIENT_DIST")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/client/dist")))
}
