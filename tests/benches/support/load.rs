//! Load generators for the served benchmarks: `wrk` when it is on PATH (scripts/test installs it), and a
//! built-in keep-alive generator. Figures only.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};

/// `connections` clients, each sending requests one after another on its own keep-alive connection, for
/// `duration`: (requests per second, p99 latency in ms).
pub(crate) async fn load(
    addr: SocketAddr,
    path: &'static str,
    connections: usize,
    duration: Duration,
) -> (f64, f64, u64) {
    let until = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(conn);
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < until {
                let started = Instant::now();
                let req = http::Request::get(path).header("host", "bench").body(Empty::new()).unwrap();
                match sender.send_request(req).await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.into_body().collect().await;
                        latencies.push(started.elapsed().as_secs_f64() * 1e3);
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p99 = all.get(all.len() * 99 / 100).copied().unwrap_or(f64::NAN);
    (all.len() as f64 / duration.as_secs_f64(), p99, errors)
}

/// The same load from `wrk` (installed by scripts/test) when it is on PATH: 2 threads, `connections`
/// connections, `seconds`. Returns (requests per second, p99 latency in ms, non-2xx/3xx or socket errors).
pub(crate) fn wrk(addr: SocketAddr, path: &str, connections: usize, seconds: u64) -> Option<(f64, f64, u64)> {
    let out = std::process::Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency"])
        .arg(format!("http://{addr}{path}"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let number = |line: &str| line.split_whitespace().last().map(str::to_string);
    let rps = text.lines().find(|l| l.starts_with("Requests/sec:")).and_then(number)?.parse().ok()?;
    let p99 = text.lines().find(|l| l.trim_start().starts_with("99%")).and_then(number)?;
    let p99_ms = if let Some(us) = p99.strip_suffix("us") {
        us.parse::<f64>().ok()? / 1000.0
    } else if let Some(ms) = p99.strip_suffix("ms") {
        ms.parse::<f64>().ok()?
    } else {
        p99.strip_suffix('s')?.parse::<f64>().ok()? * 1000.0
    };
    let errors = text
        .lines()
        .filter(|l| l.contains("Non-2xx or 3xx responses:") || l.contains("Socket errors:"))
        .flat_map(|l| l.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse::<u64>().ok()))
        .sum();
    Some((rps, p99_ms, errors))
}

/// One GET on a fresh connection: the status and the body; `None` when the server cannot be reached.
pub(crate) async fn fetch(addr: SocketAddr, path: &str) -> Option<(u16, Bytes)> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(hyper_util::rt::TokioIo::new(stream)).await.ok()?;
    tokio::spawn(conn);
    let req = http::Request::get(path).header("host", "bench").body(Empty::new()).unwrap();
    let res = sender.send_request(req).await.ok()?;
    let status = res.status().as_u16();
    Some((status, res.into_body().collect().await.ok()?.to_bytes()))
}

/// The median of some figures.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}
