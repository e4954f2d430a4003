//! The site binary's command line: `routes`, usage errors (exit 2), and `serve` answering over TCP.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_blog");

#[test]
fn routes_prints_the_table_in_precedence_order() {
    let out = Command::new(BIN).arg("routes").env_remove("AWS_LAMBDA_RUNTIME_API").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("PATTERN"));
    let patterns: Vec<&str> = lines[1..].iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(
        patterns,
        [
            "/404",
            "/about",
            "/api/posts",
            "/api/subscribe",
            "/blog/new",
            "/blog/<slug>",
            "/blog/<slug>",
            "/deferred",
            "/docs/<rest*>",
            "/favicon.ico",
            "/live",
            "/secure",
            "/topics/<topic>",
            "/"
        ]
    );
    assert!(text.lines().any(|l| l.split_whitespace().take(2).eq(["/about", "ssg"])), "{text}");
    assert!(text.contains("resource POST"), "{text}");
    let post = text.lines().find(|l| l.starts_with("/blog/<slug>")).unwrap();
    let cols: Vec<&str> = post.split_whitespace().collect();
    assert_eq!(&cols[1..3], ["isr", "60s"], "{post}");
    assert!(cols[3].starts_with("faces/blog/[slug].rs:"), "{post}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["deploy"][..],
        &["serve", "--port", "1"],
        &["serve", "--addr"],
        &["serve", "--addr", "nope"],
        &["routes", "x"],
        &["build", "--out", "x", "--links", "sometimes"],
    ] {
        let out = Command::new(BIN).args(args).env_remove("AWS_LAMBDA_RUNTIME_API").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("usage:"), "{args:?}: {err}");
    }
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("serve [--addr ADDR]"));
}

#[test]
fn address_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // A host name is resolved (`localhost` → 127.0.0.1).
    let by_name = format!("localhost:{}", taken.local_addr().unwrap().port());
    let out =
        Command::new(BIN).args(["serve", "--addr", &by_name]).env_remove("AWS_LAMBDA_RUNTIME_API").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("cannot listen on {addr}")));
}

/// Waits (up to 10 s) for a server at `addr`, then `GET /about` over a fresh connection: the raw reply.
fn get_about_once_up(addr: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stream = loop {
        match std::net::TcpStream::connect(addr) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("server did not start: {e}"),
        }
    };
    stream.write_all(b"GET /about HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn serve_answers_over_tcp_and_stops_on_sigterm() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    // The port from $PORT, as platforms that assign one set it.
    let mut child = Command::new(BIN)
        .args(["serve"])
        .env("PORT", port.to_string())
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let reply = get_about_once_up(&addr);
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.contains("<h1>About</h1>"));
    // Graceful stop on SIGTERM; the request was logged through tracing.
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(log.contains("listening on http://"), "{log}");
    assert!(log.contains("request completed") && log.contains("status=200"), "{log}");
}

/// `FACETHEORY_LOG_FORMAT=json`: `serve` writes its log as JSON lines on stdout (what a container's log driver
/// ships), the request line's fields at the top level; a value it does not know stops the start, naming it.
#[test]
fn serve_logs_json_lines_when_asked() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", &addr])
        .env("FACETHEORY_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let reply = get_about_once_up(&addr);
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());
    let mut log = String::new();
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    let lines: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let completed = lines
        .iter()
        .find(|l| l["event"] == "facetheory.request.completed")
        .unwrap_or_else(|| panic!("no request line in {log}"));
    assert_eq!(completed["path"], "/about");
    assert_eq!(completed["status"], 200);
    assert_eq!(completed["level"], "INFO");

    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:1"])
        .env("FACETHEORY_LOG_FORMAT", "yaml")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("FACETHEORY_LOG_FORMAT must be `json` or `text`, got \"yaml\""), "{err}");
}

/// On Lambda, stores that instances do not share are refused at start-up with the variables to set; the
/// binary never reaches the runtime API (nothing listens at the address given).
#[test]
fn on_lambda_local_stores_stop_the_start_with_the_fix() {
    let lambda = |extra: &[(&str, &str)]| {
        let mut cmd = Command::new(BIN);
        cmd.env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
            .env_remove("FACETHEORY_ISR_BUCKET")
            .env_remove("FACETHEORY_CACHE_TABLE_NAME")
            .env_remove("FACETHEORY_SIDECAR_BUCKET")
            .env_remove("FACETHEORY_SIDECAR_SECRET")
            .env_remove("FACETHEORY_ALLOW_LOCAL_STORES");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // The blog has ISR faces: the file store would be per instance (and under the read-only task root).
    let (code, err) = lambda(&[("FACETHEORY_SIDECAR_SECRET", "s"), ("FACETHEORY_SIDECAR_BUCKET", "b")]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("FACETHEORY_ISR_BUCKET") && err.contains("FACETHEORY_CACHE_TABLE_NAME"), "{err}");
    // ISR configured, sidecars not: the secret is named first, then the bucket.
    let isr = [("FACETHEORY_ISR_BUCKET", "isr"), ("FACETHEORY_CACHE_TABLE_NAME", "cache")];
    let (code, err) = lambda(&isr);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("FACETHEORY_SIDECAR_SECRET"), "{err}");
    let (code, err) = lambda(&[isr[0], isr[1], ("FACETHEORY_SIDECAR_SECRET", "a-shared-secret")]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("FACETHEORY_SIDECAR_BUCKET"), "{err}");
    // A bucket without a table is a configuration error too, wherever the binary runs.
    let out = Command::new(BIN).arg("routes").env("FACETHEORY_ISR_BUCKET", "isr").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cache table name"));
}

#[test]
fn version_and_help_for_every_command_succeed() {
    let out = Command::new(BIN).arg("--version").env_remove("AWS_LAMBDA_RUNTIME_API").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "blog 0.1.0 (facetheory 0.1.0)");
    for args in [&["serve", "--help"][..], &["build", "--help"], &["deploy-plan", "-h"], &["routes", "--help"]] {
        let out = Command::new(BIN).args(args).env_remove("AWS_LAMBDA_RUNTIME_API").output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("usage:"), "{args:?}");
    }
    let out =
        Command::new(BIN).args(["serve"]).env("PORT", "eighty").env_remove("AWS_LAMBDA_RUNTIME_API").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid PORT \"eighty\""));
}
