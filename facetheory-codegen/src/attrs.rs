//! Parsing and validation of `#[face(...)]` and `#[resource(...)]` arguments.
//!
//! Every problem is collected (serde's `Ctxt` style) and reported together, each with the span of the
//! offending tokens.
//!
//! ```
//! use facetheory_codegen::attrs::{FaceArgs, Mode};
//! let args: FaceArgs = syn::parse_str(r#"route = "/blog/<slug>", mode = "isr", revalidate = 60"#).unwrap();
//! assert_eq!(args.mode, Mode::Isr);
//! assert_eq!(args.revalidate.map(|r| r.0), Some(60));
//! ```

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Meta, Token};

use crate::route::RoutePattern;

/// Accumulates errors so all of them are reported in one compile.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error at `span`.
    pub fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push_error(syn::Error::new(span, message));
    }

    /// Adds an existing error (and everything combined into it).
    pub fn push_error(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    /// `Ok(value)` when nothing was pushed.
    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }
}

pub use crate::mode::Mode;

/// Arguments of `#[face(...)]`.
pub struct FaceArgs {
    /// The route literal, if given (otherwise inferred from the file path).
    pub route: Option<LitStr>,
    pub mode: Mode,
    pub mode_span: Option<Span>,
    pub revalidate: Option<(u64, Span)>,
    /// `params = path::to::enumerator` for SSG/ISR pages with dynamic segments.
    pub params: Option<syn::Path>,
    /// `tags = ["posts", …]`: ISR cache tags for on-demand revalidation.
    pub tags: Vec<String>,
    pub tags_span: Option<Span>,
    /// `query = ["page", …]`: the query parameters that make separate cached variants of an ISR page (the
    /// page sees only these; all others are ignored).
    pub query: Vec<String>,
    pub query_span: Option<Span>,
}

pub use crate::limits::MAX_TAG_LEN;
/// Most tags a face may declare: the runtime's limit less the implicit `path:` and `route:` tags.
pub const MAX_FACE_TAGS: usize = crate::limits::MAX_TAGS - 2;

/// Arguments of `#[resource(...)]`.
pub struct ResourceArgs {
    pub route: Option<LitStr>,
    /// Upper-cased methods; defaults to `["GET"]`.
    pub methods: Vec<String>,
}

const FACE_KEYS: &str = "route, mode, revalidate, params, tags, query";
const RESOURCE_KEYS: &str = "route, methods";

fn metas(input: ParseStream) -> syn::Result<Punctuated<Meta, Token![,]>> {
    Punctuated::parse_terminated(input)
}

fn key_of(meta: &Meta) -> String {
    meta.path().get_ident().map(|i| i.to_string()).unwrap_or_else(|| quote::quote!(#meta).to_string())
}

fn value_of<'a>(meta: &'a Meta, errors: &mut Errors) -> Option<&'a Expr> {
    match meta {
        Meta::NameValue(nv) => Some(&nv.value),
        other => {
            errors.push(other.span(), format!("expected `{} = ...`", key_of(other)));
            None
        }
    }
}

fn lit_str(expr: &Expr, what: &str, errors: &mut Errors) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.clone()),
        other => {
            errors.push(other.span(), format!("`{what}` takes a string literal"));
            None
        }
    }
}

fn check_duplicate(seen: &mut Vec<String>, meta: &Meta, errors: &mut Errors) -> bool {
    let key = key_of(meta);
    if seen.contains(&key) {
        errors.push(meta.path().span(), format!("duplicate key `{key}`"));
        return true;
    }
    seen.push(key);
    false
}

impl Parse for FaceArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let args = FaceArgs::parse_collecting(input, &mut errors)?;
        errors.finish(args)
    }
}

impl FaceArgs {
    /// Parses, recording problems in `errors` and returning the usable rest, so that attribute and signature
    /// errors can be reported together. Only malformed syntax (not `key = value` lists) fails outright.
    pub fn parse_collecting(input: ParseStream, errors: &mut Errors) -> syn::Result<Self> {
        let mut args = FaceArgs {
            route: None,
            mode: Mode::Ssr,
            mode_span: None,
            revalidate: None,
            params: None,
            tags: Vec::new(),
            tags_span: None,
            query: Vec::new(),
            query_span: None,
        };
        let mut seen = Vec::new();
        for meta in metas(input)? {
            if check_duplicate(&mut seen, &meta, errors) {
                continue;
            }
            let key = key_of(&meta);
            let Some(value) = value_of(&meta, errors) else {
                continue;
            };
            match key.as_str() {
                "route" => args.route = lit_str(value, "route", errors),
                "mode" => {
                    if let Some(lit) = lit_str(value, "mode", errors) {
                        args.mode_span = Some(lit.span());
                        match lit.value().as_str() {
                            "ssr" => args.mode = Mode::Ssr,
                            "ssg" => args.mode = Mode::Ssg,
                            "isr" => args.mode = Mode::Isr,
                            other => errors.push(
                                lit.span(),
                                format!("unknown mode {other:?}; expected \"ssr\", \"ssg\" or \"isr\""),
                            ),
                        }
                    }
                }
                "revalidate" => match value {
                    Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => match i.base10_parse::<u64>() {
                        Ok(0) | Err(_) => errors.push(
                            i.span(),
                            "`revalidate` is a whole number of seconds, at least 1 (for per-request rendering use mode = \"ssr\")",
                        ),
                        Ok(n) if n > crate::limits::MAX_REVALIDATE_SECONDS => {
                            errors.push(
                                i.span(),
                                format!(
                                    "`revalidate` is at most {} seconds (one year); a page that changes less often is an SSG page",
                                    crate::limits::MAX_REVALIDATE_SECONDS
                                ),
                            );
                            // Present, if invalid: no second error saying it is missing.
                            args.revalidate = Some((n, i.span()));
                        }
                        Ok(n) => args.revalidate = Some((n, i.span())),
                    },
                    other => errors.push(other.span(), "`revalidate` takes an integer literal (seconds)"),
                },
                "params" => match value {
                    Expr::Path(p) => args.params = Some(p.path.clone()),
                    other => errors.push(other.span(), "`params` takes the path of an enumerator function"),
                },
                "tags" => {
                    args.tags_span = Some(value.span());
                    args.tags = parse_tags(value, errors);
                }
                "query" => {
                    args.query_span = Some(value.span());
                    args.query = parse_query(value, errors);
                }
                _ => errors.push(meta.path().span(), format!("unknown key `{key}`; expected one of: {FACE_KEYS}")),
            }
        }
        Ok(args)
    }
}

fn parse_tags(value: &Expr, errors: &mut Errors) -> Vec<String> {
    let Expr::Array(array) = value else {
        errors.push(value.span(), "`tags` takes an array of string literals: tags = [\"posts\"]");
        return Vec::new();
    };
    let mut tags: Vec<String> = Vec::new();
    for item in &array.elems {
        let Some(lit) = lit_str(item, "tags", errors) else { continue };
        let tag = lit.value();
        if tag.is_empty() {
            errors.push(lit.span(), "a tag cannot be empty");
        } else if tag.len() > MAX_TAG_LEN {
            errors.push(lit.span(), format!("a tag is at most {MAX_TAG_LEN} bytes; this one is {}", tag.len()));
        } else if tag.chars().any(char::is_control) {
            errors.push(lit.span(), "a tag cannot contain control characters");
        } else if tag.starts_with("path:") || tag.starts_with("route:") {
            errors.push(lit.span(), "tags starting with `path:` or `route:` are reserved (every ISR page has them)");
        } else if tags.contains(&tag) {
            errors.push(lit.span(), format!("tag {tag:?} is listed twice"));
        } else {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_FACE_TAGS {
        errors.push(array.span(), format!("a face declares at most {MAX_FACE_TAGS} tags"));
    }
    tags
}

/// Most query parameters a face may list as cache variants.
pub const MAX_FACE_QUERY: usize = 32;

fn parse_query(value: &Expr, errors: &mut Errors) -> Vec<String> {
    let Expr::Array(array) = value else {
        errors.push(value.span(), "`query` takes an array of parameter names: query = [\"page\"]");
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for item in &array.elems {
        let Some(lit) = lit_str(item, "query", errors) else { continue };
        let name = lit.value();
        if name.is_empty() || name.len() > 128 || name.chars().any(|c| c.is_control() || c == '&' || c == '=') {
            errors
                .push(lit.span(), "a query parameter name is 1–128 characters, without `&`, `=` or control characters");
        } else if names.contains(&name) {
            errors.push(lit.span(), format!("query parameter {name:?} is listed twice"));
        } else {
            names.push(name);
        }
    }
    if names.len() > MAX_FACE_QUERY {
        errors.push(array.span(), format!("a face lists at most {MAX_FACE_QUERY} query parameters"));
    }
    names
}

impl Parse for ResourceArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let args = ResourceArgs::parse_collecting(input, &mut errors)?;
        errors.finish(args)
    }
}

impl ResourceArgs {
    /// Like [`FaceArgs::parse_collecting`].
    pub fn parse_collecting(input: ParseStream, errors: &mut Errors) -> syn::Result<Self> {
        let mut args = ResourceArgs { route: None, methods: vec!["GET".into()] };
        let mut seen = Vec::new();
        for meta in metas(input)? {
            if check_duplicate(&mut seen, &meta, errors) {
                continue;
            }
            let key = key_of(&meta);
            let Some(value) = value_of(&meta, errors) else {
                continue;
            };
            match key.as_str() {
                "route" => args.route = lit_str(value, "route", errors),
                "methods" => {
                    let items: Vec<&Expr> = match value {
                        Expr::Array(a) => a.elems.iter().collect(),
                        other => vec![other],
                    };
                    let mut methods = Vec::new();
                    for item in items {
                        let Some(lit) = lit_str(item, "methods", errors) else {
                            continue;
                        };
                        let m = lit.value().trim().to_ascii_uppercase();
                        use crate::methods::KNOWN;
                        if !KNOWN.contains(&m.as_str()) {
                            errors.push(lit.span(), format!("unknown method {m:?}; expected one of {KNOWN:?}"));
                        } else if methods.contains(&m) {
                            errors.push(lit.span(), format!("method {m:?} is listed twice"));
                        } else {
                            methods.push(m);
                        }
                    }
                    if methods.is_empty() {
                        errors.push(value.span(), "`methods` must list at least one method");
                    }
                    args.methods = methods;
                }
                _ => errors.push(meta.path().span(), format!("unknown key `{key}`; expected one of: {RESOURCE_KEYS}")),
            }
        }
        Ok(args)
    }
}

/// Where a face's route came from, for error spans and messages.
pub enum RouteSource<'a> {
    /// `route = "..."` in the attribute.
    Literal(&'a LitStr),
    /// Inferred from this path relative to `faces/`.
    File(&'a str),
}

/// Parses the route from its source; an invalid literal is reported at the literal with a caret into it.
pub fn resolve_route(source: RouteSource<'_>) -> syn::Result<RoutePattern> {
    match source {
        RouteSource::Literal(lit) => {
            let text = lit.value();
            RoutePattern::parse(&text).map_err(|e| syn::Error::new(lit.span(), e.render(&text)))
        }
        RouteSource::File(rel) => {
            crate::file_route::route_for_file(rel).map_err(|msg| syn::Error::new(Span::call_site(), msg))
        }
    }
}

/// Mode rules that need the route: `isr` needs `revalidate`, `revalidate` only with `isr`, dynamic `ssg`
/// routes need a `params` enumerator, `params` not on `ssr`.
pub fn check_face_rules(args: &FaceArgs, route: &RoutePattern, route_span: Span, errors: &mut Errors) {
    let mode_span = args.mode_span.unwrap_or(route_span);
    match (args.mode, args.revalidate) {
        (Mode::Isr, None) => errors
            .push(mode_span, "mode = \"isr\" needs `revalidate = <seconds>`: how long a generated page stays fresh"),
        (Mode::Ssr | Mode::Ssg, Some((_, span))) => errors.push(
            span,
            format!("`revalidate` only applies to mode = \"isr\"; this face is mode = \"{}\"", args.mode.as_str()),
        ),
        _ => {}
    }
    if args.mode == Mode::Ssg && !route.is_static() && args.params.is_none() {
        errors.push(
            route_span,
            format!(
                "mode = \"ssg\" route `{route}` has dynamic segments: add `params = <enumerator fn>` listing every page to build, or use mode = \"isr\" / \"ssr\""
            ),
        );
    }
    if args.mode != Mode::Isr {
        if let Some(span) = args.query_span {
            errors.push(
                span,
                format!(
                    "`query` lists the parameters that make separate cached variants; it applies to mode = \"isr\", not \"{}\"",
                    args.mode.as_str()
                ),
            );
        }
        if let Some(span) = args.tags_span {
            errors.push(
                span,
                format!(
                    "`tags` name cached pages for on-demand revalidation; they apply to mode = \"isr\", not \"{}\"",
                    args.mode.as_str()
                ),
            );
        }
    }
    if args.mode == Mode::Ssr {
        if let Some(p) = &args.params {
            errors.push(
                p.span(),
                "`params` enumerates pages to pre-render; it applies to mode = \"ssg\" or \"isr\", not \"ssr\"",
            );
        }
    }
}
