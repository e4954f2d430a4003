//! The getting-started guide shows files of `examples/hello` word for word, so every Rust block in it compiles
//! and is tested (`cargo test -p hello`). A block without a `<!-- file: … -->` marker, or one that drifted from
//! its file, fails here.

#[test]
fn getting_started_blocks_are_the_hello_example_files() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let doc = std::fs::read_to_string(format!("{root}/docs/getting-started.md")).unwrap();
    let lines: Vec<&str> = doc.lines().collect();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        if *line != "```rust" {
            continue;
        }
        let marker = i.checked_sub(1).map(|p| lines[p]).unwrap_or("");
        let file = marker
            .strip_prefix("<!-- file: ")
            .and_then(|m| m.strip_suffix(" -->"))
            .unwrap_or_else(|| panic!("line {}: a rust block needs a `<!-- file: … -->` marker", i + 1));
        let end = lines[i + 1..].iter().position(|l| *l == "```").expect("closed block") + i + 1;
        let block = lines[i + 1..end].join("\n") + "\n";
        let actual = std::fs::read_to_string(format!("{root}/{file}")).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(block, actual, "docs/getting-started.md line {} differs from {file}", i + 1);
        checked += 1;
    }
    assert!(checked >= 5, "{checked} blocks");
}
