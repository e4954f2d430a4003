//! Expansion of `#[face]` and `#[resource]`: signature analysis and the glue that turns a user function into a
//! route descriptor. The proc-macro crate only forwards tokens here.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::ItemFn;

use crate::attrs::{check_face_rules, resolve_route, Errors, FaceArgs, Mode, ResourceArgs, RouteSource};
use crate::route::{ParamKind, RoutePattern};
use crate::signature::{analyse_signature, Binding};

/// Which attribute is being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteAttr {
    Face,
    Resource,
}

/// Expands an attribute. `faces_relative` is the file's path below `faces/` when the file lives there (used
/// to infer a route when the attribute has none). Never fails: errors become `compile_error!`s next to the
/// untouched function so unrelated diagnostics stay accurate.
pub fn expand(attr: RouteAttr, args: TokenStream, item: TokenStream, faces_relative: Option<&str>) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(Span::call_site(), format!("#[{}] applies to a function", attr_name(attr)));
            let err = err.to_compile_error();
            return quote!(#err #item);
        }
    };
    match expand_fn(attr, args, &func, faces_relative) {
        Ok(tokens) => tokens,
        Err(err) => {
            let err = err.to_compile_error();
            quote!(#func #err)
        }
    }
}

fn attr_name(attr: RouteAttr) -> &'static str {
    match attr {
        RouteAttr::Face => "face",
        RouteAttr::Resource => "resource",
    }
}

fn expand_fn(
    attr: RouteAttr,
    args: TokenStream,
    func: &ItemFn,
    faces_relative: Option<&str>,
) -> syn::Result<TokenStream> {
    check(attr, args, func, faces_relative).map(|checked| generate(&checked))
}

/// The attribute's arguments, by kind.
enum Args {
    Face(FaceArgs),
    Resource(ResourceArgs),
}

/// A route function after parsing and checking: every error has been reported (together, with spans), and
/// what remains is what generation needs.
struct Checked<'f> {
    func: &'f ItemFn,
    route: RoutePattern,
    args: Args,
    bindings: Vec<Binding>,
}

/// Parse → check: the attribute, the route (from the literal or the file name), the mode rules and the
/// signature. All problems are collected and returned as one combined error.
fn check<'f>(
    attr: RouteAttr,
    args: TokenStream,
    func: &'f ItemFn,
    faces_relative: Option<&str>,
) -> syn::Result<Checked<'f>> {
    let mut errors = Errors::default();
    use syn::parse::Parser;
    let args = match attr {
        RouteAttr::Face => {
            Args::Face((|input: syn::parse::ParseStream| FaceArgs::parse_collecting(input, &mut errors)).parse2(args)?)
        }
        RouteAttr::Resource => Args::Resource(
            (|input: syn::parse::ParseStream| ResourceArgs::parse_collecting(input, &mut errors)).parse2(args)?,
        ),
    };
    let route_lit = match &args {
        Args::Face(a) => a.route.clone(),
        Args::Resource(a) => a.route.clone(),
    };
    let route_span = route_lit.as_ref().map_or(Span::call_site(), |l| l.span());
    let route = match (&route_lit, faces_relative) {
        (Some(lit), _) => resolve_route(RouteSource::Literal(lit)),
        (None, Some(rel)) => resolve_route(RouteSource::File(rel)),
        (None, None) => Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[{}] needs `route = \"/path\"` (only files under `faces/` infer their route from the file name)",
                attr_name(attr)
            ),
        )),
    };
    let route = match route {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push_error(e);
            None
        }
    };
    if let (Args::Face(a), Some(r)) = (&args, &route) {
        check_face_rules(a, r, route_span, &mut errors);
    }
    let bindings = analyse_signature(func, route.as_ref(), &mut errors);
    let route = errors.finish(route)?.expect("route is Some when no error was recorded");
    Ok(Checked { func, route, args, bindings })
}

/// Generate: the unchanged function, its typed params struct (SSG/ISR), the glue and the descriptor.
fn generate(checked: &Checked<'_>) -> TokenStream {
    let Checked { func, route, args, bindings } = checked;
    let name = &func.sig.ident;
    let glue_ident = format_ident!("__facetheory_glue_{}", name);
    let static_ident = format_ident!("__FACETHEORY_ROUTE_{}", name);
    let pattern = route.to_string();
    let name_str = name.to_string();

    let extracts = bindings.iter().enumerate().filter_map(|(i, b)| match b {
        Binding::Context => None,
        Binding::State { inner, .. } => {
            let arg = format_ident!("__arg{}", i);
            Some(quote_spanned! {inner.span()=>
                let #arg: &::facetheory::State<#inner> = ::facetheory::__private::state::<#inner>(&__ctx)?;
            })
        }
        Binding::Extract { ty, .. } => {
            // Bound to a fresh name and passed on: the user's pattern (`Form(c)`) stays in the signature.
            let arg = format_ident!("__arg{}", i);
            Some(quote_spanned! {ty.span()=>
                let #arg: #ty = ::facetheory::__private::extract::<#ty>(&__ctx).await?;
            })
        }
        Binding::Param { ident, ty, kind } => {
            let pname = ident.to_string();
            let getter = match kind {
                ParamKind::Single => quote!(param),
                ParamKind::Segments(_) => quote!(segments),
            };
            let arg = format_ident!("__arg{}", i);
            Some(quote_spanned! {ty.span()=>
                let #arg: #ty = ::facetheory::__private::#getter::<#ty>(&__ctx, #pname)?;
            })
        }
    });
    // Every argument is bound to `__argN`: a user's name (`posts: &State<Posts>` in `fn posts`) could shadow
    // the function being called.
    let call_args = bindings.iter().enumerate().map(|(i, b)| match b {
        Binding::Context => quote!(&__ctx),
        Binding::Param { .. } | Binding::State { .. } | Binding::Extract { .. } => {
            let arg = format_ident!("__arg{}", i);
            quote!(#arg)
        }
    });
    let call = if func.sig.asyncness.is_some() {
        quote!(#name(#(#call_args),*).await)
    } else {
        quote!(#name(#(#call_args),*))
    };
    let line = quote_spanned!(name.span()=> ::core::line!());
    let typed_params = match args {
        Args::Face(a) if a.mode != Mode::Ssr && !route.is_static() => typed_params_struct(name, route, &pattern),
        _ => TokenStream::new(),
    };

    let (output_ty, into_trait, kind) = match args {
        Args::Face(a) => {
            let params = match &a.params {
                Some(path) => quote!(::core::option::Option::Some(|| {
                    ::std::boxed::Box::pin(async {
                        ::facetheory::__private::IntoStaticParams::into_static_params(#path().await)
                    })
                })),
                None => quote!(::core::option::Option::None),
            };
            let tags = &a.tags;
            let mode = match (a.mode, a.revalidate) {
                (Mode::Ssr, _) => quote!(::facetheory::__private::FaceMode::Ssr),
                (Mode::Ssg, _) => quote!(::facetheory::__private::FaceMode::Ssg { params: #params }),
                // `check_face_rules` guarantees `revalidate` (≥ 1) for ISR.
                (Mode::Isr, revalidate) => {
                    let n = revalidate.map_or(1, |(n, _)| n);
                    let query = &a.query;
                    quote!(::facetheory::__private::FaceMode::Isr {
                        revalidate: ::core::num::NonZeroU64::new(#n).unwrap(),
                        tags: &[#(#tags),*],
                        query: &[#(#query),*],
                        params: #params,
                    })
                }
            };
            // The not-found page is the `/404` route (`faces/404.rs`), as in Next.js.
            let not_found = pattern == "/404";
            (
                quote!(::facetheory::__private::ErasedPage),
                quote!(IntoFaceResult::into_face_result),
                quote!(::facetheory::__private::RouteKind::Face(::facetheory::__private::FaceRoute {
                    render: #glue_ident,
                    mode: #mode,
                    not_found: #not_found,
                })),
            )
        }
        Args::Resource(a) => {
            let methods = &a.methods;
            (
                quote!(::facetheory::ResourceResponse),
                quote!(IntoResourceResult::into_resource_result),
                quote!(::facetheory::__private::RouteKind::Resource(::facetheory::__private::ResourceRoute {
                    handler: #glue_ident,
                    methods: &[#(#methods),*],
                })),
            )
        }
    };
    let param_names: Vec<&str> = route.params().map(|(n, _)| n).collect();
    let state_types = bindings.iter().filter_map(|b| match b {
        Binding::State { inner, .. } => Some(quote! {
            ::facetheory::__private::StateRequirement {
                type_id: ::core::any::TypeId::of::<#inner>,
                type_name: ::core::any::type_name::<#inner>,
            }
        }),
        _ => None,
    });

    let ret_span = match &func.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => name.span(),
    };
    let convert = quote_spanned!(ret_span=> ::facetheory::__private::#into_trait(#call));
    quote! {
        #func

        #typed_params

        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #glue_ident(
            __ctx: ::facetheory::FaceContext,
        ) -> ::facetheory::__private::BoxFuture<::facetheory::Result<#output_ty>> {
            ::std::boxed::Box::pin(async move {
                #(#extracts)*
                #convert
            })
        }

        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        pub static #static_ident: ::facetheory::__private::RouteDescriptor = ::facetheory::__private::RouteDescriptor {
            pattern: #pattern,
            params: &[#(#param_names),*],
            name: #name_str,
            module: ::core::module_path!(),
            file: ::core::file!(),
            line: #line,
            kind: #kind,
            state: &[#(#state_types),*],
        };

        ::facetheory::__private::inventory::submit! {
            ::facetheory::__private::Registered(&#static_ident)
        }
    }
}

/// The name of the typed parameters struct of a face: `post` → `PostParams`.
pub fn params_struct_name(function: &str) -> String {
    let mut out = String::new();
    for part in function.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out + "Params"
}

/// `pub struct <Name>Params { pub slug: String, pub rest: Vec<String> }` with a conversion to `StaticParams`:
/// enumerators return it, so a missing or misspelled parameter does not compile.
fn typed_params_struct(name: &syn::Ident, route: &crate::route::RoutePattern, pattern: &str) -> TokenStream {
    let ident = format_ident!("{}", params_struct_name(&name.to_string()), span = name.span());
    let doc = format!("One page of `{pattern}` to pre-render (what `{name}`'s `params` enumerator returns).");
    let mut fields = Vec::new();
    let mut sets = Vec::new();
    for (pname, kind) in route.params() {
        let field = format_ident!("{}", pname);
        match kind {
            crate::route::ParamKind::Single => {
                fields.push(quote!(pub #field: ::std::string::String));
                sets.push(quote!(.param(#pname, p.#field)));
            }
            crate::route::ParamKind::Segments(_) => {
                fields.push(quote!(pub #field: ::std::vec::Vec<::std::string::String>));
                sets.push(quote!(.segments(#pname, p.#field)));
            }
        }
    }
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct #ident { #(#fields),* }

        impl ::core::convert::From<#ident> for ::facetheory::StaticParams {
            fn from(p: #ident) -> Self {
                ::facetheory::StaticParams::new() #(#sets)*
            }
        }
    }
}
