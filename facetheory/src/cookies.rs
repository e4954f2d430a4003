//! [`Cookies`]: request cookies, parsed in linear time within browser limits.

use http::HeaderMap;

use crate::params::percent_decode;

/// Most cookies read from one request (Chrome's per-site limit); later ones are ignored.
pub(crate) const MAX_COOKIES: usize = 180;
/// Longest `name=value` pair read (browsers' per-cookie limit); longer pairs are ignored.
pub(crate) const MAX_COOKIE_BYTES: usize = 4096;
/// Most `cookie` header text read from one request; the rest is ignored.
pub(crate) const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// Request cookies parsed from every `cookie` header (the TypeScript runtime's rules: `name=value` pairs split
/// on `;`, surrounding quotes stripped, values percent-decoded when valid, later duplicates win), in linear time
/// and within browser limits: at most 180 (`MAX_COOKIES`) pairs of at most 4096 bytes (`MAX_COOKIE_BYTES`) each, from the first
/// 64 KiB (`MAX_COOKIE_HEADER_BYTES`) of header text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cookies(Vec<(String, String)>);

impl Cookies {
    /// Parses all `cookie` headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut budget = MAX_COOKIE_HEADER_BYTES;
        'headers: for value in headers.get_all(http::header::COOKIE) {
            // Only the part within the budget is looked at (validating a 1 MiB header would cost as much as
            // parsing it); over the budget, only whole pairs up to the last `;` before the cut are kept.
            let bytes = value.as_bytes();
            let (head, cut) = if bytes.len() <= budget { (bytes, false) } else { (&bytes[..budget], true) };
            let Ok(head) = std::str::from_utf8(head) else { continue };
            budget -= head.len();
            let text = if cut { head.rfind(';').map_or("", |i| &head[..i]) } else { head };
            for part in text.split(';') {
                if pairs.len() == MAX_COOKIES {
                    break 'headers;
                }
                let part = part.trim();
                if part.len() > MAX_COOKIE_BYTES {
                    continue;
                }
                let Some(eq) = part.find('=').filter(|i| *i > 0) else { continue };
                pairs.push((part[..eq].trim(), part[eq + 1..].trim()));
            }
            if budget == 0 {
                break;
            }
        }
        // Later duplicates win, in the position of their last occurrence: one pass to find it, one to keep it.
        let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::with_capacity(pairs.len());
        for (i, (name, _)) in pairs.iter().enumerate() {
            last.insert(name, i);
        }
        let out = pairs
            .iter()
            .enumerate()
            .filter(|(i, (name, _))| last.get(name) == Some(i))
            .map(|(_, (name, val))| {
                let val = match val.len() >= 2 && val.starts_with('"') && val.ends_with('"') {
                    true => &val[1..val.len() - 1],
                    false => val,
                };
                let val = percent_decode(val).map(|c| c.into_owned()).unwrap_or_else(|_| val.to_string());
                (name.to_string(), val)
            })
            .collect();
        Cookies(out)
    }

    /// A cookie's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// All cookies as (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(values: &[&str]) -> Cookies {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(http::header::COOKIE, http::HeaderValue::from_str(v).unwrap());
        }
        Cookies::from_headers(&headers)
    }

    #[test]
    fn rules_and_later_duplicates_win() {
        let c = cookies(&["a=1; b=\"two\"; =x; junk; c=caf%C3%A9", "a=3; d=%zz"]);
        let all: Vec<(&str, &str)> = c.iter().collect();
        assert_eq!(all, [("b", "two"), ("c", "café"), ("a", "3"), ("d", "%zz")]);
    }

    #[test]
    fn limits_follow_browsers() {
        // More cookies than a browser keeps: the first 180 count, the rest are ignored.
        let many: String = (0..500).map(|i| format!("c{i}=v; ")).collect();
        let c = cookies(&[&many]);
        assert_eq!(c.iter().count(), MAX_COOKIES);
        assert_eq!(c.get("c179"), Some("v"));
        assert_eq!(c.get("c180"), None);
        // A pair over 4 KiB is ignored, its neighbours are not.
        let big = format!("a=1; big={}; b=2", "x".repeat(MAX_COOKIE_BYTES));
        let c = cookies(&[&big]);
        assert_eq!((c.get("a"), c.get("big"), c.get("b")), (Some("1"), None, Some("2")));
        // Past 64 KiB of header text only whole pairs before the cut are read.
        let filler = format!("f={}; ", "y".repeat(4000));
        let long: String = filler.repeat(20) + "late=1";
        let c = cookies(&[&long]);
        assert_eq!(c.get("late"), None);
        assert_eq!(c.get("f").map(str::len), Some(4000));
    }

    #[test]
    fn a_huge_header_is_parsed_in_linear_time() {
        // 45k distinct cookies (the measured attack): bounded by the caps, so the work is the scan alone.
        let header: String = (0..45_000).map(|i| format!("k{i}=v; ")).collect();
        let mut headers = HeaderMap::new();
        headers.insert(http::header::COOKIE, http::HeaderValue::from_str(&header).unwrap());
        let c = Cookies::from_headers(&headers);
        assert_eq!(c.iter().count(), MAX_COOKIES);
    }
}
