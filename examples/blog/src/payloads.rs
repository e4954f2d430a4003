//! The payloads of the blog's islands, exported to TypeScript with ts-rs so the Vite client type-checks against
//! these structs (`client/src/generated/`).

use serde::Serialize;
use ts_rs::TS;

/// One post as the search island sees it.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export, export_to = "../client/src/generated/")]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

/// Payload of the home page's search island.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export, export_to = "../client/src/generated/")]
pub struct HomeData {
    pub posts: Vec<PostSummary>,
}

/// Payload of a counter island (several per page: each has its own).
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export, export_to = "../client/src/generated/")]
pub struct CounterData {
    pub start: i32,
    pub step: i32,
    pub label: String,
}
