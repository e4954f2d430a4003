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
}

impl EmfRecorder {
    /// Metrics in CloudWatch `namespace`, written to stdout, with `route_pattern` as the one dimension.
    pub fn new(namespace: impl Into<String>) -> Self {
        EmfRecorder {
            inner: Arc::new(Inner {
                namespace: namespace.into(),
                dimensions: vec!["route_pattern".into()],
                out: Mutex::new(Box::new(std::io::stdout())),
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
            },
        };
        f(&mut inner);
        EmfRecorder { inner: Arc::new(inner) }
    }
}

impl Inner {
    /// One EMF document, as one line: the `_aws` envelope naming the metric and its dimensions, then every
    /// tag and the value as top-level members. Written directly (strings JSON-escaped by serde_json), without
    /// building a JSON tree: this runs for every metric update.
    fn document(&self, key: &Key, unit: &'static str, value: f64) -> Vec<u8> {
        let json = |out: &mut Vec<u8>, text: &str| {
            let _ = serde_json::to_writer(&mut *out, text);
        };
        let mut out = Vec::with_capacity(384);
        out.extend_from_slice(b"{\"_aws\":{\"Timestamp\":");
        out.extend_from_slice(crate::clock::now_ms().to_string().as_bytes());
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
        let _ = serde_json::to_writer(&mut out, &value);
        out.extend_from_slice(b"}\n");
        out
    }

    fn write(&self, key: &Key, unit: &'static str, value: f64) {
        if !value.is_finite() {
            return;
        }
        let line = self.document(key, unit, value);
        // One write per line under the lock, so lines from concurrent requests never interleave.
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let _ = out.write_all(&line);
        let _ = out.flush();
    }
}

struct Handle {
    inner: Arc<Inner>,
    key: Key,
    unit: &'static str,
}

impl metrics::CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.inner.write(&self.key, self.unit, value as f64);
    }
    fn absolute(&self, value: u64) {
        self.inner.write(&self.key, self.unit, value as f64);
    }
}

impl metrics::HistogramFn for Handle {
    fn record(&self, value: f64) {
        self.inner.write(&self.key, self.unit, value);
    }
}

impl metrics::GaugeFn for Handle {
    fn increment(&self, value: f64) {
        self.inner.write(&self.key, self.unit, value);
    }
    fn decrement(&self, value: f64) {
        self.inner.write(&self.key, self.unit, -value);
    }
    fn set(&self, value: f64) {
        self.inner.write(&self.key, self.unit, value);
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

impl metrics::Recorder for EmfRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let unit = unit_for(key, "Count");
        Counter::from_arc(Arc::new(Handle { inner: Arc::clone(&self.inner), key: key.clone(), unit }))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let unit = unit_for(key, "None");
        Gauge::from_arc(Arc::new(Handle { inner: Arc::clone(&self.inner), key: key.clone(), unit }))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let unit = unit_for(key, "None");
        Histogram::from_arc(Arc::new(Handle { inner: Arc::clone(&self.inner), key: key.clone(), unit }))
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
}
