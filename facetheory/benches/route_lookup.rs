//! Route lookup on a 130-route table: facetheory's router vs `matchit` on the same routes and paths, same run.
//! Prints ns per lookup for both and the ratio (goal ≤ 1.0×).

use criterion::{black_box, Criterion};

#[path = "support/interleave.rs"]
mod interleave;
use facetheory::testing::Router;
use facetheory_codegen::route::RoutePattern;

/// 130 routes shaped like a real API (GitHub-style): statics, parameters, catch-alls.
fn routes() -> Vec<String> {
    let mut r: Vec<String> = Vec::new();
    let resources =
        ["users", "orgs", "repos", "teams", "gists", "issues", "events", "notifications", "projects", "apps"];
    for res in resources {
        r.push(format!("/{res}"));
        r.push(format!("/{res}/<id>"));
        r.push(format!("/{res}/<id>/events"));
        r.push(format!("/{res}/<id>/members"));
        r.push(format!("/{res}/<id>/members/<member>"));
        r.push(format!("/{res}/<id>/settings"));
        r.push(format!("/{res}/<id>/settings/<section>"));
        r.push(format!("/{res}/<id>/hooks"));
        r.push(format!("/{res}/<id>/hooks/<hook>/pings"));
        r.push(format!("/{res}/<id>/files/<path+>"));
        r.push(format!("/{res}/new"));
        r.push(format!("/{res}/<id>/stars"));
    }
    for extra in
        ["/", "/about", "/search", "/login", "/logout", "/feeds", "/emojis", "/meta", "/rate_limit", "/octocat"]
    {
        r.push(extra.to_string());
    }
    assert_eq!(r.len(), 130);
    r
}

/// One concrete path per route, plus a few misses.
fn paths() -> Vec<String> {
    let mut p: Vec<String> = routes()
        .iter()
        .map(|r| {
            r.replace("<id>", "octo-org")
                .replace("<member>", "mona")
                .replace("<section>", "billing")
                .replace("<hook>", "1234")
                .replace("<path+>", "src/main.rs")
        })
        .collect();
    p.extend(["/users/octo/unknown".to_string(), "/nope".to_string(), "/repos/a/b/c/d".to_string()]);
    p
}

fn to_matchit(route: &str) -> String {
    route.replace("<path+>", "{*path}").replace('<', "{").replace('>', "}")
}

fn main() {
    let patterns: Vec<RoutePattern> = routes().iter().map(|r| RoutePattern::parse(r).unwrap()).collect();
    let ours = Router::new(&patterns);
    let mut theirs = matchit::Router::new();
    for (i, r) in routes().iter().enumerate() {
        theirs.insert(to_matchit(r), i).unwrap_or_else(|e| panic!("matchit rejects {r}: {e}"));
    }
    let paths = paths();
    // Both routers must agree before their speed means anything.
    for p in &paths {
        let a = ours.find(p).map(|m| m.route());
        let b = theirs.at(p).ok().map(|m| *m.value);
        assert_eq!(a, b, "routers disagree on {p}");
    }

    let mut c = Criterion::default().configure_from_args().warm_up_time(std::time::Duration::from_millis(500));
    let mut group = c.benchmark_group("route_lookup_130");
    group.bench_function("facetheory", |b| {
        b.iter(|| {
            for p in &paths {
                black_box(ours.find(black_box(p)).map(|m| (m.route(), m.capture(0))));
            }
        })
    });
    group.bench_function("matchit", |b| {
        b.iter(|| {
            for p in &paths {
                black_box(theirs.at(black_box(p)).ok().map(|m| (*m.value, m.params.iter().next().map(|(_, v)| v))));
            }
        })
    });
    group.finish();
    c.final_summary();

    let (a, b) = interleaved_lookup(&ours, &theirs, &paths);
    println!("\nroute lookup, {} paths over 130 routes (interleaved rounds, medians):", paths.len());
    println!("  facetheory  {a:8.1} ns/lookup");
    println!("  matchit     {b:8.1} ns/lookup");
    println!("  ratio facetheory/matchit = {:.2}x (goal <= 1.0x)", a / b);
}

fn interleaved_lookup(ours: &Router, theirs: &matchit::Router<usize>, paths: &[String]) -> (f64, f64) {
    let (a, b) = interleave::interleaved(
        41,
        std::time::Duration::from_millis(40),
        || {
            for p in paths {
                black_box(ours.find(black_box(p)).map(|m| (m.route(), m.capture(0))));
            }
        },
        || {
            for p in paths {
                black_box(theirs.at(black_box(p)).ok().map(|m| (*m.value, m.params.iter().next().map(|(_, v)| v))));
            }
        },
    );
    (a / paths.len() as f64, b / paths.len() as f64)
}
