//! The smallest facetheory site. `cargo run -p hello -- serve` and open http://127.0.0.1:3000/.

#[facetheory::main]
fn main() -> facetheory::AppBuilder {
    facetheory::App::builder().routes(hello::faces::ROUTES)
}
