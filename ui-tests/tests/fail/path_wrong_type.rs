// The path builder takes what the face takes: `/users/<id>` with `id: u64` is built from a number.
facetheory::faces!("typed_paths/faces");

fn main() {
    let _ = faces::paths::user(7);
    let _ = faces::paths::user("seven");
}
