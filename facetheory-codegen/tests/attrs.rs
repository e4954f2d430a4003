use facetheory_codegen::attrs::{FaceArgs, Mode, ResourceArgs};
use facetheory_codegen::face_fn::{expand, RouteAttr};
use quote::quote;

fn face_errors(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> Vec<String> {
    let out = expand(RouteAttr::Face, args, item, None);
    let mut found = Vec::new();
    collect_errors(out, &mut found);
    found
}

/// Each error becomes one `compile_error! { "…" }`; collect the messages.
fn collect_errors(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    let mut after_compile_error = false;
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Ident(i) => after_compile_error = i == "compile_error",
            proc_macro2::TokenTree::Group(g) if after_compile_error => {
                let lit: syn::LitStr = syn::parse2(g.stream()).unwrap();
                out.push(lit.value());
                after_compile_error = false;
            }
            proc_macro2::TokenTree::Group(g) => collect_errors(g.stream(), out),
            _ => {}
        }
    }
}

#[test]
fn face_args_parse() {
    let a: FaceArgs = syn::parse2(quote!(route = "/x/<id>", mode = "isr", revalidate = 60)).unwrap();
    assert_eq!(a.mode, Mode::Isr);
    assert_eq!(a.route.unwrap().value(), "/x/<id>");
    let a: FaceArgs = syn::parse2(quote!()).unwrap();
    assert_eq!(a.mode, Mode::Ssr);
    let r: ResourceArgs = syn::parse2(quote!(route = "/api", methods = ["get", "POST"])).unwrap();
    assert_eq!(r.methods, vec!["GET", "POST"]);
}

#[test]
fn all_attribute_errors_are_reported_together() {
    let errs = face_errors(
        quote!(route = "/a", mode = "fast", colour = "red", revalidate = 0, route = "/b"),
        quote!(
            fn page() -> Page {
                todo()
            }
        ),
    );
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("unknown mode \"fast\"")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("unknown key `colour`")));
    assert!(errs.iter().any(|e| e.contains("at least 1")));
    assert!(errs.iter().any(|e| e.contains("duplicate key `route`")));
}

#[test]
fn mode_rules() {
    let errs = face_errors(
        quote!(route = "/a", mode = "isr"),
        quote!(
            fn page() {}
        ),
    );
    assert!(errs[0].contains("needs `revalidate"), "{errs:?}");
    let errs = face_errors(
        quote!(route = "/a", revalidate = 5),
        quote!(
            fn page() {}
        ),
    );
    assert!(errs[0].contains("only applies to mode = \"isr\""), "{errs:?}");
    let errs = face_errors(
        quote!(route = "/a/<id>", mode = "ssg"),
        quote!(
            fn page(id: String) {}
        ),
    );
    assert!(errs[0].contains("has dynamic segments"), "{errs:?}");
    let errs = face_errors(
        quote!(route = "/a/<id>", mode = "ssg", params = list),
        quote!(
            fn page(id: String) {}
        ),
    );
    assert!(errs.is_empty(), "{errs:?}");
    let errs = face_errors(
        quote!(route = "/a", params = list),
        quote!(
            fn page() {}
        ),
    );
    assert!(errs[0].contains("not \"ssr\""), "{errs:?}");
}

#[test]
fn signature_rules_are_combined_with_attribute_errors() {
    let errs = face_errors(
        quote!(route = "/u/<id>", mode = "nope"),
        quote!(
            fn page<T>(id: u32, other: String, ctx: FaceContext) {}
        ),
    );
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("generic")));
    assert!(errs
        .iter()
        .any(|e| e.contains("argument `other` names no parameter of route `/u/<id>`; its parameters are: id")));
    assert!(errs.iter().any(|e| e.contains("by reference")));
}

#[test]
fn invalid_route_literal_gets_a_caret() {
    let errs = face_errors(
        quote!(route = "/a/<b"),
        quote!(
            fn page() {}
        ),
    );
    assert!(errs[0].contains("must end with `>`"), "{errs:?}");
    assert!(errs[0].ends_with("\n  /a/<b\n     ^^"), "{errs:?}");
}

#[test]
fn route_is_required_outside_faces_dir() {
    let errs = face_errors(
        quote!(mode = "ssr"),
        quote!(
            fn page() {}
        ),
    );
    assert!(errs[0].contains("needs `route"), "{errs:?}");
}

#[test]
fn inferred_route_from_file_and_glue() {
    let out = expand(
        RouteAttr::Face,
        quote!(),
        quote!(
            async fn post(slug: String, ctx: &FaceContext) -> Page {
                x
            }
        ),
        Some("blog/[slug].rs"),
    )
    .to_string();
    assert!(!out.contains("compile_error"), "{out}");
    assert!(out.contains("\"/blog/<slug>\""));
    assert!(out.contains("__FACETHEORY_ROUTE_post"));
    assert!(out.contains("param :: < String >"));
    assert!(out.contains(". await"));
}

#[test]
fn resource_methods_are_validated() {
    let out = expand(
        RouteAttr::Resource,
        quote!(route = "/api", methods = ["GET", "BREW", "GET"]),
        quote!(
            fn r() {}
        ),
        None,
    )
    .to_string();
    assert!(out.contains("unknown method"), "{out}");
    assert!(out.contains("listed twice"), "{out}");
}
