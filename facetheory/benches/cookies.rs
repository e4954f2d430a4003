//! Cookie parsing cost per request for 1k / 5k / 20k / 45k cookies in one `cookie` header (the hostile shape
//! that was quadratic): each size against the 1k case in the same interleaved run. The parser reads at most
//! 64 KiB of header text and 180 cookies, so the cost grows with the input up to the cap and then stays flat.

use std::time::Duration;

use criterion::black_box;

#[path = "support/interleave.rs"]
mod interleave;

fn headers(n: usize) -> http::HeaderMap {
    let text: String = (0..n).map(|i| format!("cookie{i}=value{i}; ")).collect();
    let mut h = http::HeaderMap::new();
    h.insert(http::header::COOKIE, http::HeaderValue::from_str(&text).expect("ASCII"));
    h
}

fn main() {
    let base = headers(1_000);
    println!("\ncookie parsing per request (interleaved rounds, medians; header size in bytes):");
    for n in [1_000, 5_000, 20_000, 45_000] {
        let h = headers(n);
        let bytes = h[http::header::COOKIE].len();
        let (one_k, this) = interleave::interleaved(
            15,
            Duration::from_millis(40),
            || {
                black_box(facetheory::Cookies::from_headers(black_box(&base)));
            },
            || {
                black_box(facetheory::Cookies::from_headers(black_box(&h)));
            },
        );
        println!(
            "  {n:>6} cookies ({bytes:>7} B)  {this:>10.0} ns   ({:.2}x the 1k case at {one_k:.0} ns)",
            this / one_k
        );
    }
}
