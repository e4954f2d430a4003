//! The release blog binary as a process (figures, never asserted):
//! 1. cold start of `serve`: spawn → first response, and peak RSS (VmHWM) after it;
//! 2. cold start on Lambda: spawn → the first invocation's response reaching a local Runtime API (the bench
//!    plays the Runtime API: `next` hands out one event, `response` records when the answer arrives), with the
//!    environment the deployment template sets (stores configured, AWS clients built lazily);
//! 3. throughput of `serve` with 64 connections on this machine (the load generator shares its 2 cores):
//!    req/s and p99 for an SSR page, an ISR hit and a JSON resource, from `wrk` (which scripts/test installs)
//!    when it is on PATH, and from a built-in keep-alive generator.
//!
//! The binary is built first (`cargo build --release -p blog`, nothing to do when it is current).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use load::{load, median, wrk};

#[path = "support/load.rs"]
mod load;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn blog_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo).args(["build", "--release", "--quiet", "-p", "blog", "--bin", "blog"]).status();
    assert!(status.is_ok_and(|s| s.success()), "cargo build --release -p blog");
    // target/release/deps/serve-… → target/release/blog
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(|d| d.parent()).unwrap().join("blog")
}

/// Peak resident set size of a running process, in KiB.
fn peak_rss_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn get(addr: SocketAddr, path: &str) -> Option<u16> {
    load::fetch(addr, path).await.map(|(status, _)| status)
}

fn serve(bin: &PathBuf, port: u16, isr_dir: &std::path::Path) -> Child {
    serve_logging(bin, port, isr_dir, "warn")
}

/// `serve` logging at `level` as JSON lines (to /dev/null): `info` is the request log on, as a container runs it.
fn serve_logging(bin: &PathBuf, port: u16, isr_dir: &std::path::Path, level: &str) -> Child {
    Command::new(bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("FACETHEORY_ISR_DIR", isr_dir)
        .env("RUST_LOG", level)
        .env("FACETHEORY_LOG_FORMAT", "json")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn cold_start_serve(bin: &PathBuf, isr_dir: &std::path::Path) -> (f64, u64) {
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let started = Instant::now();
    let mut child = serve(bin, port, isr_dir);
    loop {
        if get(addr, "/").await == Some(200) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "serve did not answer");
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    let rss = peak_rss_kib(&child);
    child.kill().ok();
    child.wait().ok();
    (elapsed, rss)
}

const EVENT: &str = r#"{"version":"2.0","routeKey":"$default","rawPath":"/","rawQueryString":"","headers":{"host":"abc.lambda-url.us-east-1.on.aws","accept":"text/html"},"requestContext":{"accountId":"anonymous","apiId":"abc","domainName":"abc.lambda-url.us-east-1.on.aws","domainPrefix":"abc","http":{"method":"GET","path":"/","protocol":"HTTP/1.1","sourceIp":"203.0.113.7","userAgent":"bench"},"requestId":"req-1","routeKey":"$default","stage":"$default","time":"30/Nov/2026:10:00:00 +0000","timeEpoch":1795330400000},"isBase64Encoded":false}"#;

/// When the response to the invocation started arriving (its request head) and when it had fully arrived.
#[derive(Default)]
struct Answer {
    head: Option<Instant>,
    done: Option<Instant>,
}

/// A Runtime API that hands out one event and records when its response arrives.
async fn runtime_api(listener: tokio::net::TcpListener, done: Arc<Mutex<Answer>>) {
    let handed_out = Arc::new(std::sync::atomic::AtomicBool::new(false));
    loop {
        let Ok((stream, _)) = listener.accept().await else { return };
        let (done, handed_out) = (Arc::clone(&done), Arc::clone(&handed_out));
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let (done, handed_out) = (Arc::clone(&done), Arc::clone(&handed_out));
                async move {
                    let path = req.uri().path().to_string();
                    if path.ends_with("/invocation/next") {
                        if handed_out.swap(true, std::sync::atomic::Ordering::SeqCst) {
                            // One invocation per process: the next one never comes.
                            std::future::pending::<()>().await;
                        }
                        let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap()
                            .as_millis();
                        return Ok::<_, std::convert::Infallible>(
                            http::Response::builder()
                                .header("lambda-runtime-aws-request-id", "req-1")
                                .header("lambda-runtime-deadline-ms", deadline.to_string())
                                .header(
                                    "lambda-runtime-invoked-function-arn",
                                    "arn:aws:lambda:us-east-1:1:function:blog",
                                )
                                .body(Full::new(Bytes::from_static(EVENT.as_bytes())))
                                .unwrap(),
                        );
                    }
                    let response = path.ends_with("/response");
                    if response {
                        done.lock().unwrap().head.get_or_insert_with(Instant::now);
                    }
                    let _ = req.into_body().collect().await;
                    if response {
                        done.lock().unwrap().done.get_or_insert_with(Instant::now);
                    }
                    Ok(http::Response::builder().status(202).body(Full::new(Bytes::new())).unwrap())
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn cold_start_lambda(bin: &PathBuf) -> (f64, f64, u64) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = listener.local_addr().unwrap();
    let done = Arc::new(Mutex::new(Answer::default()));
    let server = tokio::spawn(runtime_api(listener, Arc::clone(&done)));
    let started = Instant::now();
    // What the template sets: shared stores (their AWS clients are built lazily), a sidecar secret.
    let mut child = Command::new(bin)
        .env("AWS_LAMBDA_RUNTIME_API", api.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "blog")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("FACETHEORY_ISR_BUCKET", "bench-isr")
        .env("FACETHEORY_CACHE_TABLE_NAME", "bench-cache")
        .env("FACETHEORY_SIDECAR_BUCKET", "bench-isr")
        .env("FACETHEORY_SIDECAR_SECRET", "a-bench-secret-long-enough")
        .env("RUST_LOG", std::env::var("FACETHEORY_BENCH_LAMBDA_LOG").unwrap_or_else(|_| "warn".into()))
        .stdout(if std::env::var_os("FACETHEORY_BENCH_LAMBDA_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stderr(if std::env::var_os("FACETHEORY_BENCH_LAMBDA_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .unwrap();
    let (head, answered) = loop {
        if let Answer { head: Some(h), done: Some(d) } = *done.lock().unwrap() {
            break (h, d);
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the function did not answer its invocation");
        tokio::time::sleep(Duration::from_micros(200)).await;
    };
    let rss = peak_rss_kib(&child);
    child.kill().ok();
    child.wait().ok();
    server.abort();
    ((head - started).as_secs_f64() * 1e3, (answered - started).as_secs_f64() * 1e3, rss)
}

fn main() {
    let bin = blog_binary();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let isr_dir = std::env::temp_dir().join(format!("facetheory-serve-bench-{}", std::process::id()));
    rt.block_on(async {
        let (mut times, mut rss) = (Vec::new(), Vec::new());
        for _ in 0..9 {
            let (t, r) = cold_start_serve(&bin, &isr_dir).await;
            times.push(t);
            rss.push(r as f64);
        }
        println!("cold start, release blog `serve` (median of 9): first response after {:.2} ms, peak RSS {:.1} MiB (goals <= 5 ms, <= 10 MiB)",
            median(times), median(rss) / 1024.0);
        let (mut heads, mut times, mut rss) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..9 {
            let (h, t, r) = cold_start_lambda(&bin).await;
            heads.push(h);
            times.push(t);
            rss.push(r as f64);
        }
        println!(
            "cold start on Lambda (local Runtime API, median of 9): first invocation's response starts after {:.2} ms, \
             complete after {:.2} ms, peak RSS {:.1} MiB",
            median(heads),
            median(times),
            median(rss) / 1024.0
        );

        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut child = serve(&bin, port, &isr_dir);
        while get(addr, "/").await != Some(200) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(get(addr, "/blog/hello-world").await, Some(200), "warm the ISR page");
        let pages = [("SSR page /", "/"), ("ISR hit /blog/hello-world", "/blog/hello-world"), ("JSON /api/posts", "/api/posts")];
        if wrk(addr, "/", 2, 1).is_some() {
            println!("throughput, release blog `serve`, wrk -t2 -c64, 3 s each (wrk on the same 2 cores):");
            for (what, path) in pages {
                let (rps, p99, errors) = wrk(addr, path, 64, 3).expect("wrk ran a moment ago");
                println!("  {what:28} {rps:9.0} req/s   p99 {p99:6.2} ms   errors {errors}");
            }
        } else {
            println!("(wrk is not installed: scripts/test installs it; the built-in generator stands in)");
        }
        println!("throughput, release blog `serve`, built-in generator, 64 connections, 3 s each (same 2 cores):");
        for (what, path) in pages {
            let (rps, p99, errors) = load(addr, path, 64, Duration::from_secs(3)).await;
            println!("  {what:28} {rps:9.0} req/s   p99 {p99:6.2} ms   errors {errors}");
        }
        child.kill().ok();
        child.wait().ok();

        // The same SSR page with the request log on (info, JSON lines to /dev/null: a write per request).
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut child = serve_logging(&bin, port, &isr_dir, "info");
        while get(addr, "/").await != Some(200) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let with_log = match wrk(addr, "/", 64, 3) {
            Some(r) => ("wrk -t2 -c64", r),
            None => ("built-in generator", load(addr, "/", 64, Duration::from_secs(3)).await),
        };
        let (rps, p99, errors) = with_log.1;
        println!("throughput with the request log on (RUST_LOG=info, FACETHEORY_LOG_FORMAT=json), {}:", with_log.0);
        println!("  {:28} {rps:9.0} req/s   p99 {p99:6.2} ms   errors {errors}", "SSR page /");
        child.kill().ok();
        child.wait().ok();
    });
    let _ = std::fs::remove_dir_all(&isr_dir);
}
