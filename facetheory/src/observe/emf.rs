//! [`EmfRecorder`]: a `metrics` recorder that writes CloudWatch Embedded Metric Format documents, one JSON line
//! per update, to stdout (or any writer). On Lambda, stdout goes to CloudWatch Logs, which extracts the metrics
//! with no agent and no API calls on the request path.
//!
//! Only the tags named as dimensions become CloudWatch dimensions (each distinct combination is a billed
//! metric); every other tag is a property of the log line, searchable in Logs Insights at no metric cost.

use std::io::Write;
use std::sync::{Arc, Mutex};

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, SharedString, Unit};

/// Writes metrics as CloudWatch EMF lines.
///
/// ```
/// use facetheory::observe::EmfRecorder;
/// let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
/// let recorder = EmfRecorder::new("blog").writer(SharedBuf(out.clone()));
/// metrics::with_local_recorder(&recorder, || {
///     metrics::counter!("facetheory.request", "route_pattern" => "/blog/<slug>", "status" => "200").increment(1);
/// });
/// let line: serde_json::Value = serde_json::from_slice(&out.lock().unwrap()).unwrap();
/// assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"], serde_json::json!([["route_pattern"]]));
/// assert_eq!(line["facetheory.request"], 1.0);
/// assert_eq!(line["status"], "200");
/// # struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
/// # impl std::io::Write for SharedBuf {
/// #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().write(b) }
/// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// # }
/// ```
#[derive(Clone)]
pub struct EmfRecorder {
    inner: Arc<Inner>,
}

struct Inner {
    namespace: String,
    dimensions: Vec<String>,
    out: Mutex<Box<dyn Write + Send>>,
    /// Pre-rendered lines by key hash, at most [`MAX_TEMPLATES`]. Not a map by `Key`: its equality sorts the
    /// labels of both keys on every compare, which cost more than the line.
    templates: Mutex<std::collections::HashMap<u64, Vec<Arc<Template>>>>,
}

impl EmfRecorder {
    /// Metrics in CloudWatch `namespace`, written to stdout, with `route_pattern` as the one dimension.
    pub fn new(namespace: impl Into<String>) -> Self {
        EmfRecorder {
            inner: Arc::new(Inner {
                namespace: namespace.into(),
                dimensions: vec!["route_pattern".into()],
                out: Mutex::new(Box::new(std::io::stdout())),
                templates: Mutex::default(),
            }),
        }
    }

    /// The tags that become dimensions (CloudWatch allows 30; keep them few and bounded).
    pub fn dimensions(self, tags: &[&str]) -> Self {
        self.rebuild(|inner| inner.dimensions = tags.iter().map(|t| t.to_string()).collect())
    }

    /// Writes to `out` instead of stdout.
    pub fn writer(self, out: impl Write + Send + 'static) -> Self {
        self.rebuild(|inner| inner.out = Mutex::new(Box::new(out)))
    }

    /// Installs it as the process's global recorder (once per process).
    pub fn install(self) -> Result<(), metrics::SetRecorderError<Self>> {
        metrics::set_global_recorder(self)
    }

    fn rebuild(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => Inner {
                namespace: shared.namespace.clone(),
                dimensions: shared.dimensions.clone(),
                out: Mutex::new(Box::new(std::io::stdout())),
                templates: Mutex::default(),
            },
        };
        f(&mut inner);
        // Lines rendered under the previous settings are not kept.
        inner.templates = Mutex::default();
        EmfRecorder { inner: Arc::new(inner) }
    }
}

/// Most keys whose lines are kept pre-rendered (then the set starts over).
const MAX_TEMPLATES: usize = 1024;

/// One key's EMF line without its timestamp and value. A line is the `_aws` envelope naming the metric and its
/// dimensions, then every tag and the value as top-level members; all but the timestamp and the value is fixed
/// per key and unit, so it is rendered once (strings JSON-escaped by serde_json) and copied per update.
struct Template {
    key: Key,
    unit: &'static str,
    /// From after the timestamp to the metric's own member name and its colon.
    middle: Vec<u8>,
}

impl Inner {
    /// The key's template, rendered on its first use.
    fn template(&self, key: &Key, unit: &'static str) -> Arc<Template> {
        let mut kept = self.templates.lock().unwrap_or_else(|p| p.into_inner());
        let same = kept.get(&key.get_hash()).and_then(|ts| ts.iter().find(|t| t.unit == unit && same_key(&t.key, key)));
        if let Some(t) = same {
            return Arc::clone(t);
        }
        let template = Arc::new(self.render_template(key, unit));
        if kept.values().map(Vec::len).sum::<usize>() >= MAX_TEMPLATES {
            kept.clear();
        }
        kept.entry(key.get_hash()).or_default().push(Arc::clone(&template));
        template
    }

    fn render_template(&self, key: &Key, unit: &'static str) -> Template {
        let json = |out: &mut Vec<u8>, text: &str| {
            let _ = serde_json::to_writer(&mut *out, text);
        };
        let mut out = Vec::with_capacity(384);
        out.extend_from_slice(b",\"CloudWatchMetrics\":[{\"Namespace\":");
        json(&mut out, &self.namespace);
        out.extend_from_slice(b",\"Dimensions\":[[");
        let mut first = true;
        for label in key.labels().filter(|l| self.dimensions.iter().any(|d| d == l.key())) {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            json(&mut out, label.key());
        }
        out.extend_from_slice(b"]],\"Metrics\":[{\"Name\":");
        json(&mut out, key.name());
        out.extend_from_slice(b",\"Unit\":\"");
        out.extend_from_slice(unit.as_bytes());
        out.extend_from_slice(b"\"}]}]}");
        for label in key.labels() {
            out.push(b',');
            json(&mut out, label.key());
            out.push(b':');
            json(&mut out, label.value());
        }
        out.push(b',');
        json(&mut out, key.name());
        out.push(b':');
        Template { key: key.clone(), unit, middle: out }
    }

    fn write(&self, template: &Template, value: f64) {
        if !value.is_finite() {
            return;
        }
        const START: &[u8] = b"{\"_aws\":{\"Timestamp\":";
        // The line is built in a buffer of this thread's (no allocation once warm), numbers as serde_json writes
        // them (itoa, zmij).
        thread_local! {
            static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let write_line = |line: &mut Vec<u8>| {
            line.clear();
            line.extend_from_slice(START);
            line.extend_from_slice(itoa::Buffer::new().format(crate::clock::now_ms()).as_bytes());
            line.extend_from_slice(&template.middle);
            line.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
            line.extend_from_slice(b"}\n");
            // One write per line under the lock, so lines from concurrent requests never interleave.
            let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
            let _ = out.write_all(line);
            let _ = out.flush();
        };
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => {
                write_line(&mut line);
                // A rare huge line (a key with long labels) does not keep its buffer.
                if line.capacity() > 64 * 1024 {
                    *line = Vec::new();
                }
            }
            Err(_) => write_line(&mut Vec::new()),
        });
    }
}

/// The same name and labels in the same order (a key with its labels in another order gets a template of its
/// own, which renders the same line). Texts compare by address first: a caller that keeps its keys (facetheory's
/// request metrics) passes the same strings every time.
fn same_key(a: &Key, b: &Key) -> bool {
    let same = |x: &str, y: &str| std::ptr::eq(x, y) || x == y;
    same(a.name(), b.name())
        && a.labels().len() == b.labels().len()
        && a.labels().zip(b.labels()).all(|(x, y)| same(x.key(), y.key()) && same(x.value(), y.value()))
}

struct Handle {
    inner: Arc<Inner>,
    template: Arc<Template>,
}

impl Handle {
    fn write(&self, value: f64) {
        self.inner.write(&self.template, value);
    }
}

impl metrics::CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.write(value as f64);
    }
    fn absolute(&self, value: u64) {
        self.write(value as f64);
    }
}

impl metrics::HistogramFn for Handle {
    fn record(&self, value: f64) {
        self.write(value);
    }
}

impl metrics::GaugeFn for Handle {
    fn increment(&self, value: f64) {
        self.write(value);
    }
    fn decrement(&self, value: f64) {
        self.write(-value);
    }
    fn set(&self, value: f64) {
        self.write(value);
    }
}

/// `Milliseconds` for names ending in `_ms`, else `None` (CloudWatch's unit names).
fn unit_for(key: &Key, default: &'static str) -> &'static str {
    if key.name().ends_with("_ms") {
        "Milliseconds"
    } else {
        default
    }
}

impl EmfRecorder {
    fn handle(&self, key: &Key, unit: &'static str) -> Handle {
        Handle { inner: Arc::clone(&self.inner), template: self.inner.template(key, unit) }
    }
}

impl metrics::Recorder for EmfRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(self.handle(key, unit_for(key, "Count"))))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(Arc::new(self.handle(key, unit_for(key, "None"))))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(self.handle(key, unit_for(key, "None"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(b)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn documents_follow_the_emf_envelope() {
        let buf = Buf::default();
        let recorder = EmfRecorder::new("site").dimensions(&["route_pattern", "outcome"]).writer(buf.clone());
        metrics::with_local_recorder(&recorder, || {
            metrics::histogram!("facetheory.isr.regeneration_ms", "route_pattern" => "/x", "outcome" => "success", "method" => "GET").record(12.5);
            metrics::counter!("facetheory.request").increment(1);
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        let aws = &lines[0]["_aws"];
        assert!(aws["Timestamp"].as_u64().unwrap() > 1_600_000_000_000);
        let directive = &aws["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "site");
        assert_eq!(directive["Dimensions"], serde_json::json!([["route_pattern", "outcome"]]));
        assert_eq!(
            directive["Metrics"],
            serde_json::json!([{"Name": "facetheory.isr.regeneration_ms", "Unit": "Milliseconds"}])
        );
        assert_eq!(lines[0]["facetheory.isr.regeneration_ms"], 12.5);
        assert_eq!((lines[0]["route_pattern"].as_str(), lines[0]["method"].as_str()), (Some("/x"), Some("GET")));
        // Every dimension names a top-level string member; the metric names a top-level number.
        assert_eq!(lines[1]["_aws"]["CloudWatchMetrics"][0]["Dimensions"], serde_json::json!([[]]));
        assert_eq!(lines[1]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Count");
    }

    /// Lines are rendered from a template per key: each key's line carries its own tags and unit, the value and
    /// a fresh timestamp, also past the template limit and when one name is used as two kinds.
    #[test]
    fn templated_lines_keep_each_key_its_own() {
        let buf = Buf::default();
        let recorder = EmfRecorder::new("site").writer(buf.clone());
        let routes: Vec<String> = (0..MAX_TEMPLATES + 10).map(|i| format!("/r{i}")).collect();
        metrics::with_local_recorder(&recorder, || {
            for (i, route) in routes.iter().enumerate() {
                metrics::counter!("facetheory.request", "route_pattern" => route.clone()).increment(i as u64);
            }
            metrics::counter!("facetheory.request", "route_pattern" => "/r0").increment(7);
            metrics::histogram!("facetheory.request", "route_pattern" => "/r0").record(2.5);
            // Equal keys with their labels in two orders (one hash): each line has both labels.
            metrics::counter!("x", "a" => "1", "b" => "2").increment(1);
            metrics::counter!("x", "b" => "2", "a" => "1").increment(2);
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), routes.len() + 4);
        for (line, value) in lines[routes.len() + 2..].iter().zip([1.0, 2.0]) {
            assert_eq!(
                (line["a"].as_str(), line["b"].as_str(), line["x"].as_f64()),
                (Some("1"), Some("2"), Some(value))
            );
        }
        for (i, route) in routes.iter().enumerate() {
            assert_eq!(lines[i]["route_pattern"], route.as_str());
            assert_eq!(lines[i]["facetheory.request"], i as f64);
        }
        let (again, histogram) = (&lines[routes.len()], &lines[routes.len() + 1]);
        assert_eq!((again["route_pattern"].as_str(), again["facetheory.request"].as_f64()), (Some("/r0"), Some(7.0)));
        assert_eq!(again["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Count");
        assert_eq!(histogram["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "None", "a histogram's own unit");
        assert_eq!(histogram["facetheory.request"], 2.5);
    }
}
