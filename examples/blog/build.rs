fn main() {
    facetheory_codegen::build();
}
