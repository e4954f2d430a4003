use facetheory_codegen::scan::{generate, scan_dir};
use std::path::Path;

fn site(files: &[(&str, &str)]) -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    for (rel, body) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    pub(crate) struct Dir(PathBuf);
    impl Dir {
        pub(crate) fn new() -> Self {
            let p = std::env::temp_dir().join(format!(
                "facetheory-scan-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(p.join("faces")).unwrap();
            Dir(p)
        }
        pub(crate) fn path(&self) -> PathBuf {
            self.0.join("faces")
        }
        pub(crate) fn base(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn scans_routes_sorted_by_precedence() {
    let dir = site(&[
        ("index.rs", "#[face]\npub fn home() -> Page { todo() }\n"),
        ("blog/[slug].rs", "use x;\n\n#[face]\npub async fn post(slug: String) -> Page { todo() }\n#[face(route = \"/blog/new\")]\nfn new_post() {}\n"),
        ("[[...rest]].rs", "#[facetheory::face]\nfn any() {}\n"),
        ("_helpers.rs", "pub fn helper() {}\n"),
        ("api/posts.rs", "#[resource(methods = [\"GET\"])]\nfn posts() {}\n"),
    ]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    let table: Vec<String> =
        scan.routes.iter().map(|r| format!("{} {}:{}", r.pattern, r.display_file, r.line)).collect();
    assert_eq!(
        table,
        [
            "/api/posts faces/api/posts.rs:2",
            "/blog/new faces/blog/[slug].rs:6",
            "/blog/<slug> faces/blog/[slug].rs:4",
            "/ faces/index.rs:2",
            "/<rest*> faces/[[...rest]].rs:2",
        ]
    );
    assert_eq!(scan.files.len(), 5);
    let code = generate(&scan).to_string();
    assert!(code.contains("pub mod blog_slug"), "{code}");
    assert!(code.contains("pub mod helpers"));
    assert!(code.contains("& blog_slug :: __FACETHEORY_ROUTE_new_post"));
}

#[test]
fn conflicts_name_both_routes_files_and_lines() {
    let dir = site(&[
        ("users/[id].rs", "\n#[face]\nfn by_id() {}\n"),
        ("other.rs", "#[face(route = \"/users/<slug>\")]\nfn by_slug() {}\n"),
    ]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    assert_eq!(scan.errors.len(), 1);
    let msg = &scan.errors[0];
    assert!(msg.contains("`/users/<id>` (faces/users/[id].rs:3, fn by_id)"), "{msg}");
    assert!(msg.contains("`/users/<slug>` (faces/other.rs:2, fn by_slug)"), "{msg}");
    assert!(generate(&scan).to_string().contains("compile_error"));
}

#[test]
fn bad_file_names_are_reported_once_per_file() {
    let dir = site(&[("blog/[my-slug].rs", "#[face]\nfn a() {}\n#[face]\nfn b() {}\n")]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors);
    assert!(scan.errors[0].contains("faces/blog/[my-slug].rs"));
    assert!(scan.errors[0].contains("not a Rust identifier"));
}

#[test]
fn missing_dir_is_an_empty_site_and_unparsable_files_are_left_to_the_compiler() {
    let scan = scan_dir(Path::new("/definitely/not/here"), Path::new("/")).unwrap();
    assert!(scan.routes.is_empty() && scan.errors.is_empty());
    let dir = site(&[("broken.rs", "fn (((\n"), ("bad_route.rs", "#[face(route = \"nope\")]\nfn a() {}\n")]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    assert!(scan.routes.is_empty() && scan.errors.is_empty());
    assert_eq!(scan.files.len(), 2);
}

#[test]
fn every_directory_and_file_is_watched_for_rebuilds() {
    // Cargo re-runs the build script when a watched directory's entries or a watched file change, so adding,
    // removing or editing a face anywhere below faces/ regenerates the table.
    let dir = site(&[("a.rs", ""), ("deep/er/b.rs", ""), ("deep/c.rs", "")]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    let rel = |p: &Path| p.strip_prefix(dir.base()).unwrap().to_string_lossy().replace('\\', "/");
    let mut dirs: Vec<String> = scan.dirs.iter().map(|d| rel(d)).collect();
    dirs.sort();
    assert_eq!(dirs, ["faces", "faces/deep", "faces/deep/er"]);
    let files: Vec<String> = scan.files.iter().map(|(f, _)| rel(f)).collect();
    assert_eq!(files, ["faces/a.rs", "faces/deep/c.rs", "faces/deep/er/b.rs"]);
}

#[test]
fn a_page_and_its_form_post_share_a_url_but_two_handlers_for_one_method_conflict() {
    let dir = site(&[
        ("blog/[slug].rs", "#[face]\nfn post() {}\n#[resource(methods = [\"POST\"])]\nfn comment() {}\n"),
        ("other.rs", "#[resource(route = \"/blog/<id>\", methods = [\"DELETE\"])]\nfn delete() {}\n"),
    ]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert_eq!(scan.routes.len(), 3);

    let dir = site(&[
        ("blog/[slug].rs", "#[face]\nfn post() {}\n#[resource(methods = [\"post\"])]\nfn comment() {}\n"),
        ("other.rs", "#[resource(route = \"/blog/<id>\", methods = [\"PUT\", \"POST\"])]\nfn save() {}\n"),
        ("feed.rs", "#[resource(route = \"/blog/<x>\", methods = [\"GET\"])]\nfn feed() {}\n"),
    ]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    assert_eq!(scan.errors.len(), 2, "{:?}", scan.errors);
    let all = scan.errors.join("\n");
    assert!(all.contains("fn comment") && all.contains("fn save") && all.contains("both answer POST"), "{all}");
    assert!(all.contains("fn post") && all.contains("fn feed") && all.contains("both answer GET, HEAD"), "{all}");
}

#[test]
fn path_builders_take_the_faces_parameter_types() {
    let dir = site(&[
        ("users/[id].rs", "#[face]\nfn user(id: u64) {}\n"),
        ("docs/[[...rest]].rs", "#[face]\nfn docs(rest: Vec<String>) {}\n"),
        ("a.rs", "#[face(route = \"/a/<x>\")]\nfn same() {}\n"),
        ("b.rs", "#[resource(route = \"/b\")]\nfn same() {}\n"),
    ]);
    let scan = scan_dir(&dir.path(), dir.base()).unwrap();
    let code = generate(&scan).to_string();
    assert!(code.contains("pub mod paths"), "{code}");
    assert!(code.contains("pub fn user (id : u64)"), "a typed parameter keeps its type: {code}");
    assert!(code.contains("pub fn docs (rest : & [& str])"), "{code}");
    assert!(
        code.contains("pub fn a_same (x : & str)") && code.contains("pub const fn b_same () -> & 'static str"),
        "{code}"
    );
}
