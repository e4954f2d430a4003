//! The request metrics' keys, kept per outcome: a request's `facetheory.request`, `facetheory.render_ms` and
//! `facetheory.isr.cache` keys depend only on static texts and small values (route pattern, method, status,
//! mode, ISR state, …), so each thread builds them once per outcome and reuses them — no label building,
//! allocation or hashing per request.

use metrics::Label;

use super::{static_method, static_status};
use crate::isr::IsrState;

/// What the request metrics' labels are made of. Every part is static text or a small value, so a site has a
/// few dozen distinct outcomes per route.
#[derive(Clone, Copy)]
pub(super) struct Outcome {
    pub(super) route: &'static str,
    /// `None` for a non-standard method (never cached).
    pub(super) method: Option<&'static str>,
    pub(super) mode: &'static str,
    pub(super) status: http::StatusCode,
    pub(super) isr_state: Option<IsrState>,
    pub(super) streamed: bool,
    pub(super) error_class: &'static str,
    pub(super) cold_start: bool,
}

impl PartialEq for Outcome {
    /// Static texts compare by address (the same route pattern, mode or class is one string): a per-request
    /// compare of contents cost more than the rest of the lookup. Equal texts at two addresses only miss the
    /// cache: the keys built for either carry the same labels.
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &'static str, b: &'static str| std::ptr::eq(a, b);
        same(self.route, other.route)
            && self.method.map(str::as_ptr) == other.method.map(str::as_ptr)
            && same(self.mode, other.mode)
            && self.status == other.status
            && self.isr_state == other.isr_state
            && self.streamed == other.streamed
            && same(self.error_class, other.error_class)
            && self.cold_start == other.cold_start
    }
}

/// The metric keys of one outcome: `facetheory.request`, `facetheory.render_ms`, `facetheory.isr.cache`.
pub(super) struct RequestKeys {
    outcome: Outcome,
    pub(super) request: metrics::Key,
    pub(super) render: metrics::Key,
    pub(super) isr: Option<metrics::Key>,
}

impl RequestKeys {
    pub(super) fn new(o: &Outcome, method: &str) -> RequestKeys {
        // Labels borrow the static strings (route patterns, modes, states, classes): no allocation for those.
        let route_label = || Label::new("route_pattern", metrics::SharedString::const_str(o.route));
        let isr_state = o.isr_state.map_or("", IsrState::as_str);
        let request = vec![
            Label::new("method", static_method(method)),
            route_label(),
            Label::from_static_parts("mode", o.mode),
            Label::new("status", static_status(o.status)),
            Label::from_static_parts("isr_state", isr_state),
            Label::from_static_parts("is_stream", if o.streamed { "1" } else { "0" }),
            Label::from_static_parts("error_class", o.error_class),
            Label::from_static_parts("cold_start", if o.cold_start { "1" } else { "0" }),
        ];
        let render =
            vec![Label::new("method", static_method(method)), route_label(), Label::from_static_parts("mode", o.mode)];
        let isr = o.isr_state.map(|state| {
            let labels = vec![
                Label::new("method", static_method(method)),
                route_label(),
                Label::from_static_parts("state", state.as_str()),
                Label::new("status", static_status(o.status)),
            ];
            metrics::Key::from_parts("facetheory.isr.cache", labels)
        });
        RequestKeys {
            outcome: *o,
            request: metrics::Key::from_parts("facetheory.request", request),
            render: metrics::Key::from_parts("facetheory.render_ms", render),
            isr,
        }
    }
}

/// Outcomes each thread keeps keys for (then it replaces them in turn).
const KEPT_OUTCOMES: usize = 32;

/// The keys of `outcome`, built once per thread: a request's metrics then cost no label building, allocation or
/// hashing (what building the keys per request cost was most of the metrics' share of a small page).
pub(super) fn request_keys(outcome: &Outcome, method: &str) -> std::rc::Rc<RequestKeys> {
    thread_local! {
        static KEPT: std::cell::RefCell<(usize, Vec<std::rc::Rc<RequestKeys>>)> = const {
            std::cell::RefCell::new((0, Vec::new()))
        };
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        if let Some(keys) = kept.1.iter().find(|k| k.outcome == *outcome) {
            return std::rc::Rc::clone(keys);
        }
        let keys = std::rc::Rc::new(RequestKeys::new(outcome, method));
        let (next, list) = &mut *kept;
        if list.len() < KEPT_OUTCOMES {
            list.push(std::rc::Rc::clone(&keys));
        } else {
            list[*next % KEPT_OUTCOMES] = std::rc::Rc::clone(&keys);
            *next += 1;
        }
        keys
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(route: &'static str, status: u16) -> Outcome {
        Outcome {
            route,
            method: Some("GET"),
            mode: "ssr",
            status: http::StatusCode::from_u16(status).unwrap(),
            isr_state: None,
            streamed: false,
            error_class: "",
            cold_start: false,
        }
    }

    fn label<'k>(key: &'k metrics::Key, name: &str) -> &'k str {
        key.labels().find(|l| l.key() == name).map_or("<absent>", |l| l.value())
    }

    /// Keys are kept per outcome: the same outcome reuses its keys, another never gets them, and past the
    /// thread's limit every outcome still gets keys with its own labels.
    #[test]
    fn request_keys_are_reused_only_for_the_same_outcome() {
        const ROUTES: [&str; 40] = {
            let mut r = [""; 40];
            let names = ["/a0", "/a1", "/a2", "/a3", "/a4", "/a5", "/a6", "/a7", "/a8", "/a9"];
            let mut i = 0;
            while i < 40 {
                r[i] = names[i % 10];
                i += 1;
            }
            r
        };
        let a: &'static str = "/a";
        let first = request_keys(&outcome(a, 200), "GET");
        assert!(std::rc::Rc::ptr_eq(&first, &request_keys(&outcome(a, 200), "GET")));
        let not_found = request_keys(&outcome(a, 404), "GET");
        assert_eq!(label(&not_found.request, "status"), "404");
        assert_eq!(label(&first.request, "status"), "200");
        for (i, route) in ROUTES.iter().enumerate() {
            let status = [200, 404, 500, 304][i / 10];
            let keys = request_keys(&outcome(route, status), "GET");
            assert_eq!(label(&keys.request, "route_pattern"), *route);
            assert_eq!(label(&keys.request, "status"), status.to_string());
            assert_eq!(label(&keys.render, "route_pattern"), *route);
            assert!(keys.isr.is_none());
        }
        let isr = request_keys(&Outcome { isr_state: Some(IsrState::Hit), ..outcome(a, 200) }, "GET");
        assert_eq!(label(isr.isr.as_ref().expect("an ISR key"), "state"), "hit");
        assert_eq!(label(&isr.request, "isr_state"), "hit");
    }
}
