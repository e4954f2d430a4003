//! The smallest facetheory site. `cargo run -p hello -- serve` and open http://127.0.0.1:3000/.

facetheory::include_faces!();

#[facetheory::main]
fn main() {}
