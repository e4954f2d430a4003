// A page and its form POST may share a URL, but two handlers for the same method on the same paths conflict.
facetheory::faces!("same_method/faces");

fn main() {}
