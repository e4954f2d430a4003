use facetheory_codegen::file_route::{relative_to_faces_dir, route_for_file, route_string_for_file};
use facetheory_codegen::precedence::{compare, conflicts, sort_and_find_conflicts};
use facetheory_codegen::route::{CatchAll, ParamKind, RoutePattern, Segment};
use std::cmp::Ordering;

fn p(s: &str) -> RoutePattern {
    RoutePattern::parse(s).unwrap_or_else(|e| panic!("{s}: {}", e.render(s)))
}

fn err(s: &str) -> String {
    RoutePattern::parse(s).expect_err(s).render(s)
}

#[test]
fn parses_all_segment_kinds_and_aliases() {
    assert_eq!(p("/").segments(), &[]);
    assert_eq!(p("/a/<b>/<c+>").to_string(), "/a/<b>/<c+>");
    assert_eq!(p("/a/{b}/{c*}").to_string(), "/a/<b>/<c*>");
    assert_eq!(p("/{proxy+}").segments(), &[Segment::CatchAll { name: "proxy".into(), kind: CatchAll::OneOrMore }]);
    let params: Vec<_> = p("/x/<id>/<rest*>").params().map(|(n, k)| (n.to_string(), k)).collect();
    assert_eq!(
        params,
        vec![("id".into(), ParamKind::Single), ("rest".into(), ParamKind::Segments(CatchAll::ZeroOrMore))]
    );
    assert!(p("/a/b").is_static());
    assert!(!p("/a/<b>").is_static());
    assert_eq!(p("/v1.2/~x/a-b_c/@me/:x"), p("/v1.2/~x/a-b_c/@me/:x"));
}

#[test]
fn rejects_bad_routes_with_a_caret_at_the_fault() {
    assert_eq!(err(""), "invalid route \"\": route is empty; the root route is \"/\"\n  \n  ^");
    assert!(err("about").contains("must start with `/`\n  about\n  ^"));
    assert!(err("/about/").contains("must not end with `/`"));
    assert!(err("/a//b").contains("empty segment"));
    assert_eq!(
        err("/a/<rest+>/b"),
        "invalid route \"/a/<rest+>/b\": catch-all `rest` must be the last segment\n  /a/<rest+>/b\n     ^^^^^^^"
    );
    assert_eq!(
        err("/u/<id>/<id>"),
        "invalid route \"/u/<id>/<id>\": parameter name `id` is used twice in this route\n  /u/<id>/<id>\n          ^^^^"
    );
    assert!(err("/u/<>").contains("parameter name is empty"));
    assert!(err("/u/{+}").contains("parameter name is empty"));
    assert!(err("/u/<1d>").contains("`1d` is not a Rust identifier"));
    assert!(err("/u/<a-b>").contains("`a-b` is not a Rust identifier"));
    assert!(err("/u/<type>").contains("Rust keyword"));
    assert!(err("/u/<id").contains("must end with `>`"));
    assert!(err("/u/{id>").contains("must end with `}`"));
    assert!(err("/u/x<id>").contains("a parameter must fill a whole segment"));
    assert!(err("/a b").contains("' ' is not allowed"));
    assert!(err("/caf%C3%A9").contains("not its percent-encoding"));
    assert!(err("/a/../b").contains("dot segments"));
    assert!(err("/a?x=1").contains("'?' is not allowed"));
    let many: String = (0..17).map(|i| format!("/<p{i}>")).collect();
    assert!(err(&many).contains("at most 16 parameters"));
}

#[test]
fn caret_counts_characters_not_bytes() {
    // The caret under a non-ASCII character lines up in a terminal.
    let e = err("/é");
    assert!(e.ends_with("\n  /é\n   ^"), "{e}");
}

#[test]
fn precedence_is_per_segment_and_ignores_names() {
    assert_eq!(compare(&p("/blog/new"), &p("/blog/<slug>")), Ordering::Less);
    assert_eq!(compare(&p("/blog/<slug>"), &p("/blog/<rest+>")), Ordering::Less);
    assert_eq!(compare(&p("/blog/<rest+>"), &p("/blog/<rest*>")), Ordering::Less);
    assert_eq!(compare(&p("/x"), &p("/x/<q*>")), Ordering::Less);
    assert_eq!(compare(&p("/"), &p("/<p*>")), Ordering::Less);
    assert_eq!(compare(&p("/x/<rest+>"), &p("/<a>/<b>")), Ordering::Less);
    assert!(conflicts(&p("/users/<id>"), &p("/users/<slug>")));
    assert!(conflicts(&p("/a"), &p("/a")));
    assert!(conflicts(&p("/a/<x+>"), &p("/a/{y+}")));
    assert!(!conflicts(&p("/a/<x+>"), &p("/a/<y*>")));
    assert!(!conflicts(&p("/<x*>"), &p("/")));
    assert!(!conflicts(&p("/a/<x>"), &p("/b/<x>")));
}

#[test]
fn sorting_finds_every_conflicting_pair() {
    let mut routes = vec![p("/users/<slug>"), p("/a"), p("/users/<id>"), p("/users/<x>"), p("/a")];
    let pairs = sort_and_find_conflicts(&mut routes, |r| r);
    assert_eq!(pairs.len(), 4, "every pair among the three /users routes, and the two /a");
    for (a, b) in pairs {
        assert!(conflicts(&routes[a], &routes[b]));
    }
}

#[test]
fn file_paths_give_routes() {
    let cases = [
        ("index.rs", "/"),
        ("about.rs", "/about"),
        ("blog/index.rs", "/blog"),
        ("blog/[slug].rs", "/blog/<slug>"),
        ("docs/[...rest].rs", "/docs/<rest+>"),
        ("[[...rest]].rs", "/<rest*>"),
        ("users/[id]/posts.rs", "/users/<id>/posts"),
        ("404.rs", "/404"),
    ];
    for (file, route) in cases {
        assert_eq!(route_for_file(file).unwrap().to_string(), route, "{file}");
    }
    assert!(route_string_for_file("a.txt").is_err());
    assert!(route_for_file("blog/[slug.rs").unwrap_err().contains("unbalanced brackets"));
    assert!(route_for_file("blog/[my-slug].rs").unwrap_err().contains("not a Rust identifier"));
    assert_eq!(relative_to_faces_dir("/w/site/faces/blog/[slug].rs").as_deref(), Some("blog/[slug].rs"));
    assert_eq!(relative_to_faces_dir("faces/index.rs").as_deref(), Some("index.rs"));
    assert_eq!(relative_to_faces_dir("/w/site/src/lib.rs"), None);
}
