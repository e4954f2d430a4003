use facetheory::prelude::*;

struct Session;

// `session` names no route parameter and `Session` implements no `FromRequest`: it cannot be an argument.
#[resource(route = "/account", methods = ["POST"])]
fn save(session: Session) -> ResourceResponse {
    let _ = session;
    ResourceResponse::empty()
}

fn main() {}
