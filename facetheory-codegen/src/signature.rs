//! Signature analysis of a route function: which argument is the context, app state, a route parameter or an
//! extractor, and the errors for arguments that cannot be any of them.

use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, ItemFn, Pat, Type};

use crate::attrs::Errors;
use crate::route::{ParamKind, RoutePattern};

/// One argument of the user function and how the glue fills it.
pub(crate) enum Binding {
    Context,
    Param {
        ident: syn::Ident,
        ty: Box<Type>,
        kind: ParamKind,
    },
    /// `name: &State<T>`: the app's value of type `T`.
    State {
        inner: Box<Type>,
    },
    /// Any other argument: built by its type's `FromRequest` (a form, JSON body, query struct, the app's own).
    Extract {
        ty: Box<Type>,
    },
}

fn is_context_type(ty: &Type) -> Option<bool> {
    // Some(true): `&FaceContext`; Some(false): `FaceContext` by value (an error); None: something else.
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "FaceContext") => Some(true),
            _ => None,
        },
        Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "FaceContext") => Some(false),
        _ => None,
    }
}

/// True for the types route parameters are usually parsed into (text, numbers, segment lists): an argument of
/// such a type that names no parameter is a misspelt parameter, not an extractor.
fn is_param_like(ty: &Type) -> bool {
    const PARAM_TYPES: &[&str] = &[
        "String", "str", "Cow", "Vec", "PathBuf", "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8",
        "i16", "i32", "i64", "i128", "isize", "f32", "f64",
    ];
    match ty {
        Type::Reference(r) => is_param_like(&r.elem),
        Type::Path(p) => p.path.segments.last().is_some_and(|s| PARAM_TYPES.contains(&s.ident.to_string().as_str())),
        _ => false,
    }
}

/// `&State<T>` → `Some(Ok(T))`; `State<T>` by value, `&mut State<T>` or a `State` without one type argument →
/// `Some(Err(()))`; anything else → `None`.
fn state_type(ty: &Type) -> Option<Result<Box<Type>, ()>> {
    // Some(Some(T)) for `State<T>`, Some(None) for a malformed `State`, None for another type.
    let inner_of = |p: &syn::TypePath| -> Option<Option<Box<Type>>> {
        let last = p.path.segments.last().filter(|s| s.ident == "State")?;
        Some(match &last.arguments {
            syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
                Some(syn::GenericArgument::Type(t)) => Some(Box::new(t.clone())),
                _ => None,
            },
            _ => None,
        })
    };
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) => inner_of(p).map(|inner| inner.filter(|_| r.mutability.is_none()).ok_or(())),
            _ => None,
        },
        Type::Path(p) => inner_of(p).map(|_| Err(())),
        _ => None,
    }
}

pub(crate) fn analyse_signature(func: &ItemFn, route: Option<&RoutePattern>, errors: &mut Errors) -> Vec<Binding> {
    for g in &func.sig.generics.params {
        if !matches!(g, GenericParam::Lifetime(_)) {
            errors.push(g.span(), "a route function cannot be generic over types or consts");
        }
    }
    let mut bindings = Vec::new();
    let mut has_context = false;
    for arg in &func.sig.inputs {
        let pat_ty = match arg {
            FnArg::Receiver(r) => {
                errors.push(r.span(), "a route function must be a free function, not a method");
                continue;
            }
            FnArg::Typed(t) => t,
        };
        match is_context_type(&pat_ty.ty) {
            Some(true) => {
                if has_context {
                    errors.push(pat_ty.span(), "the request context is taken twice");
                }
                has_context = true;
                bindings.push(Binding::Context);
                continue;
            }
            Some(false) => {
                errors.push(pat_ty.ty.span(), "take the request context by reference: `ctx: &FaceContext`");
                continue;
            }
            None => {}
        }
        let Pat::Ident(pat) = &*pat_ty.pat else {
            // A destructuring pattern (`Form(comment): Form<Comment>`) can only be an extractor.
            if state_type(&pat_ty.ty).is_some() {
                errors.push(pat_ty.pat.span(), "bind app state to a name: `db: &State<Db>`");
            } else {
                bindings.push(Binding::Extract { ty: pat_ty.ty.clone() });
            }
            continue;
        };
        let ident = pat.ident.clone();
        match state_type(&pat_ty.ty) {
            Some(Ok(inner)) => {
                bindings.push(Binding::State { inner });
                continue;
            }
            Some(Err(())) => {
                errors.push(
                    pat_ty.ty.span(),
                    format!("take app state by shared reference with one type argument: `{ident}: &State<T>`"),
                );
                continue;
            }
            None => {}
        }
        let Some(route) = route else { continue };
        match route.params().find(|(n, _)| *n == ident.to_string().as_str()) {
            Some((_, kind)) => bindings.push(Binding::Param { ident, ty: pat_ty.ty.clone(), kind }),
            None if !is_param_like(&pat_ty.ty) => bindings.push(Binding::Extract { ty: pat_ty.ty.clone() }),
            None => {
                let names: Vec<&str> = route.params().map(|(n, _)| n).collect();
                let known = if names.is_empty() {
                    "the route has no parameters".to_string()
                } else {
                    format!("its parameters are: {}", names.join(", "))
                };
                errors.push(
                    ident.span(),
                    format!(
                        "argument `{ident}` names no parameter of route `{route}`; {known} (take the request context as `ctx: &FaceContext`)"
                    ),
                );
            }
        }
    }
    bindings
}
