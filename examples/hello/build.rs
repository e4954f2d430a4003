fn main() {
    facetheory_codegen::scan::build();
}
