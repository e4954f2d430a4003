//! The facetheory example blog: faces live in `faces/`, shared pieces here.

pub mod layout;
pub mod posts;

facetheory::include_faces!();

/// The blog app: the route table generated from `faces/` at compile time.
pub fn app() -> facetheory::AppBuilder {
    facetheory::App::builder().routes(faces::ROUTES)
}
