//! Router table cases and the declaration-order property.

use super::*;
use facetheory_codegen::precedence::compare;
use proptest::prelude::*;

fn router(routes: &[&str]) -> (Router, Vec<RoutePattern>) {
    let patterns: Vec<RoutePattern> = routes.iter().map(|r| RoutePattern::parse(r).expect(r)).collect();
    (Router::new(&patterns), patterns)
}

/// (route set, path, expected route or None, expected captures)
type Case = (&'static [&'static str], &'static str, Option<&'static str>, &'static [&'static str]);

const SITE: &[&str] = &[
    "/",
    "/about",
    "/blog/new",
    "/blog/<slug>",
    "/blog/<slug>/comments",
    "/docs",
    "/docs/<rest*>",
    "/files/<path+>",
    "/users/<id>/posts/<post>",
    "/<page*>",
];

const CASES: &[Case] = &[
    // precedence on a site-like table
    (SITE, "/", Some("/"), &[]),
    (SITE, "/about", Some("/about"), &[]),
    (SITE, "/about/team", Some("/<page*>"), &["about/team"]),
    (SITE, "/blog/new", Some("/blog/new"), &[]),
    (SITE, "/blog/hello", Some("/blog/<slug>"), &["hello"]),
    (SITE, "/blog/hello/comments", Some("/blog/<slug>/comments"), &["hello"]),
    (SITE, "/blog/new/comments", Some("/blog/<slug>/comments"), &["new"]),
    (SITE, "/blog/hello/other", Some("/<page*>"), &["blog/hello/other"]),
    (SITE, "/blog", Some("/<page*>"), &["blog"]),
    (SITE, "/docs", Some("/docs"), &[]),
    (SITE, "/docs/a", Some("/docs/<rest*>"), &["a"]),
    (SITE, "/docs/a/b/c", Some("/docs/<rest*>"), &["a/b/c"]),
    (SITE, "/files", Some("/<page*>"), &["files"]),
    (SITE, "/files/a", Some("/files/<path+>"), &["a"]),
    (SITE, "/files/a/b.txt", Some("/files/<path+>"), &["a/b.txt"]),
    (SITE, "/users/1/posts/2", Some("/users/<id>/posts/<post>"), &["1", "2"]),
    (SITE, "/users/1/posts", Some("/<page*>"), &["users/1/posts"]),
    (SITE, "/About", Some("/<page*>"), &["About"]),
    // raw captures: no decoding at the router; an encoded slash stays inside its segment
    (SITE, "/blog/hello%20world", Some("/blog/<slug>"), &["hello%20world"]),
    (SITE, "/blog/a%2Fb", Some("/blog/<slug>"), &["a%2Fb"]),
    (SITE, "/blog/caf%C3%A9/comments", Some("/blog/<slug>/comments"), &["caf%C3%A9"]),
    // malformed and empty segments match nothing (strict: trailing slash is a different path)
    (SITE, "", None, &[]),
    (SITE, "blog", None, &[]),
    (SITE, "//", None, &[]),
    (SITE, "/docs/", None, &[]),
    (SITE, "/docs//a", None, &[]),
    (SITE, "/blog//comments", None, &[]),
    (SITE, "/files/a/", None, &[]),
    // catch-all edge cases
    (&["/<p*>"], "/", Some("/<p*>"), &[""]),
    (&["/<p+>"], "/", None, &[]),
    (&["/<p+>"], "/a", Some("/<p+>"), &["a"]),
    (&["/x", "/x/<q*>"], "/x", Some("/x"), &[]),
    (&["/x/<q*>"], "/x", Some("/x/<q*>"), &[""]),
    (&["/x/<q+>", "/x/<r*>"], "/x/a", Some("/x/<q+>"), &["a"]),
    (&["/x/<q+>", "/x/<r*>"], "/x", Some("/x/<r*>"), &[""]),
    (&["/", "/<p*>"], "/", Some("/"), &[]),
    // per-segment precedence, left to right (FaceTheory would let longer patterns win)
    (&["/<a>/<b>", "/x/<rest+>"], "/x/y", Some("/x/<rest+>"), &["y"]),
    (&["/<a>/<b>", "/x/<rest+>"], "/z/y", Some("/<a>/<b>"), &["z", "y"]),
    (&["/<a>/b", "/<a>/<c>"], "/z/b", Some("/<a>/b"), &["z"]),
    (&["/<a>/<b>/c", "/<a>/<rest+>"], "/1/2/c", Some("/<a>/<b>/c"), &["1", "2"]),
    (&["/<a>/<b>/c", "/<a>/<rest+>"], "/1/2/d", Some("/<a>/<rest+>"), &["1", "2/d"]),
    // backtracking out of a static branch into a parameter branch
    (&["/a/<x>/c", "/<y>/b/d"], "/a/b/d", Some("/<y>/b/d"), &["a"]),
    (&["/a/<x>/c", "/<y>/b/d"], "/a/b/c", Some("/a/<x>/c"), &["b"]),
    (&["/a/b", "/<x>/<y>", "/<z+>"], "/a/c", Some("/<x>/<y>"), &["a", "c"]),
    // many static siblings (binary search path)
    (&["/s0", "/s1", "/s2", "/s3", "/s4", "/s5", "/s6", "/s7", "/s8", "/s9", "/<p>"], "/s7", Some("/s7"), &[]),
    (&["/s0", "/s1", "/s2", "/s3", "/s4", "/s5", "/s6", "/s7", "/s8", "/s9", "/<p>"], "/s77", Some("/<p>"), &["s77"]),
    // aliases are normalised at parse time
    (&["/users/{id}"], "/users/7", Some("/users/<id>"), &["7"]),
    (&["/{proxy+}"], "/a/b", Some("/<proxy+>"), &["a/b"]),
    (&["/api/{rest*}"], "/api", Some("/api/<rest*>"), &[""]),
];

#[test]
fn route_table_cases() {
    assert!(CASES.len() >= 40, "keep at least 40 table cases");
    for (routes, path, expected, captures) in CASES {
        let (router, patterns) = router(routes);
        let found = router.find(path);
        let got = found.map(|m| patterns[m.route()].to_string());
        assert_eq!(got.as_deref(), *expected, "routes {routes:?}, path {path:?}");
        if let Some(m) = found {
            let caps: Vec<&str> = (0..m.len()).map(|i| m.capture(i).unwrap()).collect();
            assert_eq!(caps, *captures, "captures for {path:?} in {routes:?}");
            // What a context keeps: the same text, as a range of the matched path.
            let ranged: Vec<&str> = (0..m.len()).map(|i| &path[m.capture_range(i).unwrap()]).collect();
            assert_eq!(ranged, *captures, "capture ranges for {path:?} in {routes:?}");
        }
    }
}

#[test]
fn trailing_slash_stripping() {
    assert_eq!(strip_trailing_slashes("/docs/"), Some("/docs"));
    assert_eq!(strip_trailing_slashes("/docs///"), Some("/docs"));
    assert_eq!(strip_trailing_slashes("/"), None);
    assert_eq!(strip_trailing_slashes("/docs"), None);
    assert_eq!(strip_trailing_slashes("//"), Some("/"));
}

fn segment_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("c".to_string()),
        Just("<p>".to_string()),
        Just("<q>".to_string()),
    ]
}

fn route_strategy() -> impl Strategy<Value = String> {
    (proptest::collection::vec(segment_strategy(), 0..4), 0..3u8).prop_map(|(segs, tail)| {
        // Distinct parameter names so a route never reuses one.
        let mut out = String::new();
        for (i, s) in segs.iter().enumerate() {
            out.push('/');
            out.push_str(&s.replace("<p>", &format!("<p{i}>")).replace("<q>", &format!("<q{i}>")));
        }
        match tail {
            1 => out.push_str("/<r+>"),
            2 => out.push_str("/<r*>"),
            _ => {}
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    })
}

fn path_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![Just("a"), Just("b"), Just("c"), Just("d"), Just("")], 0..5)
        .prop_map(|segs| format!("/{}", segs.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Declaration order never changes the match, and the match is the best route per the precedence rules.
    #[test]
    fn declaration_order_never_changes_the_match(
        routes in proptest::collection::vec(route_strategy(), 1..10),
        paths in proptest::collection::vec(path_strategy(), 1..8),
        seed in any::<u64>(),
    ) {
        // Drop conflicting duplicates the way the app builder would reject them: keep the first of each class.
        let mut unique: Vec<RoutePattern> = Vec::new();
        for r in &routes {
            let p = RoutePattern::parse(r).unwrap();
            if !unique.iter().any(|u| compare(u, &p) == std::cmp::Ordering::Equal) {
                unique.push(p);
            }
        }
        let mut shuffled = unique.clone();
        // Deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = Router::new(&unique);
        let b = Router::new(&shuffled);
        for path in &paths {
            let got_a = a.find(path).map(|m| unique[m.route()].to_string());
            let got_b = b.find(path).map(|m| shuffled[m.route()].to_string());
            prop_assert_eq!(&got_a, &got_b, "path {}", path);
            let best = super::reference::best(&unique, path);
            prop_assert_eq!(got_a, best.map(|i| unique[i].to_string()), "path {}", path);
        }
    }
}

#[test]
fn first_hit_is_the_best_route() {
    let routes: Vec<_> =
        ["/blog/<slug>", "/blog/new", "/<rest*>"].iter().map(|r| RoutePattern::parse(r).unwrap()).collect();
    let router = Router::new(&routes);
    assert_eq!(router.find("/blog/new").unwrap().route(), 1);
    let m = router.find("/blog/hello").unwrap();
    assert_eq!((m.route(), m.capture(0)), (0, Some("hello")));
    assert_eq!(router.find("/").unwrap().route(), 2);
}
