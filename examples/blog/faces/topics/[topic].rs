use facetheory::prelude::*;

use crate::{layout, posts};

/// `/topics/<topic>`: one static page per topic, pre-rendered by `build`. `params = topics` lists them with the
/// generated `TopicPageParams` struct (named after the function), so a missing or misspelled parameter does not compile.
#[face(mode = "ssg", params = topics)]
pub fn topic_page(topic: String, posts: &State<posts::Posts>) -> Result<Page> {
    let matching: Vec<&posts::Post> = posts.all().iter().filter(|p| p.topic == topic).collect();
    if matching.is_empty() {
        return Err(Error::not_found());
    }
    Ok(layout::page(
        &format!("Topic: {topic}"),
        html! {
            h1 { "Topic: " (topic) }
            ul.posts { @for p in &matching { li { a href=(crate::faces::paths::post(p.slug)) { (p.title) } } } }
        },
    ))
}

/// Every topic of a post, once (enumerated at build time, from the seed posts).
pub async fn topics() -> Vec<TopicPageParams> {
    let mut all: Vec<&str> = posts::SEED.iter().map(|p| p.topic).collect();
    all.sort();
    all.dedup();
    all.into_iter().map(|t| TopicPageParams { topic: t.to_string() }).collect()
}
