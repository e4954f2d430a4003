//! Interleaved A/B timing: alternate short rounds of two workloads and compare medians, so that machine noise
//! (other tenants, frequency changes) hits both sides alike. Used for the ratios the benchmarks print.

use std::time::{Duration, Instant};

/// Median nanoseconds per call of `a` and `b`, measured in `rounds` alternating rounds of about `round` each.
pub(crate) fn interleaved(rounds: usize, round: Duration, a: impl FnMut(), b: impl FnMut()) -> (f64, f64) {
    let (a, b) = interleaved_rounds(rounds, round, a, b);
    (a.median, b.median)
}

/// Per-round figures of one side: the median and the fastest round (nanoseconds per call).
#[allow(dead_code)]
pub(crate) struct Rounds {
    pub(crate) median: f64,
    pub(crate) fastest: f64,
}

/// [`interleaved`], with each side's fastest round too.
pub(crate) fn interleaved_rounds(
    rounds: usize,
    round: Duration,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (Rounds, Rounds) {
    let calibrate = |f: &mut dyn FnMut()| {
        let mut n = 1u64;
        loop {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            if t.elapsed() >= round / 4 || n >= 1 << 30 {
                return (n as f64 * round.as_secs_f64() / t.elapsed().as_secs_f64().max(1e-9)).max(1.0) as u64;
            }
            n *= 2;
        }
    };
    let (na, nb) = (calibrate(&mut a), calibrate(&mut b));
    let mut sa = Vec::with_capacity(rounds);
    let mut sb = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let run = |f: &mut dyn FnMut(), n: u64, out: &mut Vec<f64>| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            out.push(t.elapsed().as_nanos() as f64 / n as f64);
        };
        // Alternate which side goes first so neither always follows the other.
        if i % 2 == 0 {
            run(&mut a, na, &mut sa);
            run(&mut b, nb, &mut sb);
        } else {
            run(&mut b, nb, &mut sb);
            run(&mut a, na, &mut sa);
        }
    }
    let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (fa, fb) = (fastest(&sa), fastest(&sb));
    (Rounds { median: median(&mut sa), fastest: fa }, Rounds { median: median(&mut sb), fastest: fb })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|x, y| x.partial_cmp(y).expect("finite timings"));
    v[v.len() / 2]
}
