//! Reading `faces/` and generating the compile-time route table.
//!
//! A build script calls [`build`]; it writes `$OUT_DIR/facetheory_faces.rs`, which
//! `facetheory::include_faces!()` includes. The generated file declares one module per file under `faces/`, a
//! static table of route descriptors sorted by precedence, and `paths`, the typed path builders. Conflicting routes and bad file names become `compile_error!`s naming
//! both routes and both files with line numbers.
//!
//! `build.rs` of a site:
//!
//! ```no_run
//! facetheory_codegen::scan::build();
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::attrs::{FaceArgs, ResourceArgs};
use crate::file_route;
use crate::methods::{MethodSet, FACE};
use crate::precedence::sort_and_find_conflicts_by;
use crate::route::RoutePattern;

/// A route found while scanning.
#[derive(Clone, Debug)]
pub struct FoundRoute {
    /// Canonical route (`/blog/<slug>`).
    pub pattern: RoutePattern,
    /// The function's name.
    pub function: String,
    /// Module name generated for the file.
    pub module: String,
    /// Path of the file as shown in messages (relative to the crate when possible).
    pub display_file: String,
    /// 1-based line of the function.
    pub line: usize,
    /// The methods it answers: routes on the same paths conflict only when these overlap.
    pub methods: MethodSet,
    /// Per one-segment parameter, the type the function takes it as when that type is a number, `bool` or
    /// `char` (the typed path builder takes the same type); other parameters are built from text.
    pub param_types: Vec<(String, String)>,
}

/// The result of scanning a directory: what the generator needs and every problem found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Files (absolute path, module name), sorted by path.
    pub files: Vec<(PathBuf, String)>,
    /// Routes, sorted by precedence.
    pub routes: Vec<FoundRoute>,
    /// Human-readable problems (conflicts, bad file names).
    pub errors: Vec<String>,
    /// Directories visited (for `rerun-if-changed`).
    pub dirs: Vec<PathBuf>,
}

/// Build-script entry point: scans `$CARGO_MANIFEST_DIR/faces` and writes `$OUT_DIR/facetheory_faces.rs`.
/// Prints `cargo:rerun-if-changed` for the directory tree so adding, editing or removing a face rebuilds.
/// I/O failures print a clear message and exit with status 1 (a build script has no better channel).
pub fn build() {
    let result = (|| -> Result<(), String> {
        let manifest = std::env::var("CARGO_MANIFEST_DIR")
            .map_err(|_| "CARGO_MANIFEST_DIR is not set; call facetheory_codegen::scan::build() from build.rs")?;
        let out = std::env::var("OUT_DIR")
            .map_err(|_| "OUT_DIR is not set; call facetheory_codegen::scan::build() from build.rs")?;
        let dir = Path::new(&manifest).join("faces");
        println!("cargo:rerun-if-changed={}", dir.display());
        let scan = scan_dir(&dir, Path::new(&manifest))?;
        for d in &scan.dirs {
            println!("cargo:rerun-if-changed={}", d.display());
        }
        for (f, _) in &scan.files {
            println!("cargo:rerun-if-changed={}", f.display());
        }
        let code = generate(&scan).to_string();
        let target = Path::new(&out).join("facetheory_faces.rs");
        // Skip the write when nothing changed so dependants are not rebuilt needlessly.
        if std::fs::read_to_string(&target).ok().as_deref() != Some(code.as_str()) {
            std::fs::write(&target, code).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        }
        Ok(())
    })();
    if let Err(msg) = result {
        eprintln!("error: facetheory: {msg}");
        std::process::exit(1);
    }
}

/// Scans `dir` (a missing directory is an empty site). `display_base` shortens paths in messages.
pub fn scan_dir(dir: &Path, display_base: &Path) -> Result<Scan, String> {
    let mut scan = Scan::default();
    if !dir.exists() {
        return Ok(scan);
    }
    let mut files = Vec::new();
    walk(dir, &mut files, &mut scan.dirs)?;
    files.sort();
    let mut used_modules: Vec<String> = Vec::new();
    for path in files {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let module = unique_module_name(&rel, &mut used_modules);
        let display_file = path.strip_prefix(display_base).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let source = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        collect_routes(&source, &rel, &module, &display_file, &mut scan);
        scan.files.push((path, module));
    }
    let pairs = sort_and_find_conflicts_by(&mut scan.routes, |r| &r.pattern, |a, b| a.methods.overlaps(b.methods));
    for (a, b) in pairs {
        let (a, b) = (&scan.routes[a], &scan.routes[b]);
        scan.errors.push(conflict_message(a, b));
    }
    Ok(scan)
}

/// The message for two routes that would answer the same requests (same paths, a method in common).
pub fn conflict_message(a: &FoundRoute, b: &FoundRoute) -> String {
    let shared: Vec<&str> = a.methods.names().into_iter().filter(|m| b.methods.contains_name(m)).collect();
    format!(
        "route conflict: `{}` ({}:{}, fn {}) and `{}` ({}:{}, fn {}) match exactly the same paths and both answer {}; make one of them more specific, give them different methods, or remove one",
        a.pattern, a.display_file, a.line, a.function, b.pattern, b.display_file, b.line, b.function, shared.join(", ")
    )
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, dirs: &mut Vec<PathBuf>) -> Result<(), String> {
    dirs.push(dir.to_path_buf());
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read directory {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read directory {}: {e}", dir.display()))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files, dirs)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

fn unique_module_name(rel: &str, used: &mut Vec<String>) -> String {
    let stem = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let mut name = name.trim_matches('_').to_string();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "face_");
    }
    let base = name.clone();
    let mut n = 2;
    while used.contains(&name) || is_reserved(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

fn is_reserved(name: &str) -> bool {
    crate::route::is_keyword(name)
}

/// Finds `#[face]` / `#[resource]` functions in one file. Files that do not parse, and attributes that do not
/// parse, are skipped here: the compiler and the attribute macro report those with precise spans.
fn collect_routes(source: &str, rel: &str, module: &str, display_file: &str, scan: &mut Scan) {
    // Line numbers come from the tokens' spans (proc-macro2 `span-locations`). Inside a proc macro (`faces!`)
    // proc-macro2 would hand the text to the compiler, whose tokens parsed from a string all carry the call
    // site; its own parser knows every token's line. Only owned data leaves the forced section.
    proc_macro2::fallback::force();
    collect_routes_in(source, rel, module, display_file, scan);
    proc_macro2::fallback::unforce();
}

fn collect_routes_in(source: &str, rel: &str, module: &str, display_file: &str, scan: &mut Scan) {
    let Ok(file) = syn::parse_file(source) else {
        return;
    };
    let mut inferred_error_reported = false;
    for item in file.items {
        let syn::Item::Fn(func) = item else { continue };
        for attr in &func.attrs {
            let Some(last) = attr.path().segments.last() else {
                continue;
            };
            let is_face = last.ident == "face";
            if !is_face && last.ident != "resource" {
                continue;
            }
            let tokens = match &attr.meta {
                syn::Meta::List(l) => l.tokens.clone(),
                syn::Meta::Path(_) => TokenStream::new(),
                syn::Meta::NameValue(_) => continue,
            };
            let (literal, methods) = if is_face {
                match syn::parse2::<FaceArgs>(tokens) {
                    Ok(a) => (a.route, FACE),
                    Err(_) => continue,
                }
            } else {
                match syn::parse2::<ResourceArgs>(tokens) {
                    Ok(a) => {
                        let names: Vec<&str> = a.methods.iter().map(String::as_str).collect();
                        (a.route, MethodSet::resource(&names))
                    }
                    Err(_) => continue,
                }
            };
            let function = func.sig.ident.to_string();
            let param_types = display_param_types(&func.sig);
            let line = func.sig.ident.span().start().line.max(1);
            let pattern = match literal {
                Some(lit) => match RoutePattern::parse(&lit.value()) {
                    Ok(p) => p,
                    Err(_) => continue, // reported by the macro, at the literal
                },
                None => match file_route::route_for_file(rel) {
                    Ok(p) => p,
                    Err(msg) => {
                        if !inferred_error_reported {
                            scan.errors.push(format!("{display_file}: {msg}"));
                            inferred_error_reported = true;
                        }
                        continue;
                    }
                },
            };
            scan.routes.push(FoundRoute {
                pattern,
                function,
                module: module.to_string(),
                display_file: display_file.to_string(),
                line,
                methods,
                param_types,
            });
        }
    }
}

/// The arguments whose type is a primitive the path builder can take as is (`id: u64` → `paths::user(7)`).
fn display_param_types(sig: &syn::Signature) -> Vec<(String, String)> {
    const PRIMITIVES: &[&str] =
        &["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "bool", "char"];
    sig.inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => match (&*t.pat, &*t.ty) {
                (syn::Pat::Ident(p), syn::Type::Path(ty)) if ty.qself.is_none() && ty.path.segments.len() == 1 => {
                    let name = ty.path.segments[0].ident.to_string();
                    PRIMITIVES.contains(&name.as_str()).then(|| (p.ident.to_string(), name))
                }
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// `faces::paths`: one function per route that builds its path from typed arguments, each segment
/// percent-encoded, so a link to a renamed or removed route does not compile. Named after the route's
/// function (prefixed by its module when two functions share a name).
fn path_builders(routes: &[FoundRoute]) -> TokenStream {
    use crate::route::Segment;
    let mut fns = Vec::new();
    // Locals are `__`-prefixed: a route parameter may be called `path` or `segment`.
    for r in routes {
        let shared_name = routes.iter().filter(|o| o.function == r.function).count() > 1;
        let name = if shared_name { format!("{}_{}", r.module, r.function) } else { r.function.clone() };
        let ident = format_ident!("{}", name);
        let mut args = Vec::new();
        let mut pushes = Vec::new();
        // The static text, and room for a short value per parameter: one allocation for most paths.
        let mut capacity = 1;
        for segment in r.pattern.segments() {
            capacity += match segment {
                Segment::Static(text) => text.len() + 1,
                _ => 24,
            };
            match segment {
                Segment::Static(text) => pushes.push(quote! { __path.push('/'); __path.push_str(#text); }),
                Segment::Param(p) => {
                    let arg = format_ident!("{}", p);
                    match r.param_types.iter().find(|(n, _)| n == p) {
                        Some((_, ty)) => {
                            // Written straight into the path: digits, `-`, `true`/`false` need no encoding; a
                            // `char` is encoded like text.
                            let push = if ty == "char" {
                                quote! {
                                    ::facetheory::params::encode_uri_component_into(
                                        &mut __path, #arg.encode_utf8(&mut [0u8; 4]));
                                }
                            } else {
                                quote! {
                                    let _ = ::std::fmt::Write::write_fmt(&mut __path, ::std::format_args!("{}", #arg));
                                }
                            };
                            let ty = format_ident!("{}", ty);
                            args.push(quote!(#arg: #ty));
                            pushes.push(quote! { __path.push('/'); #push });
                        }
                        None => {
                            args.push(quote!(#arg: &str));
                            // Text is encoded straight into the path, without a copy of its own.
                            pushes.push(quote! {
                                __path.push('/');
                                ::facetheory::params::encode_uri_component_into(&mut __path, #arg);
                            });
                        }
                    }
                }
                // A `<rest+>` needs at least one segment; with none the path is its parent's.
                Segment::CatchAll { name, .. } => {
                    let arg = format_ident!("{}", name);
                    args.push(quote!(#arg: &[&str]));
                    pushes.push(quote! {
                        for __segment in #arg {
                            __path.push('/');
                            ::facetheory::params::encode_uri_component_into(&mut __path, __segment);
                        }
                    });
                }
            }
        }
        let doc = format!("`{}` ({}:{}, fn {}).", r.pattern, r.display_file, r.line, r.function);
        if args.is_empty() {
            // A static route: its path is known now.
            let mut path: String = r
                .pattern
                .segments()
                .iter()
                .filter_map(|s| match s {
                    Segment::Static(text) => Some(format!("/{text}")),
                    _ => None,
                })
                .collect();
            if path.is_empty() {
                path.push('/');
            }
            // Known when the site compiles: a `&'static str`, so a link to a static page costs nothing.
            fns.push(quote! {
                #[doc = #doc]
                #[allow(clippy::all)]
                pub const fn #ident() -> &'static str {
                    #path
                }
            });
            continue;
        }
        fns.push(quote! {
            #[doc = #doc]
            #[allow(clippy::all)]
            pub fn #ident(#(#args),*) -> ::std::string::String {
                let mut __path = ::std::string::String::with_capacity(#capacity);
                #(#pushes)*
                if __path.is_empty() {
                    __path.push('/');
                }
                __path
            }
        });
    }
    quote! {
        /// Typed path builders, one per route: `faces::paths::post("hello")` → `/blog/hello`.
        pub mod paths {
            #(#fns)*
        }
    }
}

/// Generates the module declarations and the precedence-sorted route table.
pub fn generate(scan: &Scan) -> TokenStream {
    let mods = scan.files.iter().map(|(path, module)| {
        let ident = format_ident!("{}", module);
        let path = path.to_string_lossy().to_string();
        quote! {
            #[path = #path]
            pub mod #ident;
        }
    });
    let entries = scan.routes.iter().map(|r| {
        let m = format_ident!("{}", r.module);
        let s = format_ident!("__FACETHEORY_ROUTE_{}", r.function);
        quote!(&#m::#s)
    });
    let errors = scan.errors.iter().map(|e| quote!(::core::compile_error!(#e);));
    let paths = path_builders(&scan.routes);
    // A text block, so rustdoc reads `faces/blog/[slug].rs` as a file name, not a link.
    let mut listing = String::from("Routes in precedence order:\n\n```text\n");
    for r in &scan.routes {
        let _ = writeln!(listing, "{}  ({}:{})", r.pattern, r.display_file, r.line);
    }
    listing.push_str("```\n");
    quote! {
        #(#errors)*
        /// Modules generated from the files under `faces/` (one per file).
        #[allow(clippy::all, dead_code)]
        pub mod faces {
            #(#mods)*

            #[doc = #listing]
            pub static ROUTES: &[&::facetheory::__private::RouteDescriptor] = &[#(#entries),*];

            #paths
        }
    }
}

/// Everything a function-like macro needs: scan `dir` and generate (errors become `compile_error!`s).
pub fn expand_dir(dir: &Path, display_base: &Path) -> Result<TokenStream, String> {
    Ok(generate(&scan_dir(dir, display_base)?))
}
