//! A whole site through `faces!`: inferred and explicit routes, every argument kind, sync and async faces,
//! resources, and the table in precedence order.
facetheory::faces!("site/faces");

fn main() {
    let app = facetheory::App::builder().routes(faces::ROUTES).build().expect("valid table");
    let patterns: Vec<&str> = app.routes().map(|r| r.pattern).collect();
    assert_eq!(patterns, ["/api/echo", "/blog/new", "/blog/<slug>", "/files/<path+>", "/", "/<rest*>"]);
}
