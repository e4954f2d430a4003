//! `#[face]` / `#[resource]` expansion on arbitrary attribute and item tokens: always tokens (the function,
//! or it plus `compile_error!`s), never a panic.
#![no_main]

use std::str::FromStr;

use facetheory_codegen::face_fn::{expand, RouteAttr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (args, item) = text.split_once('\n').unwrap_or((text, "fn f() -> Page { Page::new(html! {}) }"));
    let (Ok(args), Ok(item)) = (proc_macro2::TokenStream::from_str(args), proc_macro2::TokenStream::from_str(item))
    else {
        return;
    };
    for attr in [RouteAttr::Face, RouteAttr::Resource] {
        let _ = expand(attr, args.clone(), item.clone(), Some("blog/[slug].rs"));
        let _ = expand(attr, args.clone(), item.clone(), None);
    }
});
