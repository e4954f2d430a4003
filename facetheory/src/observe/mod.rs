//! Observability: one request log event, metrics through the [`metrics`] facade, and the error hook — with
//! the TypeScript FaceTheory's event, metric and phase vocabulary.
//!
//! Every step that learns something about a request (the route it matched, the render time, the ISR state, a
//! failure) records it on the request's [`Facts`]; [`crate::App::handle`] turns them into the log event and the
//! `facetheory.request` metric once the response head is ready. Hooks never change response bytes: a
//! panicking hook is caught and logged.

mod emf;
mod init;
mod json_log;
mod keys;

pub use emf::EmfRecorder;
pub use json_log::JsonLines;

pub(crate) use init::init_logging;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::Label;

use keys::{request_keys, Outcome, RequestKeys};

use crate::face::Mode;
use crate::isr::IsrState;

/// Where a failure happened (the TypeScript runtime's `onError` phases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// A resource returned an error or panicked.
    Resource,
    /// A face failed to load or render (before any byte was sent).
    Render,
    /// A streamed page failed before its first chunk (answered 500).
    StreamPreflight,
    /// A streamed page failed after the response started (the stream-error marker was sent).
    Stream,
    /// Publishing or serving an SSR hydration sidecar failed.
    SsrSidecar,
    /// The ISR metadata store failed (the request was served stale or uncached).
    IsrMetadata,
    /// An ISR regeneration failed (the previous page was served, or a 500).
    IsrRegeneration,
    /// A blob store write or read failed.
    Store,
}

impl Phase {
    /// The phase's name in logs, metrics and the TypeScript vocabulary.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Resource => "resource",
            Phase::Render => "render",
            Phase::StreamPreflight => "stream-preflight",
            Phase::Stream => "stream",
            Phase::SsrSidecar => "ssr-hydration-sidecar",
            Phase::IsrMetadata => "isr-metadata",
            Phase::IsrRegeneration => "isr-regeneration",
            Phase::Store => "store",
        }
    }
}

/// What the error hook receives.
///
/// ```
/// let app = facetheory::App::builder()
///     .on_error(|e: &facetheory::observe::ErrorEvent| eprintln!("{} {} {}: {}", e.phase.as_str(), e.route, e.request_id, e.message))
///     .build()
///     .unwrap();
/// # let _ = app;
/// ```
#[derive(Debug)]
pub struct ErrorEvent<'a> {
    /// Where it happened.
    pub phase: Phase,
    /// The request id (the originating request's for background regenerations).
    pub request_id: &'a str,
    /// The request method.
    pub method: &'a str,
    /// The request path.
    pub path: &'a str,
    /// The matched route pattern (`""` when none).
    pub route: &'a str,
    /// The face's mode (`ssr`, `ssg`, `isr`) or `none`.
    pub mode: &'static str,
    /// The error's class: its kind (`not_found`, `client`, `internal`) or a short type name.
    pub error_class: &'a str,
    /// The error text (never sent to the client).
    pub message: &'a str,
}

/// The error hook's type.
pub(crate) type ErrorHook = dyn Fn(&ErrorEvent<'_>) + Send + Sync;

/// What the steps of one request learned, for the log and metrics.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub(crate) route: &'static str,
    pub(crate) mode: Option<Mode>,
    /// A render timed apart from the request (ISR regeneration).
    pub(crate) render: Option<Duration>,
    /// A face rendered on the request path: its render time is the time to the response head (which adds the
    /// routing, well under a microsecond, and saves two clock reads per request).
    pub(crate) rendered_inline: bool,
    pub(crate) isr_state: Option<IsrState>,
    pub(crate) streamed: bool,
    pub(crate) error: Option<(Phase, &'static str)>,
}

/// The per-request recorder: facts behind an uncontended lock.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    facts: Mutex<Facts>,
}

impl Recorder {
    /// Updates the facts.
    pub(crate) fn note(&self, f: impl FnOnce(&mut Facts)) {
        f(&mut self.facts.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// A copy of the facts (the route and mode stay for failures after the head: a broken stream).
    pub(crate) fn snapshot(&self) -> Facts {
        self.facts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Records a failure: the first one is the request's error class; the hook sees every one.
    pub(crate) fn failure(
        &self,
        hook: Option<&Arc<ErrorHook>>,
        phase: Phase,
        class: &'static str,
        message: &str,
        ctx: HookContext<'_>,
    ) {
        self.note(|f| {
            f.error.get_or_insert((phase, class));
        });
        let mode = ctx.mode;
        metrics_failure(phase, class, ctx.method, ctx.route, mode);
        let Some(hook) = hook else { return };
        let event = ErrorEvent {
            phase,
            request_id: ctx.request_id,
            method: ctx.method,
            path: ctx.path,
            route: ctx.route,
            mode,
            error_class: class,
            message,
        };
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&event))).is_err() {
            tracing::error!(target: "facetheory::request", request_id = ctx.request_id, "the on_error hook panicked");
        }
    }
}

/// The request data a hook event carries.
#[derive(Clone, Copy)]
pub(crate) struct HookContext<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) route: &'a str,
    pub(crate) mode: &'static str,
}

/// `facetheory.stream_error` for stream failures; the other phases are counted as `facetheory.error`.
fn metrics_failure(phase: Phase, class: &'static str, method: &str, route: &str, mode: &'static str) {
    let mut tags = vec![
        Label::new("method", static_method(method)),
        Label::new("route_pattern", route.to_string()),
        Label::from_static_parts("mode", mode),
        Label::from_static_parts("error_class", class),
    ];
    if phase == Phase::Stream {
        metrics::counter!("facetheory.stream_error", tags).increment(1);
    } else {
        tags.push(Label::from_static_parts("phase", phase.as_str()));
        metrics::counter!("facetheory.error", tags).increment(1);
    }
}

/// `facetheory.isr.lease_contention`: another request held the regeneration lease.
pub(crate) fn lease_contention(method: &str, route: &str, policy: &'static str) {
    let tags = vec![
        Label::new("method", static_method(method)),
        Label::new("route_pattern", route.to_string()),
        Label::from_static_parts("policy", policy),
    ];
    metrics::counter!("facetheory.isr.lease_contention", tags).increment(1);
}

/// `facetheory.isr.regeneration_ms` with its outcome (`success`, `stale_after_error`, `error`).
pub(crate) fn regeneration(request: &crate::context::RequestInfo, outcome: &'static str, took: Duration) {
    let tags = vec![
        Label::new("method", static_method(request.method.as_str())),
        Label::new("route_pattern", metrics::SharedString::const_str(request.route())),
        Label::from_static_parts("outcome", outcome),
    ];
    metrics::histogram!("facetheory.isr.regeneration_ms", tags).record(millis(took));
}

/// The method as a label value, without allocating for the standard methods.
pub(crate) fn static_method(method: &str) -> metrics::SharedString {
    match STANDARD_METHODS.iter().find(|m| **m == method) {
        Some(m) => metrics::SharedString::const_str(m),
        None => metrics::SharedString::from(method.to_string()),
    }
}

/// The status as a label value, without allocating for the common statuses.
fn static_status(status: http::StatusCode) -> metrics::SharedString {
    const COMMON: &[(u16, &str)] = &[
        (200, "200"),
        (204, "204"),
        (301, "301"),
        (302, "302"),
        (303, "303"),
        (304, "304"),
        (307, "307"),
        (308, "308"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (405, "405"),
        (413, "413"),
        (415, "415"),
        (422, "422"),
        (500, "500"),
        (503, "503"),
    ];
    match COMMON.iter().find(|(code, _)| *code == status.as_u16()) {
        Some((_, text)) => metrics::SharedString::const_str(text),
        None => metrics::SharedString::from(status.as_u16().to_string()),
    }
}

/// A mode's name for tags (`none` for resources, 404s and framework endpoints).
pub(crate) fn mode_name(mode: Option<Mode>) -> &'static str {
    mode.map_or("none", Mode::as_str)
}

/// The class of an [`crate::Error`]: `not_found`, `redirect`, `client`, or `internal`.
pub(crate) fn error_class(err: &crate::Error) -> &'static str {
    match err.kind() {
        crate::ErrorKind::NotFound => "not_found",
        crate::ErrorKind::Redirect { .. } => "redirect",
        crate::ErrorKind::Client { .. } => "client",
        crate::ErrorKind::Internal(_) => "internal",
    }
}

/// Milliseconds with microsecond precision, for logs and histograms.
pub(crate) fn millis(d: Duration) -> f64 {
    // Through u64: a u128 to f64 conversion is a software routine (≈ 45 instructions per call).
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX) as f64 / 1000.0
}

/// The end of a request (its response head is ready, or for a streamed body, its last byte sent): one `facetheory.request.completed` event at a level by
/// status, and the `facetheory.request`, `facetheory.render_ms` and `facetheory.isr.cache` metrics. Tags
/// carry the route pattern, never the raw path, so their cardinality is the route table's.
pub(crate) fn request_completed(
    request: &crate::context::RequestInfo,
    route: &'static str,
    status: http::StatusCode,
    head: Duration,
    duration: Duration,
    cold_start: bool,
) {
    let facts = request.recorder().snapshot();
    let route = if facts.route.is_empty() { route } else { facts.route };
    let mode = mode_name(facts.mode);
    let isr_state = facts.isr_state.map_or("", IsrState::as_str);
    let error_class = facts.error.map_or("", |(_, c)| c);
    let phase = facts.error.map_or("", |(p, _)| p.as_str());
    let render_ms = facts.render.or(facts.rendered_inline.then_some(head)).map(millis);
    let method = request.method.as_str();
    static TRACE: http::HeaderName = http::HeaderName::from_static("x-amzn-trace-id");
    // Field values are computed only when a subscriber takes the event: the header lookup is in the macro.
    let trace_id = || request.headers.get(&TRACE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let lambda_request_id = request.invocation_id.as_deref().unwrap_or("");
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "facetheory::request",
                $level,
                event = "facetheory.request.completed",
                request_id = %request.request_id,
                method,
                path = %request.path,
                route,
                mode,
                status = status.as_u16(),
                duration_ms = millis(duration),
                ttfb_ms = millis(head),
                render_ms,
                isr_state,
                streamed = facts.streamed,
                error_class,
                phase,
                cold_start,
                trace_id = trace_id(),
                lambda_request_id,
                "request completed"
            )
        };
    }
    if status.is_server_error() {
        event!(tracing::Level::ERROR);
    } else if status.is_client_error() {
        event!(tracing::Level::WARN);
    } else {
        event!(tracing::Level::INFO);
    }
    let outcome = Outcome {
        route,
        method: STANDARD_METHODS.iter().copied().find(|m| *m == method),
        mode,
        status,
        isr_state: facts.isr_state,
        streamed: facts.streamed,
        error_class,
        cold_start,
    };
    static METADATA: metrics::Metadata<'static> =
        metrics::Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));
    // The standard methods (every request, in practice) reuse their keys; any other is keyed afresh.
    let fresh;
    let cached;
    let keys = if outcome.method.is_some() {
        cached = request_keys(&outcome, method);
        &*cached
    } else {
        fresh = RequestKeys::new(&outcome, method);
        &fresh
    };
    metrics::with_recorder(|recorder| {
        recorder.register_counter(&keys.request, &METADATA).increment(1);
        if let Some(ms) = render_ms {
            recorder.register_histogram(&keys.render, &METADATA).record(ms);
        }
        if let Some(isr) = &keys.isr {
            recorder.register_counter(isr, &METADATA).increment(1);
        }
    });
}

/// The standard methods: their label values are static.
const STANDARD_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
