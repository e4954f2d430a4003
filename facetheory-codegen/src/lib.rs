//! Compile-time side of facetheory: the route grammar, precedence and conflict analysis, and (feature `scan`)
//! the reading of a `faces/` directory and generation of the route table used by build scripts and by the
//! `#[face]` / `#[resource]` macros.
//!
//! The grammar lives here once; the runtime router parses descriptors with the very same code, so a route
//! that compiles is matched at run time exactly as it was checked at compile time.

pub mod file_route;
pub mod head_key;
pub mod limits;
pub mod methods;
pub mod mode;
pub mod precedence;
pub mod route;

#[cfg(feature = "scan")]
pub mod attrs;
#[cfg(feature = "scan")]
pub mod face_fn;
#[cfg(feature = "scan")]
pub mod head_macro;
#[cfg(feature = "scan")]
pub mod main_fn;
#[cfg(feature = "scan")]
pub mod scan;
#[cfg(feature = "scan")]
mod signature;

/// A site's build script: scans `faces/` and writes the route table (see [`scan::build`]).
///
/// In `build.rs`, `fn main() { facetheory_codegen::build(); }`.
#[cfg(feature = "scan")]
pub use scan::build;
