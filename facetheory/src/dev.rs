//! `cargo facetheory dev`: watch the site's sources, rebuild with cargo, restart the site, and reload the browser
//! — or show the compiler's errors in the browser until the next good build.
//!
//! The site runs on an internal port; `dev` listens on the address you open and forwards to it. Into every HTML
//! page it adds `<script type="module" src="/_facetheory/dev/reload.js">` before `</head>`: a same-origin module
//! (allowed by strict CSP's `script-src 'self'`) that listens on `/_facetheory/dev/events` (server-sent events,
//! `connect-src 'self'`) and reloads the page when a new build answers or a build fails.

use std::collections::hash_map::DefaultHasher;
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;

const RELOAD_JS: &str =
    "new EventSource('/_facetheory/dev/events').addEventListener('reload', () => location.reload());\n";
const RELOAD_TAG: &str = "<script src=\"/_facetheory/dev/reload.js\" type=\"module\"></script>";
/// Most files watched (a tree larger than this is watched in part, and `dev` says so).
const MAX_WATCHED: usize = 20_000;
/// Most compiler errors the overlay shows.
const MAX_OVERLAY_ERRORS: usize = 20;
/// Largest request body forwarded.
const MAX_BODY: usize = 6 * 1024 * 1024;

type BoxBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// What the browser is shown: the running build, or the last build's errors.
#[derive(Default)]
struct State {
    target: Option<SocketAddr>,
    overlay: Option<String>,
    /// Vite's dev server, when the site has a client with its dependencies installed.
    vite: Option<SocketAddr>,
}

/// What Vite's dev server answers (its client, modules by source path, dependencies, HMR).
const VITE_PREFIXES: [&str; 6] = ["/@vite/", "/@id/", "/@fs/", "/src/", "/node_modules/", "/__vite"];

/// Runs until Ctrl-C: watches `dir`, rebuilds, restarts the site, serves on `addr`.
pub async fn run(dir: PathBuf, addr: SocketAddr) -> Result<(), String> {
    let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let state = Arc::new(Mutex::new(State::default()));
    let (reload, _) = tokio::sync::broadcast::channel::<()>(16);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tokio::spawn(serve(listener, Arc::clone(&state), reload.clone()));
    println!("dev: http://{addr} — watching {}", dir.display());
    // Island code: Vite's dev server (HMR), reached through this address so pages stay same-origin.
    let _vite = match start_vite(&dir, addr.port()).await {
        Ok(Some((child, vite))) => {
            println!("dev: Vite dev server for client/ on {vite}, served through http://{addr}");
            state.lock().unwrap_or_else(|p| p.into_inner()).vite = Some(vite);
            Some(child)
        }
        Ok(None) => None,
        Err(e) => {
            println!("dev: no Vite dev server ({e}); islands use the last client build");
            None
        }
    };
    let vite_dev = state.lock().unwrap_or_else(|p| p.into_inner()).vite.is_some();
    let mut site: Option<tokio::process::Child> = None;
    let mut last = None;
    // Ctrl-C or SIGTERM: stop the site and Vite (kill_on_drop) before leaving.
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot watch for SIGTERM: {e}"))?;
    loop {
        let fingerprint = fingerprint(&dir);
        if last != Some(fingerprint) {
            last = Some(fingerprint);
            let started = Instant::now();
            match build(&dir).await {
                Ok(exe) => match (started.elapsed(), start(&exe, &dir, vite_dev).await) {
                    (built, Ok((child, port))) => {
                        if let Some(mut old) = site.replace(child) {
                            let _ = old.kill().await;
                        }
                        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                        s.target = Some(SocketAddr::from(([127, 0, 0, 1], port)));
                        s.overlay = None;
                        println!(
                            "dev: built in {:.2} s, restarted in {:.2} s; the browser reloads",
                            built.as_secs_f64(),
                            (started.elapsed() - built).as_secs_f64()
                        );
                    }
                    (_, Err(e)) => state.lock().unwrap_or_else(|p| p.into_inner()).overlay = Some(overlay(&[e])),
                },
                Err(errors) => {
                    println!("dev: the build failed; the browser shows the errors until the next good build");
                    state.lock().unwrap_or_else(|p| p.into_inner()).overlay = Some(overlay(&errors));
                }
            }
            let _ = reload.send(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            _ = async { tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = terminate.recv() => {} } } => {
                if let Some(mut child) = site.take() {
                    let _ = child.kill().await;
                }
                return Ok(());
            }
        }
    }
}

/// A hash of every watched file's path, size and modification time.
fn fingerprint(dir: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut stack: Vec<PathBuf> =
        ["faces", "src", "build.rs", "Cargo.toml", "client/src"].iter().map(|p| dir.join(p)).collect();
    let mut seen = 0;
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
            continue;
        }
        seen += 1;
        if seen > MAX_WATCHED {
            break;
        }
        path.hash(&mut hasher);
        meta.len().hash(&mut hasher);
        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH).hash(&mut hasher);
    }
    hasher.finish()
}

/// `cargo build`: the site's executable, or the compiler's errors (`file:line: message`).
async fn build(dir: &Path) -> Result<PathBuf, Vec<String>> {
    let out = tokio::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--message-format=json-diagnostic-rendered-ansi"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .await
        .map_err(|e| vec![format!("cannot run cargo: {e}")])?;
    let (mut exe, mut errors) = (None, Vec::new());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        match msg["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(path) = msg["executable"].as_str() {
                    let is_bin = msg["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin"));
                    if is_bin {
                        exe = Some(PathBuf::from(path));
                    }
                }
            }
            Some("compiler-message") => {
                let m = &msg["message"];
                // The terminal shows every diagnostic as cargo would.
                eprint!("{}", m["rendered"].as_str().unwrap_or(""));
                // The overlay shows the first errors; the terminal has them all.
                if m["level"] != "error" || errors.len() >= MAX_OVERLAY_ERRORS {
                    continue;
                }
                let span = m["spans"].as_array().and_then(|s| s.iter().find(|s| s["is_primary"] == true));
                let at = span.map_or(String::new(), |s| {
                    format!("{}:{}: ", s["file_name"].as_str().unwrap_or("?"), s["line_start"].as_u64().unwrap_or(0))
                });
                errors.push(format!(
                    "{at}{}",
                    strip_ansi(m["rendered"].as_str().or(m["message"].as_str()).unwrap_or(""))
                ));
            }
            _ => {}
        }
    }
    match (out.status.success(), exe) {
        (true, Some(exe)) => Ok(exe),
        (true, None) => Err(vec!["the build produced no binary".into()]),
        (false, _) if errors.is_empty() => Err(vec!["cargo build failed (see the terminal)".into()]),
        (false, _) => Err(errors),
    }
}

/// Starts `exe serve` on a free port and waits until it answers connections.
async fn start(exe: &Path, dir: &Path, vite_dev: bool) -> Result<(tokio::process::Child, u16), String> {
    let port = free_port()?;
    let mut command = tokio::process::Command::new(exe);
    command.args(["serve", "--addr", &format!("127.0.0.1:{port}")]).current_dir(dir).kill_on_drop(true);
    if vite_dev {
        command.env(crate::vite::VITE_DEV_ENV, "1");
    }
    let child = command.spawn().map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    wait_listening(port, &exe.display().to_string()).await?;
    Ok((child, port))
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

async fn wait_listening(port: u16, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("{what} did not start listening within 30 s"))
}

/// Starts Vite's dev server for `client/` when it has a `vite.config.*` and its dependencies; `None` when the
/// site has no client. `FACETHEORY_DEV_PORT` tells the config the port the browser uses (for HMR's clientPort).
async fn start_vite(dir: &Path, dev_port: u16) -> Result<Option<(tokio::process::Child, SocketAddr)>, String> {
    let client = dir.join("client");
    let has_config = ["vite.config.ts", "vite.config.js", "vite.config.mjs"].iter().any(|f| client.join(f).is_file());
    if !has_config {
        return Ok(None);
    }
    let vite = client.join("node_modules/.bin/vite");
    if !vite.exists() {
        return Err("client/node_modules is missing: npm ci in client/".into());
    }
    let port = free_port()?;
    let child = tokio::process::Command::new(&vite)
        .args(["--port", &port.to_string(), "--strictPort", "--host", "127.0.0.1"])
        .env("FACETHEORY_DEV_PORT", dev_port.to_string())
        .current_dir(&client)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", vite.display()))?;
    wait_listening(port, "vite").await?;
    Ok(Some((child, SocketAddr::from(([127, 0, 0, 1], port)))))
}

/// The page shown while the last build failed.
fn overlay(errors: &[String]) -> String {
    let mut html =
        String::from("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title>");
    html.push_str(RELOAD_TAG);
    html.push_str(
        "</head><body><h1>Build failed</h1><p>Fix the error; the page reloads when the next build answers.</p>",
    );
    for e in errors {
        html.push_str("<pre class=\"facetheory-dev-error\">");
        crate::escape::escape_html_into(&mut html, e);
        html.push_str("</pre>");
    }
    html.push_str("</body></html>");
    html
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<Mutex<State>>,
    reload: tokio::sync::broadcast::Sender<()>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let (state, reload) = (Arc::clone(&state), reload.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, Arc::clone(&state), reload.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

fn full(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> http::Response<BoxBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .body(Full::new(body.into()).map_err(|never: Infallible| match never {}).boxed())
        .expect("valid response")
}

async fn handle(
    req: http::Request<Incoming>,
    state: Arc<Mutex<State>>,
    reload: tokio::sync::broadcast::Sender<()>,
) -> Result<http::Response<BoxBody>, Infallible> {
    match req.uri().path() {
        "/_facetheory/dev/reload.js" => return Ok(full(200, "text/javascript", RELOAD_JS)),
        "/_facetheory/dev/events" => {
            // One `reload` event per new build (or failed build), as long as the browser listens.
            let stream = futures_util::stream::unfold(reload.subscribe(), |mut rx| async move {
                match rx.recv().await {
                    Ok(()) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        Some((Ok(hyper::body::Frame::data(Bytes::from_static(b"event: reload\ndata: \n\n"))), rx))
                    }
                    Err(_) => None,
                }
            });
            let first = futures_util::stream::once(async {
                Ok(hyper::body::Frame::data(Bytes::from_static(b": connected\n\n")))
            });
            let body = http_body_util::StreamBody::new(futures_util::StreamExt::chain(first, stream));
            let res = http::Response::builder()
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-store")
                .body(BodyExt::boxed(body))
                .expect("valid response");
            return Ok(res);
        }
        _ => {}
    }
    let (target, overlay, vite) = {
        let s = state.lock().unwrap_or_else(|p| p.into_inner());
        (s.target, s.overlay.clone(), s.vite)
    };
    // Vite's paths, and WebSocket upgrades (its HMR connects to the page's origin: `/?token=…`).
    let upgrade = req.headers().get("upgrade").is_some();
    let for_vite = upgrade || VITE_PREFIXES.iter().any(|p| req.uri().path().starts_with(p));
    if let Some(vite) = vite.filter(|_| for_vite) {
        let answer = if upgrade { tunnel(req, vite).await } else { forward(req, vite, false).await };
        return Ok(answer.unwrap_or_else(|e| full(502, "text/plain", format!("dev: Vite did not answer: {e}\n"))));
    }
    if let Some(page) = overlay {
        return Ok(full(500, "text/html; charset=utf-8", page));
    }
    let Some(target) = target else { return Ok(full(503, "text/plain", "dev: the first build is still running\n")) };
    Ok(forward(req, target, true)
        .await
        .unwrap_or_else(|e| full(502, "text/plain", format!("dev: the site did not answer: {e}\n"))))
}

/// Forwards to the site; HTML answers get the reload module before `</head>` (facetheory sends the whole head
/// in the first frame), everything else passes through unchanged.
async fn forward(
    req: http::Request<Incoming>,
    target: SocketAddr,
    inject: bool,
) -> Result<http::Response<BoxBody>, String> {
    let (parts, body) = req.into_parts();
    let body = http_body_util::Limited::new(body, MAX_BODY).collect().await.map_err(|e| e.to_string())?.to_bytes();
    let stream = tokio::net::TcpStream::connect(target).await.map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let res =
        sender.send_request(http::Request::from_parts(parts, Full::new(body))).await.map_err(|e| e.to_string())?;
    let html =
        res.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    let (mut parts, body) = res.into_parts();
    if !html || !inject {
        return Ok(http::Response::from_parts(parts, body.map_err(std::io::Error::other).boxed()));
    }
    parts.headers.remove("content-length");
    let mut injected = false;
    let body = body.map_err(std::io::Error::other).map_frame(move |frame| match frame.into_data() {
        Ok(data) if !injected => match memfind(&data, b"</head>") {
            Some(at) => {
                injected = true;
                let mut out = Vec::with_capacity(data.len() + RELOAD_TAG.len());
                out.extend_from_slice(&data[..at]);
                out.extend_from_slice(RELOAD_TAG.as_bytes());
                out.extend_from_slice(&data[at..]);
                hyper::body::Frame::data(Bytes::from(out))
            }
            None => hyper::body::Frame::data(data),
        },
        Ok(data) => hyper::body::Frame::data(data),
        Err(frame) => frame,
    });
    Ok(http::Response::from_parts(parts, body.boxed()))
}

/// The text of a terminal diagnostic without its colour codes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A WebSocket (Vite's HMR) passed through to Vite: the upgrade is forwarded, then bytes flow both ways.
async fn tunnel(mut req: http::Request<Incoming>, target: SocketAddr) -> Result<http::Response<BoxBody>, String> {
    let client_side = hyper::upgrade::on(&mut req);
    let stream = tokio::net::TcpStream::connect(target).await.map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn.with_upgrades());
    let (parts, _) = req.into_parts();
    let mut res = sender
        .send_request(http::Request::from_parts(parts, http_body_util::Empty::<Bytes>::new()))
        .await
        .map_err(|e| e.to_string())?;
    if res.status() != http::StatusCode::SWITCHING_PROTOCOLS {
        let (parts, body) = res.into_parts();
        return Ok(http::Response::from_parts(parts, body.map_err(std::io::Error::other).boxed()));
    }
    let vite_side = hyper::upgrade::on(&mut res);
    tokio::spawn(async move {
        if let (Ok(a), Ok(b)) = (client_side.await, vite_side.await) {
            let (mut a, mut b) = (hyper_util::rt::TokioIo::new(a), hyper_util::rt::TokioIo::new(b));
            let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
        }
    });
    let (parts, _) = res.into_parts();
    Ok(http::Response::from_parts(
        parts,
        http_body_util::Empty::new().map_err(|never: Infallible| match never {}).boxed(),
    ))
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
