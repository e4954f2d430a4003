//! The hello site as a library, so tests (and an axum app) can build it in process.

facetheory::include_faces!();
