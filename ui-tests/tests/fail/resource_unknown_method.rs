use facetheory::prelude::*;

#[resource(route = "/api/coffee", methods = ["GET", "BREW"])]
fn coffee() -> ResourceResponse {
    ResourceResponse::text("hot")
}

fn main() {}
