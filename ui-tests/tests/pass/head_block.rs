use facetheory::prelude::*;

// A head! block through the prelude: literal and computed values, a block kept in a variable.
fn main() {
    let title = String::from("Post <1>");
    let url = "https://blog.example/post-1";
    let block = head! {
        meta charset="utf-8";
        title { (title) " | Blog" }
        meta name="description" content=(title.as_str());
        link rel="canonical" href=(url);
        link rel="preload" href="/f.woff2" as="font" crossorigin;
        script src="/app.js" type="module" {}
    };
    let _page = Page::new(html! {}).head(block);
}
