//! `cache-control` values per kind of response: one place, read by the runtime, the SSG manifest and the
//! deployment plan.

/// SSR pages that set none: never shared, never stored.
pub const SSR: &str = "private, no-store";
/// SSG HTML and its hydration data files: the CDN keeps them for ten minutes, browsers revalidate.
pub const SSG: &str = "public, max-age=0, s-maxage=600";
/// Content-hashed client assets.
pub const ASSET: &str = "public, max-age=31536000, immutable";
/// Per-request answers (sidecars, JSON endpoints, refusals).
pub const NO_STORE: &str = "no-store";
/// ISR pages, as written in documentation and manifests (`<revalidate>` stands for the face's seconds).
pub const ISR_TEMPLATE: &str = "public, max-age=0, s-maxage=0, stale-if-error=<revalidate>, must-revalidate";

/// `cache-control` of ISR responses: the CDN revalidates on every request (the origin answers from its own
/// cache), and may serve the last copy for `revalidate_seconds` when the origin fails.
///
/// ```
/// assert_eq!(
///     facetheory::cache_control::isr(60),
///     "public, max-age=0, s-maxage=0, stale-if-error=60, must-revalidate"
/// );
/// ```
pub fn isr(revalidate_seconds: u64) -> String {
    ISR_TEMPLATE.replace("<revalidate>", &revalidate_seconds.to_string())
}

/// [`isr`] as a header value. It is set on every ISR hit and a site has few distinct revalidate times: each
/// thread keeps the last four it built (a clone is a reference count).
pub(crate) fn isr_header(revalidate_seconds: u64) -> http::HeaderValue {
    /// The next slot to replace, and the values built so far by revalidate seconds.
    type Built = (usize, [Option<(u64, http::HeaderValue)>; 4]);
    thread_local! {
        static BUILT: std::cell::RefCell<Built> = Default::default();
    }
    BUILT.with(|built| {
        let mut built = built.borrow_mut();
        if let Some((_, v)) = built.1.iter().flatten().find(|(s, _)| *s == revalidate_seconds) {
            return v.clone();
        }
        let value = build_isr_header(revalidate_seconds);
        let slot = built.0 % 4;
        built.1[slot] = Some((revalidate_seconds, value.clone()));
        built.0 += 1;
        value
    })
}

fn build_isr_header(revalidate_seconds: u64) -> http::HeaderValue {
    let (before, after) = ISR_TEMPLATE.split_once("<revalidate>").expect("the template has the placeholder");
    let seconds = revalidate_seconds.to_string();
    let mut value = String::with_capacity(before.len() + seconds.len() + after.len());
    value.push_str(before);
    value.push_str(&seconds);
    value.push_str(after);
    // Visible ASCII by construction; an exact-size buffer becomes the value without a copy.
    http::HeaderValue::from_maybe_shared(bytes::Bytes::from(value)).expect("visible ASCII")
}

#[cfg(test)]
mod tests {
    #[test]
    fn isr_header_matches_the_text_for_every_value() {
        for s in [60, 1, 60, 3600, 5, 7, 9, 60, 0] {
            assert_eq!(super::isr_header(s).to_str().unwrap(), super::isr(s));
        }
    }
}
