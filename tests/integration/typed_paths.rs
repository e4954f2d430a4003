//! Path builders for typed parameters (numbers, `bool`, `char`) and static routes: each value written into the
//! path as the face parses it back, and every built path routed back to its page with the same value.

facetheory::faces!("typed_paths/faces");

use faces::paths;

#[tokio::test]
async fn typed_parameters_round_trip_through_their_paths() {
    // A static route's path is known when the site compiles.
    const GLOSSARY: &str = paths::glossary();
    assert_eq!(GLOSSARY, "/glossary");
    assert_eq!(paths::user(7), "/users/7");
    assert_eq!(paths::user(u64::MAX), format!("/users/{}", u64::MAX));
    assert_eq!(paths::offset(-3), "/offsets/-3");
    assert_eq!(paths::flag(true), "/flags/true");
    assert_eq!(paths::letter('\u{e9}'), "/letters/%C3%A9");
    assert_eq!(paths::letter('/'), "/letters/%2F", "a char that is a separator stays one segment");

    let app = facetheory::App::builder().routes(faces::ROUTES).build().unwrap();
    let cases = [
        (paths::user(7), "user 7"),
        (paths::offset(-3), "offset -3"),
        (paths::flag(false), "flag false"),
        (paths::letter('\u{e9}'), "letter \u{e9}"),
        (paths::letter('/'), "letter /"),
        (paths::glossary().to_string(), "glossary"),
    ];
    for (path, text) in cases {
        let res = app.handle(http::Request::get(path.as_str()).body(String::new()).unwrap()).await;
        assert_eq!(res.status(), 200, "{path}");
        let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains(&format!("<body>{text}</body>")), "{path}: {body}");
    }
}
