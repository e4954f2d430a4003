use facetheory::prelude::*;

use crate::islands::CounterData;

/// `GET /api/counter`: the counter island's hydration data, fetched by the strict-CSP page (which may not inline
/// it).
#[resource]
pub fn counter() -> Result<ResourceResponse> {
    ResourceResponse::json(&CounterData { start: 10, step: 5, label: "Clicks".into() })
}
