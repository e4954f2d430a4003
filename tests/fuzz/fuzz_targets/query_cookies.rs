//! Query strings and cookie headers: parsing never panics, stays within the cookie caps, and the last
//! duplicate wins.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let query = facetheory::Query::parse(text);
    for (k, _) in query.iter() {
        assert!(query.get(k).is_some());
    }
    let mut headers = http::HeaderMap::new();
    if let Ok(v) = http::HeaderValue::from_str(text) {
        headers.append(http::header::COOKIE, v.clone());
        headers.append(http::header::COOKIE, v);
    }
    let cookies = facetheory::Cookies::from_headers(&headers);
    let names: Vec<&str> = cookies.iter().map(|(n, _)| n).collect();
    assert!(names.len() <= 180);
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "each name once");
});
