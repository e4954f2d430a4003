//! The facetheory example blog: faces live in `faces/`, shared pieces here.

pub mod islands;
pub mod layout;
pub mod posts;

facetheory::include_faces!();

/// The blog app: the route table generated from `faces/` at compile time, and the Vite build's assets under
/// `/assets` for local runs (on AWS they are served from S3).
pub fn app() -> facetheory::AppBuilder {
    facetheory::App::builder().routes(faces::ROUTES).static_dir("/assets", islands::dist_dir().join("assets"))
}
