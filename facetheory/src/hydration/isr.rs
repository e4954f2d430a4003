//! ISR hydration sidecars: a strict ISR page's data is stored beside its generation's HTML, and the page
//! points at it with its own URL plus [`HYDRATION_PARAM`] (the base64url of the sidecar's store pointer). The
//! ISR engine serves it only to requests with the same cache key.

use crate::context::RequestInfo;

/// Query parameter of ISR hydration sidecar requests.
pub(crate) const HYDRATION_PARAM: &str = "__facetheory_isr_hydration";

/// `<path>?<query without an earlier marker>&__facetheory_isr_hydration=<param>`, where `param` names the
/// generation's sidecar (base64url of its store pointer).
pub(crate) fn isr_data_url(request: &RequestInfo, param: &str) -> String {
    let mut query: Vec<&str> = request
        .raw_query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !pair.is_empty() && crate::params::percent_decode(name).ok().as_deref() != Some(HYDRATION_PARAM)
        })
        .collect();
    let param = format!("{HYDRATION_PARAM}={param}");
    query.push(&param);
    format!("{}?{}", request.path, query.join("&"))
}
