//! The facetheory example blog: faces live in `faces/`, shared pieces here.

pub mod islands;
pub mod layout;
pub mod posts;

facetheory::include_faces!();

/// The blog app: the route table generated from `faces/` at compile time, its posts store as app state, the
/// Vite build's assets under `/assets` for local runs (on AWS they are served from S3), and signed SSR
/// hydration sidecars for the strict pages, configured by the environment (`FACETHEORY_SIDECAR_BUCKET` and
/// `FACETHEORY_SIDECAR_SECRET` on AWS; process memory and a random secret for a local `serve`).
pub fn app() -> facetheory::AppBuilder {
    facetheory::App::builder()
        .routes(faces::ROUTES)
        .state(posts::Posts::new())
        .static_dir("/assets", islands::dist_dir().join("assets"))
        .ssr_hydration_sidecars_from_env()
}
