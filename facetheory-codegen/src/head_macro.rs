//! `head! { … }`: head tags in maud's syntax, checked and rendered at compile time.
//!
//! ```text
//! head! {
//!     meta charset="utf-8";
//!     title { (post.title) " | Blog" }
//!     meta name="description" content=(post.summary);
//!     link rel="canonical" href=(url);
//!     script src="/assets/app.js" type="module" {}
//! }
//! ```
//!
//! Each tag becomes a `static` description: its literal text escaped and its attributes in rendering (name)
//! order, split around its `(expressions)`, its deduplication key and that key's fingerprint (when the key is
//! literal). At run time a tag costs its values: they are kept, escaped as the tag renders, nothing else.
//! Errors name the tag or attribute at fault and are reported together.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::head_key::{escape_html, is_http_or_relative, place_of, print_bit, Fingerprint, KeyKind, MAX_VALUES};

/// An attribute's value as written.
enum Value {
    Text(String),
    Expr(Group),
    Flag,
}

struct Attr {
    name: String,
    span: Span,
    value: Value,
}

struct Tag {
    element: String,
    span: Span,
    attrs: Vec<Attr>,
    /// A title's text parts (literal text or expressions).
    text: Vec<Value>,
}

/// Collects errors so that all of them are reported at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let e = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

/// Expands `head! { … }` (the macro's input) to a `HeadBlock`, or to the errors found.
pub fn expand_head(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let tags = parse(input, &mut errors);
    let described: Vec<TokenStream> = check_duplicates(&tags, &mut errors);
    let described: Vec<Described> = tags.iter().zip(described).map(|(t, d)| describe(t, d, &mut errors)).collect();
    if let Some(e) = errors.0 {
        // The errors as statements, then a block of the right type: the caller's code reports nothing more.
        let errors = e.to_compile_error();
        return quote! {{
            #errors
            ::facetheory::head::HeadBlock::__new(|_: &mut ::facetheory::head::HeadWriter<'_>| {})
        }};
    }
    if let Some(block) = whole_block(&tags, &described) {
        return quote! {
            ::facetheory::head::HeadBlock::__new(|__facetheory_head: &mut ::facetheory::head::HeadWriter<'_>| {
                #block
            })
        };
    }
    let calls = described.iter().map(|d| &d.call);
    quote! {
        ::facetheory::head::HeadBlock::__new(|__facetheory_head: &mut ::facetheory::head::HeadWriter<'_>| {
            #(#calls)*
        })
    }
}

/// A block whose tags are all literal, as one `StaticBlock`: its text rendered per place (charset metas, titles,
/// the rest, each in the order written) and its keys' fingerprints, so that at run time the block is one item
/// and, when no other tag of the page shares a key with it, renders as three copies. `None` when a tag holds
/// an `(expression)` or two keys share a fingerprint (the block then adds its tags one by one).
fn whole_block(tags: &[Tag], described: &[Described]) -> Option<TokenStream> {
    let mut parts = [String::new(), String::new(), String::new()];
    let mut prints = Vec::new();
    for (tag, d) in tags.iter().zip(described) {
        let text = d.text.as_ref()?;
        let print = literal_print(tag)?;
        if prints.contains(&print) {
            return None;
        }
        prints.push(print);
        parts[place(tag)].push_str(text);
    }
    let mask = prints.iter().fold(0u128, |m, &p| m | print_bit(p));
    let defs = described.iter().map(|d| &d.def);
    let [charset, title, rest] = &parts;
    Some(quote! {
        static __FACETHEORY_BLOCK: ::facetheory::head::StaticBlock = ::facetheory::head::StaticBlock {
            tags: &[#(#defs),*],
            parts: [#charset, #title, #rest],
            prints: &[#(#prints),*],
            mask: #mask,
        };
        __facetheory_head.block(&__FACETHEORY_BLOCK);
    })
}

/// Where normalisation places the tag (see `head_key::place_of`).
fn place(tag: &Tag) -> usize {
    match tag.element.as_str() {
        "title" => place_of(KeyKind::Title),
        "meta" if attr(tag, "charset").is_some() => place_of(KeyKind::Charset),
        _ => place_of(KeyKind::Link),
    }
}

fn parse(input: TokenStream, errors: &mut Errors) -> Vec<Tag> {
    let mut tokens = input.into_iter().peekable();
    let mut tags = Vec::new();
    while let Some(tree) = tokens.next() {
        let TokenTree::Ident(element) = tree else {
            errors.push(tree.span(), "expected a head element: `title`, `meta`, `link` or `script`");
            return tags;
        };
        let mut tag = Tag { element: element.to_string(), span: element.span(), attrs: Vec::new(), text: Vec::new() };
        loop {
            match tokens.next() {
                Some(TokenTree::Punct(p)) if p.as_char() == ';' => {
                    if matches!(tag.element.as_str(), "title" | "script") {
                        errors.push(p.span(), format!("`{}` needs a body: `{{ … }}`", tag.element));
                    }
                    break;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                    body(&mut tag, g, errors);
                    break;
                }
                Some(TokenTree::Ident(name)) => {
                    let span = name.span();
                    let mut name = name.to_string();
                    // `http-equiv`, `data-x`: words joined by hyphens.
                    while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '-') {
                        tokens.next();
                        match tokens.next() {
                            Some(TokenTree::Ident(part)) => {
                                name.push('-');
                                name.push_str(&part.to_string());
                            }
                            other => {
                                errors.push(other.map_or(span, |t| t.span()), "expected a word after `-`");
                                return tags;
                            }
                        }
                    }
                    let value = if matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '=') {
                        tokens.next();
                        match tokens.next() {
                            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => Value::Expr(g),
                            Some(TokenTree::Literal(l)) => {
                                match syn::parse2::<syn::LitStr>(TokenTree::Literal(l.clone()).into()) {
                                    Ok(s) => Value::Text(s.value()),
                                    Err(_) => {
                                        errors.push(
                                            l.span(),
                                            "an attribute value is a string literal or an `(expression)`",
                                        );
                                        Value::Text(String::new())
                                    }
                                }
                            }
                            other => {
                                errors.push(
                                    other.map_or(span, |t| t.span()),
                                    "an attribute value is a string literal or an `(expression)`",
                                );
                                return tags;
                            }
                        }
                    } else {
                        Value::Flag
                    };
                    tag.attrs.push(Attr { name, span, value });
                }
                Some(other) => {
                    errors.push(
                        other.span(),
                        format!("unexpected `{other}` in `{}`: expected an attribute, `;` or `{{ … }}`", tag.element),
                    );
                    return tags;
                }
                None => {
                    errors.push(tag.span, format!("`{}` is not finished: end it with `;` or `{{ … }}`", tag.element));
                    tags.push(tag);
                    return tags;
                }
            }
        }
        tags.push(tag);
    }
    tags
}

/// A `{ … }` body: a title's text, or nothing (a script).
fn body(tag: &mut Tag, group: Group, errors: &mut Errors) {
    match tag.element.as_str() {
        "title" => {
            for tree in group.stream() {
                match tree {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => tag.text.push(Value::Expr(g)),
                    TokenTree::Literal(l) => match syn::parse2::<syn::LitStr>(TokenTree::Literal(l.clone()).into()) {
                        Ok(s) => tag.text.push(Value::Text(s.value())),
                        Err(_) => errors.push(l.span(), "a title holds string literals and `(expressions)`"),
                    },
                    other => errors.push(other.span(), "a title holds string literals and `(expressions)`"),
                }
            }
        }
        "script" if group.stream().is_empty() => {}
        "script" => errors.push(
            group.span(),
            "a head! script loads a file (`src`) and has an empty body; inline data goes through Page::json_ld or Page::hydrate",
        ),
        "meta" | "link" => {
            errors.push(group.span(), format!("`{}` is a void element: end it with `;`, not a body", tag.element))
        }
        // Not a head element: reported once, by the key check.
        _ => {}
    }
}

/// The key of a tag, if its parts are all literal: (kind, lower-cased parts), to find duplicates in a block.
type LiteralKey = (KeyKind, Vec<String>);

/// Validates every tag's element and attributes and reports a tag whose key repeats an earlier one in the
/// block (it would replace it). Returns each tag's key description (tokens) in order.
fn check_duplicates(tags: &[Tag], errors: &mut Errors) -> Vec<TokenStream> {
    let mut seen: Vec<(LiteralKey, Span)> = Vec::new();
    let mut out = Vec::new();
    for tag in tags {
        let (key_tokens, literal) = key(tag, errors);
        if let Some(literal) = literal {
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == literal) {
                errors
                    .push(tag.span, "this tag repeats the key of an earlier tag in the block, which it would replace");
                errors.push(*first, "the earlier tag with the same key");
            } else {
                seen.push((literal, tag.span));
            }
        }
        out.push(key_tokens);
    }
    out
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t Attr> {
    tag.attrs.iter().find(|a| a.name == name)
}

/// A literal key part: its text, or an error when it is computed.
fn literal<'t>(tag: &'t Tag, name: &str, errors: &mut Errors) -> Option<&'t str> {
    match &attr(tag, name)?.value {
        Value::Text(t) => Some(t),
        Value::Flag => Some(""),
        Value::Expr(g) => {
            errors.push(g.span(), format!("`{name}` names the tag (its deduplication key) and must be a literal here; add a computed one with the Page methods"));
            None
        }
    }
}

/// The tag's `StaticKey` tokens and, when the key is all literal, the key itself. Also checks elements and
/// attributes.
fn key(tag: &Tag, errors: &mut Errors) -> (TokenStream, Option<LiteralKey>) {
    let mut names: Vec<&str> = Vec::new();
    for a in &tag.attrs {
        if names.contains(&a.name.as_str()) {
            errors.push(a.span, format!("`{}` is given twice", a.name));
        }
        names.push(&a.name);
        let valid = a.name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && a.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            errors.push(a.span, format!("`{}` is not an attribute name: lower-case letters, digits, `-`, `_`", a.name));
        }
    }
    let lower = |s: &str| s.to_lowercase();
    let none = (quote!(::facetheory::head::StaticKey::Title), None);
    match tag.element.as_str() {
        "title" => {
            if let Some(a) = tag.attrs.first() {
                errors.push(a.span, "a title has no attributes");
            }
            (quote!(::facetheory::head::StaticKey::Title), Some((KeyKind::Title, vec![])))
        }
        "meta" => {
            let keyed: Vec<&str> =
                ["charset", "name", "property", "http-equiv"].into_iter().filter(|n| attr(tag, n).is_some()).collect();
            if keyed.len() != 1 {
                errors.push(tag.span, "a head! meta has exactly one of `charset`, `name`, `property` or `http-equiv`");
                return none;
            }
            if keyed[0] == "charset" {
                return (quote!(::facetheory::head::StaticKey::Charset), Some((KeyKind::Charset, vec![])));
            }
            if attr(tag, "content").is_none() {
                errors.push(tag.span, format!("a meta with `{}` needs `content`", keyed[0]));
            }
            let Some(k) = literal(tag, keyed[0], errors) else { return none };
            let (variant, kind) = match keyed[0] {
                "name" => (quote!(MetaName), KeyKind::MetaName),
                "property" => (quote!(MetaProperty), KeyKind::MetaProperty),
                _ => (quote!(MetaHttpEquiv), KeyKind::MetaHttpEquiv),
            };
            (quote!(::facetheory::head::StaticKey::#variant(#k)), Some((kind, vec![lower(k)])))
        }
        "link" => {
            let (Some(_), Some(href)) = (attr(tag, "rel"), attr(tag, "href")) else {
                errors.push(tag.span, "a head! link needs `rel` and `href`");
                return none;
            };
            let rel = literal(tag, "rel", errors).unwrap_or("");
            let r#as = if attr(tag, "as").is_some() { literal(tag, "as", errors).unwrap_or("") } else { "" };
            if let (Value::Text(url), true) = (&href.value, rel.eq_ignore_ascii_case("canonical")) {
                if !is_http_or_relative(url) {
                    errors.push(
                        href.span,
                        format!("a canonical href must be an http(s) or same-origin URL, got {url:?}"),
                    );
                }
            }
            let (href_tokens, literal_href) = part(tag, href);
            let tokens = quote!(::facetheory::head::StaticKey::Link { rel: #rel, href: #href_tokens, r#as: #r#as });
            let key = literal_href.map(|h| (KeyKind::Link, vec![lower(rel), h, lower(r#as)]));
            (tokens, key)
        }
        "script" => {
            let Some(src) = attr(tag, "src") else {
                errors.push(
                    tag.span,
                    "a head! script needs `src`; inline data goes through Page::json_ld or Page::hydrate",
                );
                return none;
            };
            let kind = if attr(tag, "type").is_some() { literal(tag, "type", errors).unwrap_or("") } else { "" };
            let (src_tokens, literal_src) = part(tag, src);
            let tokens = quote!(::facetheory::head::StaticKey::ScriptSrc { src: #src_tokens, kind: #kind });
            (tokens, literal_src.map(|s| (KeyKind::ScriptSrc, vec![s, lower(kind)])))
        }
        other => {
            errors.push(
                tag.span,
                format!("`{other}` is not a head! element: `title`, `meta`, `link` or `script` (other tags: Page::head with head::* tags)"),
            );
            none
        }
    }
}

/// A key part that may be computed: its `StaticValue` tokens and its literal text.
fn part(tag: &Tag, a: &Attr) -> (TokenStream, Option<String>) {
    match &a.value {
        Value::Text(t) => (quote!(::facetheory::head::StaticValue::Text(#t)), Some(t.clone())),
        Value::Flag => (quote!(::facetheory::head::StaticValue::Text("")), Some(String::new())),
        Value::Expr(_) => {
            let i = value_index(tag, &a.name);
            (quote!(::facetheory::head::StaticValue::Value(#i)), None)
        }
    }
}

/// Attributes in rendering order: by name, byte order (as `Attrs` keeps them).
fn sorted(tag: &Tag) -> Vec<&Attr> {
    let mut attrs: Vec<&Attr> = tag.attrs.iter().collect();
    attrs.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    attrs
}

/// The position of the named attribute's expression among the tag's values (in rendering order).
fn value_index(tag: &Tag, name: &str) -> usize {
    sorted(tag).iter().take_while(|a| a.name != name).filter(|a| matches!(a.value, Value::Expr(_))).count()
}

/// A tag as the macro describes it.
struct Described {
    /// The `StaticTag` value.
    def: TokenStream,
    /// The statement adding the tag with its values.
    call: TokenStream,
    /// The rendered tag, when it holds no value.
    text: Option<String>,
}

/// The tag's description and the call adding it with its values.
fn describe(tag: &Tag, key: TokenStream, errors: &mut Errors) -> Described {
    let mut pieces = Pieces { done: Vec::new(), current: String::new(), values: Vec::new() };
    let mut attrs = Vec::new();
    let element;
    if tag.element == "title" {
        element = quote!(Title);
        pieces.text("<title>");
        for v in &tag.text {
            match v {
                Value::Text(t) => {
                    pieces.text(&escape_html(t));
                    attrs.push(quote!(("", ::facetheory::head::StaticValue::Text(#t))));
                }
                Value::Expr(g) => {
                    let i = pieces.value(g);
                    attrs.push(quote!(("", ::facetheory::head::StaticValue::Value(#i))));
                }
                Value::Flag => {}
            }
        }
        pieces.text("</title>");
    } else {
        element = match tag.element.as_str() {
            "meta" => quote!(Meta),
            "link" => quote!(Link),
            _ => quote!(Script),
        };
        pieces.text("<");
        pieces.text(&tag.element);
        for a in sorted(tag) {
            let name = &a.name;
            match &a.value {
                Value::Text(t) => {
                    pieces.text(&format!(" {}=\"{}\"", escape_html(name), escape_html(t)));
                    attrs.push(quote!((#name, ::facetheory::head::StaticValue::Text(#t))));
                }
                Value::Flag => {
                    pieces.text(&format!(" {}", escape_html(name)));
                    attrs.push(quote!((#name, ::facetheory::head::StaticValue::Flag)));
                }
                Value::Expr(g) => {
                    pieces.text(&format!(" {}=\"", escape_html(name)));
                    let i = pieces.value(g);
                    pieces.text("\"");
                    attrs.push(quote!((#name, ::facetheory::head::StaticValue::Value(#i))));
                }
            }
        }
        pieces.text(">");
        if tag.element == "script" {
            pieces.text("</script>");
        }
    }
    let Pieces { mut done, current, values } = pieces;
    done.push(current);
    let pieces = done;
    if values.len() > MAX_VALUES {
        errors.push(
            tag.span,
            format!("a head! tag holds at most {MAX_VALUES} `(expressions)`; this one has {}", values.len()),
        );
    }
    let print = match literal_print(tag) {
        Some(p) => quote!(::core::option::Option::Some(#p)),
        None => quote!(::core::option::Option::None),
    };
    let url_value = match attr(tag, "href") {
        Some(a @ Attr { value: Value::Expr(_), .. })
            if tag.element == "link"
                && matches!(attr(tag, "rel").map(|r| &r.value), Some(Value::Text(r)) if r.eq_ignore_ascii_case("canonical")) =>
        {
            let i = value_index(tag, &a.name);
            quote!(::core::option::Option::Some(#i))
        }
        _ => quote!(::core::option::Option::None),
    };
    // Expressions are evaluated once each, in the order written (then handed over in rendering order); a
    // borrow, so a field such as `(post.title)` is not moved out.
    let written: Vec<&Group> = tag
        .attrs
        .iter()
        .map(|a| &a.value)
        .chain(&tag.text)
        .filter_map(|v| match v {
            Value::Expr(g) => Some(g),
            _ => None,
        })
        .collect();
    let local = |g: &Group| {
        let i = written.iter().position(|w| std::ptr::eq(*w, g)).unwrap_or(0);
        proc_macro2::Ident::new(&format!("__facetheory_value_{i}"), Span::mixed_site())
    };
    let lets = written.iter().map(|g| {
        let (name, inner) = (local(g), g.stream());
        quote_spanned!(g.span()=> let #name = &(#inner);)
    });
    let exprs = values.iter().map(|g| {
        let name = local(g);
        quote_spanned!(g.span()=> ::core::convert::AsRef::<str>::as_ref(#name))
    });
    let text = (pieces.len() == 1).then(|| pieces[0].clone());
    let def = quote! {
        ::facetheory::head::StaticTag {
            pieces: &[#(#pieces),*],
            element: ::facetheory::head::StaticElement::#element,
            attrs: &[#(#attrs),*],
            key: #key,
            print: #print,
            url_value: #url_value,
        }
    };
    let call = quote_spanned! {tag.span=>
        {
            static __FACETHEORY_TAG: ::facetheory::head::StaticTag = #def;
            #(#lets)*
            __facetheory_head.tag(&__FACETHEORY_TAG, &[#(#exprs),*]);
        }
    };
    Described { def, call, text }
}

/// A tag's rendered text split around its values.
struct Pieces<'g> {
    done: Vec<String>,
    current: String,
    values: Vec<&'g Group>,
}

impl<'g> Pieces<'g> {
    fn text(&mut self, text: &str) {
        self.current.push_str(text);
    }

    /// A value ends the current piece; returns its index.
    fn value(&mut self, g: &'g Group) -> usize {
        self.done.push(std::mem::take(&mut self.current));
        self.values.push(g);
        self.values.len() - 1
    }
}

/// The fingerprint of a key whose parts are all literal, as the runtime computes it.
fn literal_print(tag: &Tag) -> Option<u64> {
    let text = |name: &str| match attr(tag, name).map(|a| &a.value) {
        Some(Value::Text(t)) => Some(t.as_str()),
        Some(Value::Flag) | None => Some(""),
        Some(Value::Expr(_)) => None,
    };
    let f = Fingerprint::new;
    Some(
        match tag.element.as_str() {
            "title" => f(KeyKind::Title),
            "meta" if attr(tag, "charset").is_some() => f(KeyKind::Charset),
            "meta" if attr(tag, "name").is_some() => f(KeyKind::MetaName).no_case(text("name")?),
            "meta" if attr(tag, "property").is_some() => f(KeyKind::MetaProperty).no_case(text("property")?),
            "meta" => f(KeyKind::MetaHttpEquiv).no_case(text("http-equiv")?),
            "link" => {
                f(KeyKind::Link).no_case(text("rel")?).exact(text("href")?.as_bytes(), false).no_case(text("as")?)
            }
            _ => f(KeyKind::ScriptSrc).exact(text("src")?.as_bytes(), false).no_case(text("type")?),
        }
        .finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(input: TokenStream) -> String {
        expand_head(input).to_string()
    }

    #[test]
    fn literal_tags_are_rendered_and_fingerprinted_at_compile_time() {
        let out = expand_head(quote! {
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { "A & B" }
        })
        .to_string();
        assert!(out.contains(r#""<meta content=\"width=device-width, initial-scale=1\" name=\"viewport\">""#), "{out}");
        assert!(out.contains(r#""<title>A &amp; B</title>""#), "{out}");
        assert!(out.contains("Some ("), "literal keys carry their fingerprint: {out}");
    }

    #[test]
    fn an_all_literal_block_is_one_static_block_rendered_per_place() {
        let out = expand_head(quote! {
            link rel="icon" href="/i.png";
            title { "T" }
            meta charset="utf-8";
        })
        .to_string();
        assert!(out.contains("StaticBlock"), "{out}");
        assert!(
            out.contains(
                r#"parts : ["<meta charset=\"utf-8\">" , "<title>T</title>" , "<link href=\"/i.png\" rel=\"icon\">"]"#
            ),
            "{out}"
        );
        // One `(expression)` and the block adds its tags one by one.
        let out = expand_head(quote! { meta charset="utf-8"; title { (t) } }).to_string();
        assert!(!out.contains("StaticBlock") && out.matches("StaticTag =").count() == 2, "{out}");
    }

    #[test]
    fn values_split_the_rendered_tag_in_attribute_order() {
        let out = expand_head(quote! { link rel="canonical" href=(url) hreflang=(lang); }).to_string();
        assert!(out.contains(r#""<link href=\"" , "\" hreflang=\"" , "\" rel=\"canonical\">""#), "{out}");
        assert!(out.contains("url_value : :: core :: option :: Option :: Some (0usize)"), "{out}");
    }

    #[test]
    fn every_rule_is_reported_together() {
        let out = errors(quote! {
            style { "a{}" }
            meta name="a";
            meta name=(n) content="x";
            link rel="canonical" href="javascript:alert(1)";
            script {}
            meta charset="utf-8" charset="utf-8";
            title { "a" }
            title { "b" }
        });
        for message in [
            "not a head! element",
            "needs `content`",
            "must be a literal here",
            "canonical href must be",
            "script needs `src`",
            "is given twice",
            "repeats the key of an earlier tag",
        ] {
            assert!(out.contains(message), "missing {message:?} in {out}");
        }
    }
}
