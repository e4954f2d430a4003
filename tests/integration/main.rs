//! Integration tests (one binary, modules per concern, to keep link time down).

mod docs;
mod forms;
mod hardening;
mod http_client;
mod islands;
mod isr;
mod isr_aws;
mod lambda_emulator;
mod lambda_events;
mod links;
mod observability;
mod panics;
mod paths;
mod sections;
mod served_over_tcp;
mod service;
mod ssg;
mod state;
mod streaming;
mod strict_csp;
mod trailing_slash;
mod typed_paths;
