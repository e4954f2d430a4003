// Two files under a faces directory declare routes that match exactly the same paths.
facetheory::faces!("conflict/faces");

fn main() {}
