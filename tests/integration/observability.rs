//! The request log event, the metrics (names and tags) and the error hook, asserted exactly with a capturing
//! `tracing` layer and a capturing `metrics` recorder, for: an SSR 200, a 404, a 500, an ISR miss then hit, a
//! stream failing after its first chunk, a failed regeneration serving stale, and a background regeneration.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use facetheory::isr::{IsrRuntime, Revalidation};
use facetheory::observe::Phase;
use http_body_util::BodyExt;
use tracing_subscriber::layer::SubscriberExt;

type Fields = BTreeMap<String, String>;

/// Every `facetheory::request` event's fields (and its level), and the names of the spans opened.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<Fields>>>, Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.1.lock().unwrap().push(attrs.metadata().name().to_string());
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Visit<'a>(&'a mut Fields);
        impl tracing::field::Visit for Visit<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.insert(field.name().to_string(), format!("{value:?}").trim_matches('"').to_string());
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.insert(field.name().to_string(), value.to_string());
            }
        }
        let mut fields = Fields::new();
        fields.insert("level".into(), event.metadata().level().to_string());
        event.record(&mut Visit(&mut fields));
        if fields.get("event").map(String::as_str) == Some("facetheory.request.completed") {
            self.0.lock().unwrap().push(fields);
        }
    }
}

/// Every metric update: (name, sorted tags, value).
#[derive(Clone, Default)]
struct Metrics(Arc<Mutex<Vec<(String, Fields, f64)>>>);

struct Handle(Metrics, metrics::Key);

impl metrics::CounterFn for Handle {
    fn increment(&self, value: u64) {
        metrics::HistogramFn::record(self, value as f64);
    }
    fn absolute(&self, value: u64) {
        metrics::HistogramFn::record(self, value as f64);
    }
}
impl metrics::HistogramFn for Handle {
    fn record(&self, value: f64) {
        let tags = self.1.labels().map(|l| (l.key().to_string(), l.value().to_string())).collect();
        self.0 .0.lock().unwrap().push((self.1.name().to_string(), tags, value));
    }
}

impl metrics::Recorder for Metrics {
    fn describe_counter(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn describe_gauge(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn describe_histogram(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        metrics::Counter::from_arc(Arc::new(Handle(self.clone(), key.clone())))
    }
    fn register_gauge(&self, _: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        metrics::Gauge::noop()
    }
    fn register_histogram(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Histogram {
        metrics::Histogram::from_arc(Arc::new(Handle(self.clone(), key.clone())))
    }
}

impl Metrics {
    fn named(&self, name: &str) -> Vec<Fields> {
        self.0.lock().unwrap().iter().filter(|(n, _, _)| n == name).map(|(_, t, _)| t.clone()).collect()
    }
}

/// One error hook call, as owned data.
#[derive(Debug, Clone, PartialEq)]
struct Hooked {
    phase: Phase,
    request_id: String,
    route: String,
    mode: &'static str,
    class: String,
}

static FAIL_NEXT: AtomicBool = AtomicBool::new(false);

mod faces {
    use facetheory::prelude::*;
    use std::sync::atomic::Ordering;

    #[face(route = "/obs/boom")]
    pub fn boom() -> Result<Page> {
        Err(Error::msg("database unreachable"))
    }

    #[face(route = "/obs/slow", mode = "isr", revalidate = 60)]
    pub async fn slow() -> Page {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Page::new(html! { "slow" })
    }

    #[face(route = "/obs/cached", mode = "isr", revalidate = 60)]
    pub fn cached() -> Result<Page> {
        if super::FAIL_NEXT.load(Ordering::SeqCst) {
            return Err(Error::msg("upstream timed out"));
        }
        Ok(Page::new(html! { "cached" }))
    }
}

struct Run {
    events: Vec<Fields>,
    spans: Vec<String>,
    metrics: Metrics,
    hooked: Vec<Hooked>,
}

/// Builds the blog plus the test faces with `isr`, sends `paths` in order on one current-thread runtime (so
/// the thread-local subscriber and recorder see everything, background work included), draining bodies.
fn run(isr: IsrRuntime, paths: &[(&str, Option<&str>)]) -> Run {
    let events = Events::default();
    let metrics = Metrics::default();
    let hooked = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hooked);
    let app = blog::app()
        .isr(isr)
        .routes(facetheory::routes![faces::boom, faces::cached, faces::slow])
        .on_error(move |e| {
            seen.lock().unwrap().push(Hooked {
                phase: e.phase,
                request_id: e.request_id.to_string(),
                route: e.route.to_string(),
                mode: e.mode,
                class: e.error_class.to_string(),
            });
            if e.message.contains("upstream") {
                panic!("a hook that panics does not take the request down");
            }
        })
        .build()
        .unwrap();
    let subscriber = tracing_subscriber::registry().with(events.clone());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tracing::subscriber::with_default(subscriber, || {
        metrics::with_local_recorder(&metrics, || {
            rt.block_on(async {
                if paths.is_empty() {
                    // Two requests at once on a cold page: one renders, the other meets the lease.
                    let get = || app.handle(http::Request::get("/obs/slow").body(String::new()).unwrap());
                    let (a, b) = tokio::join!(get(), get());
                    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
                }
                for (path, id) in paths {
                    // As the Lambda adapter sets it: the invocation id, beside the client's x-request-id.
                    let mut req =
                        http::Request::get(*path).extension(facetheory::AdapterRequestId("invocation-1".into()));
                    if let Some(id) = id {
                        req = req.header("x-request-id", *id);
                    }
                    let res = app.handle(req.body(String::new()).unwrap()).await;
                    let _ = res.into_body().collect().await;
                    app.after_response().drain().await;
                }
            })
        })
    });
    let hooked = hooked.lock().unwrap().clone();
    let spans = events.1.lock().unwrap().clone();
    let events = events.0.lock().unwrap().clone();
    Run { events, spans, metrics, hooked }
}

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map_or("<absent>", String::as_str)
}

#[test]
fn ssr_404_and_500_are_logged_counted_and_hooked() {
    let r =
        run(IsrRuntime::memory(), &[("/", Some("r-ssr")), ("/nowhere", Some("r-404")), ("/obs/boom", Some("r-500"))]);
    assert_eq!(r.events.len(), 3);
    let (ssr, missing, boom) = (&r.events[0], &r.events[1], &r.events[2]);
    for (e, level, id, route, mode, status, class) in [
        (ssr, "INFO", "r-ssr", "/", "ssr", "200", ""),
        (missing, "WARN", "r-404", "", "none", "404", ""),
        (boom, "ERROR", "r-500", "/obs/boom", "ssr", "500", "internal"),
    ] {
        assert_eq!(field(e, "level"), level, "{e:?}");
        assert_eq!(field(e, "request_id"), id);
        assert_eq!(field(e, "route"), route, "{e:?}");
        assert_eq!(field(e, "mode"), mode, "{e:?}");
        assert_eq!(field(e, "status"), status);
        assert_eq!(field(e, "error_class"), class, "{e:?}");
        assert_eq!(field(e, "method"), "GET");
        assert!(field(e, "duration_ms").parse::<f64>().is_ok(), "{e:?}");
    }
    assert_eq!(field(ssr, "path"), "/");
    assert_eq!(field(ssr, "lambda_request_id"), "invocation-1");
    assert!(field(ssr, "render_ms").parse::<f64>().is_ok(), "{ssr:?}");
    assert_eq!(field(missing, "render_ms"), "<absent>", "nothing rendered");
    assert_eq!(field(boom, "phase"), "render");
    assert_eq!(field(ssr, "cold_start"), "true", "the app's first request");
    assert_eq!(field(missing, "cold_start"), "false");

    let requests = r.metrics.named("facetheory.request");
    assert_eq!(requests.len(), 3);
    let tags: Vec<(&str, &str, &str, &str)> = requests
        .iter()
        .map(|t| (field(t, "route_pattern"), field(t, "status"), field(t, "mode"), field(t, "error_class")))
        .collect();
    assert_eq!(tags, [("/", "200", "ssr", ""), ("", "404", "none", ""), ("/obs/boom", "500", "ssr", "internal")]);
    assert_eq!(
        requests[0].keys().map(String::as_str).collect::<Vec<_>>(),
        ["cold_start", "error_class", "is_stream", "isr_state", "method", "mode", "route_pattern", "status"]
    );
    assert_eq!(r.metrics.named("facetheory.render_ms").len(), 2, "the home page and the failing face rendered");
    let errors = r.metrics.named("facetheory.error");
    assert_eq!(errors.len(), 1);
    assert_eq!((field(&errors[0], "phase"), field(&errors[0], "route_pattern")), ("render", "/obs/boom"));

    let boom_hook = Hooked {
        phase: Phase::Render,
        request_id: "r-500".into(),
        route: "/obs/boom".into(),
        mode: "ssr",
        class: "internal".into(),
    };
    assert_eq!(r.hooked, [boom_hook], "only the 5xx reaches the hook");
}

#[test]
fn isr_miss_hit_and_a_stream_failing_after_its_first_chunk() {
    let r = run(
        IsrRuntime::memory(),
        &[("/blog/routing", Some("r-miss")), ("/blog/routing", Some("r-hit")), ("/live?fail=1", Some("r-live"))],
    );
    let states: Vec<(&str, &str, &str)> =
        r.events.iter().map(|e| (field(e, "isr_state"), field(e, "mode"), field(e, "streamed"))).collect();
    assert_eq!(states, [("miss", "isr", "false"), ("hit", "isr", "false"), ("", "ssr", "true")]);
    assert!(field(&r.events[0], "render_ms").parse::<f64>().is_ok(), "a miss renders");
    assert_eq!(field(&r.events[1], "render_ms"), "<absent>", "a hit does not");
    let cache: Vec<(String, String)> = r
        .metrics
        .named("facetheory.isr.cache")
        .iter()
        .map(|t| (field(t, "state").to_string(), field(t, "route_pattern").to_string()))
        .collect();
    assert_eq!(cache, [("miss".into(), "/blog/<slug>".into()), ("hit".into(), "/blog/<slug>".into())]);
    // The stream broke after the response started: a 200 in the log — written when the body ended, so it
    // knows the stream failed and how long it ran — with the stream-error metric and hook.
    let live = &r.events[2];
    assert_eq!(
        (field(live, "status"), field(live, "error_class"), field(live, "phase")),
        ("200", "internal", "stream")
    );
    let (ttfb, total): (f64, f64) =
        (field(live, "ttfb_ms").parse().unwrap(), field(live, "duration_ms").parse().unwrap());
    assert!(total >= ttfb + 100.0, "the sections stream 100 ms apart after the head: {ttfb} then {total}");
    let stream_errors = r.metrics.named("facetheory.stream_error");
    assert_eq!(stream_errors.len(), 1);
    assert_eq!((field(&stream_errors[0], "route_pattern"), field(&stream_errors[0], "mode")), ("/live", "ssr"));
    assert_eq!(r.hooked.len(), 1);
    assert_eq!((r.hooked[0].phase, r.hooked[0].request_id.as_str()), (Phase::Stream, "r-live"));
    // The phases as spans, for a subscriber that records them (OpenTelemetry): the miss ran each one.
    for span in [
        "facetheory.request",
        "facetheory.match",
        "facetheory.isr.serve",
        "facetheory.isr.metadata_read",
        "facetheory.isr.regeneration",
        "facetheory.render",
        "facetheory.isr.store_write",
    ] {
        assert!(r.spans.iter().any(|s| s == span), "{span} in {:?}", r.spans);
    }
    assert_eq!(r.metrics.named("facetheory.isr.regeneration_ms").len(), 1);
    assert_eq!(field(&r.metrics.named("facetheory.isr.regeneration_ms")[0], "outcome"), "success");
}

#[test]
fn failed_and_background_regenerations_are_observed_with_the_originating_request() {
    let now = Arc::new(AtomicU64::new(1_000_000));
    let clock = Arc::clone(&now);
    let isr = IsrRuntime::memory().clock(move || clock.load(Ordering::SeqCst));
    FAIL_NEXT.store(false, Ordering::SeqCst);
    // A blocking regeneration that fails serves the stale page; the hook panics and the request survives.
    let first = run(isr.clone(), &[("/obs/cached", Some("r-1"))]);
    assert_eq!(field(&first.events[0], "isr_state"), "miss");
    now.fetch_add(61_000, Ordering::SeqCst);
    FAIL_NEXT.store(true, Ordering::SeqCst);
    let failed = run(isr.clone(), &[("/obs/cached", Some("r-2"))]);
    assert_eq!(field(&failed.events[0], "isr_state"), "stale");
    assert_eq!(field(&failed.events[0], "status"), "200");
    assert_eq!(field(&failed.events[0], "error_class"), "internal");
    assert_eq!(field(&failed.events[0], "phase"), "isr-regeneration");
    let hook = &failed.hooked[0];
    assert_eq!(
        (hook.phase, hook.request_id.as_str(), hook.route.as_str()),
        (Phase::IsrRegeneration, "r-2", "/obs/cached")
    );
    let regen = failed.metrics.named("facetheory.isr.regeneration_ms");
    assert_eq!(field(&regen[0], "outcome"), "stale_after_error");

    // Stale-while-revalidate: the expired page is served at once, regenerated after the response — and that
    // background failure is reported with the id of the request that started it.
    let swr = isr.revalidation(Revalidation::StaleWhileRevalidate);
    now.fetch_add(61_000, Ordering::SeqCst);
    let background = run(swr, &[("/obs/cached", Some("r-3"))]);
    assert_eq!(field(&background.events[0], "isr_state"), "stale");
    assert_eq!(background.hooked.len(), 1, "{:?}", background.hooked);
    assert_eq!((background.hooked[0].phase, background.hooked[0].request_id.as_str()), (Phase::IsrRegeneration, "r-3"));
    FAIL_NEXT.store(false, Ordering::SeqCst);
}

#[test]
fn a_held_lease_is_counted_as_contention() {
    let r = run(IsrRuntime::memory(), &[]);
    let contention = r.metrics.named("facetheory.isr.lease_contention");
    assert_eq!(contention.len(), 1, "{contention:?}");
    assert_eq!((field(&contention[0], "route_pattern"), field(&contention[0], "policy")), ("/obs/slow", "wait"));
    let states: Vec<&str> = r.events.iter().map(|e| field(e, "isr_state")).collect();
    assert_eq!(states, ["miss", "wait-hit"]);
}
