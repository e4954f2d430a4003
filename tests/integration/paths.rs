//! The typed path builders generated from the blog's `faces/`: each segment percent-encoded, catch-alls from
//! slices, and every built path routed back to its page.

use blog::faces::paths;

#[tokio::test]
async fn built_paths_are_encoded_and_route_to_their_pages() {
    assert_eq!(paths::post("caf\u{e9}"), "/blog/caf%C3%A9");
    assert_eq!(paths::post("a/b c"), "/blog/a%2Fb%20c", "one segment stays one segment");
    assert_eq!(paths::home(), "/");
    assert_eq!(paths::docs(&[]), "/docs");
    assert_eq!(paths::docs(&["guide", "step 1"]), "/docs/guide/step%201");
    assert_eq!(paths::topic_page("routing"), "/topics/routing");
    assert_eq!(paths::comment("routing"), paths::post("routing"), "the form posts to the page's URL");

    let app = blog::app().isr(facetheory::isr::IsrRuntime::memory()).build().unwrap();
    for path in [&paths::post("caf\u{e9}"), paths::about(), &paths::docs(&["guide"]), paths::posts()] {
        let res = app.handle(http::Request::get(path).body(String::new()).unwrap()).await;
        assert_eq!(res.status(), 200, "{path}");
    }
}
