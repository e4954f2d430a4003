//! `cargo run -p blog -- serve` serves the blog on http://127.0.0.1:3000; `routes` prints the route table.
//! On AWS Lambda the same binary is the streaming Function URL handler.

#[facetheory::main]
fn main() -> facetheory::AppBuilder {
    blog::app()
}
