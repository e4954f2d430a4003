use facetheory::prelude::*;

#[face(route = "/")]
fn home() -> String {
    "hello".to_string()
}

fn main() {}
