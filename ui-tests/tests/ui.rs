//! Compile-fail cases: one per rule, each a `.rs` + `.stderr` pair (snapshots follow the installed compiler;
//! refresh with `TRYBUILD=overwrite cargo test -p facetheory-ui-tests`). Pass cases compile and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*.rs");
    t.pass("tests/pass/*.rs");
}
