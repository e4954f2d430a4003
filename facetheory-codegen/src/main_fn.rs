//! Expansion of `#[facetheory::main]` and `routes![…]`.
//!
//! `#[facetheory::main]` turns a (possibly `async`) function returning an `AppBuilder` — or returning nothing,
//! for the default app — into a synchronous `fn main` that starts the runtime and runs the site: the Lambda
//! handler on AWS, the CLI elsewhere. The crate root for messages comes from `CARGO_MANIFEST_DIR` at the call
//! site, so users pass nothing.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// Expands `#[facetheory::main]` on `item`. Errors become `compile_error!`s.
pub fn expand_main(args: TokenStream, item: TokenStream) -> TokenStream {
    match main_fn(args, item) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn main_fn(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !args.is_empty() {
        return Err(syn::Error::new(args.span(), "#[facetheory::main] takes no arguments"));
    }
    let func: syn::ItemFn = syn::parse2(item)?;
    let sig = &func.sig;
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    if sig.ident != "main" {
        push(syn::Error::new(sig.ident.span(), "#[facetheory::main] goes on `fn main`"));
    }
    if !sig.inputs.is_empty() {
        push(syn::Error::new(sig.inputs.span(), "`main` takes no arguments"));
    }
    if !sig.generics.params.is_empty() {
        push(syn::Error::new(sig.generics.span(), "`main` cannot be generic"));
    }
    if let Some(e) = errors {
        return Err(e);
    }
    let body = &func.block;
    let attrs = &func.attrs;
    let inner = format_ident!("__facetheory_main");
    let (ret, value) = match &sig.output {
        syn::ReturnType::Default => (quote!(()), quote!(::facetheory::App::builder())),
        syn::ReturnType::Type(_, ty) => (quote!(#ty), quote_spanned!(ty.span()=> builder)),
    };
    let asyncness = &sig.asyncness;
    let call = if asyncness.is_some() { quote!(#inner().await) } else { quote!(#inner()) };
    Ok(quote! {
        #(#attrs)*
        fn main() -> ::std::process::ExitCode {
            #asyncness fn #inner() -> #ret #body
            let site = ::core::concat!(::core::env!("CARGO_PKG_NAME"), " ", ::core::env!("CARGO_PKG_VERSION"));
            ::facetheory::__private::main_with(::core::env!("CARGO_MANIFEST_DIR"), site, async {
                #[allow(clippy::let_unit_value, unused_variables)]
                let builder = #call;
                let builder: ::facetheory::AppBuilder = #value;
                builder
            })
        }
    })
}

/// Expands `routes![a, blog::post]` to the descriptors of those `#[face]` / `#[resource]` functions:
/// `&[&a_descriptor, &blog::post_descriptor]`, for `AppBuilder::routes`.
pub fn expand_routes(input: TokenStream) -> TokenStream {
    use syn::parse::Parser;
    let paths = match syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated.parse2(input) {
        Ok(p) => p,
        Err(e) => return e.to_compile_error(),
    };
    let refs = paths.iter().map(|path| {
        let mut path = path.clone();
        if let Some(last) = path.segments.last_mut() {
            last.ident = format_ident!("__FACETHEORY_ROUTE_{}", last.ident, span = last.ident.span());
        }
        quote!(&#path)
    });
    quote!(&[#(#refs),*] as &[&'static ::facetheory::RouteDescriptor])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_wraps_the_builder_function() {
        let out = expand_main(
            TokenStream::new(),
            quote!(
                async fn main() -> AppBuilder {
                    App::builder()
                }
            ),
        );
        let text = out.to_string();
        assert!(text.contains("fn main () -> :: std :: process :: ExitCode"), "{text}");
        assert!(text.contains("__facetheory_main () . await"), "{text}");
        let out = expand_main(
            TokenStream::new(),
            quote!(
                fn start(x: u8) {}
            ),
        )
        .to_string();
        assert!(out.contains("goes on `fn main`") && out.contains("takes no arguments"), "{out}");
    }

    #[test]
    fn routes_names_the_descriptors() {
        let out = expand_routes(quote!(home, blog::post,)).to_string();
        assert!(out.contains("& __FACETHEORY_ROUTE_home"), "{out}");
        assert!(out.contains("& blog :: __FACETHEORY_ROUTE_post"), "{out}");
    }
}
