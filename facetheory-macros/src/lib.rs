//! Procedural macros for facetheory. This crate is a shim: parsing, validation and code generation live in
//! `facetheory-codegen`, which is unit-tested as a plain library. Use the macros through `facetheory`.

use proc_macro::TokenStream;
use std::path::PathBuf;

use facetheory_codegen::face_fn::{expand, RouteAttr};
use facetheory_codegen::file_route::relative_to_faces_dir;

/// The path of the file being expanded below its `faces/` directory, if it lives in one.
fn faces_relative() -> Option<String> {
    let file: PathBuf = proc_macro::Span::call_site().local_file()?;
    relative_to_faces_dir(&file.to_string_lossy())
}

/// Declares a page. See `facetheory::face` for the full documentation.
#[proc_macro_attribute]
pub fn face(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(RouteAttr::Face, args.into(), item.into(), faces_relative().as_deref()).into()
}

/// Declares a resource route (raw JSON / text / empty responses). See `facetheory::resource`.
#[proc_macro_attribute]
pub fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(RouteAttr::Resource, args.into(), item.into(), faces_relative().as_deref()).into()
}

/// The site's entry point. See `facetheory::main`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    facetheory_codegen::main_fn::expand_main(args.into(), item.into()).into()
}

/// The descriptors of the named route functions. See `facetheory::routes`.
#[proc_macro]
pub fn routes(input: TokenStream) -> TokenStream {
    facetheory_codegen::main_fn::expand_routes(input.into()).into()
}

/// Scans a faces directory given relative to the calling file and expands to its route table
/// (`pub mod faces { …; pub static ROUTES: … }`), exactly as the build script would.
#[proc_macro]
pub fn faces(input: TokenStream) -> TokenStream {
    let lit = match syn::parse::<syn::LitStr>(input) {
        Ok(l) => l,
        Err(e) => return e.to_compile_error().into(),
    };
    let Some(file) = proc_macro::Span::call_site().local_file() else {
        return syn::Error::new(
            lit.span(),
            "faces!(...) needs the calling file's path, which this compiler does not provide",
        )
        .to_compile_error()
        .into();
    };
    let base = file.parent().map(PathBuf::from).unwrap_or_default();
    let dir = base.join(lit.value());
    if !dir.is_dir() {
        let msg = format!("faces directory `{}` does not exist", dir.display());
        return syn::Error::new(lit.span(), msg).to_compile_error().into();
    }
    // Absolute: the generated `#[path]`s then hold wherever the call sits (a crate root or a nested module).
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    match facetheory_codegen::scan::expand_dir(&dir, &base) {
        Ok(tokens) => tokens.into(),
        Err(msg) => syn::Error::new(lit.span(), msg).to_compile_error().into(),
    }
}

/// Head tags checked and rendered at compile time. See `facetheory::head!`.
#[proc_macro]
pub fn head(input: TokenStream) -> TokenStream {
    facetheory_codegen::head_macro::expand_head(input.into()).into()
}
