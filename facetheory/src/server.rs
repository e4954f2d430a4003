//! The local HTTP server behind `serve`: hyper HTTP/1.1 over TCP, graceful shutdown on Ctrl-C / SIGTERM, and
//! bounds a hostile or merely busy client cannot exceed: a header-read timeout that also closes idle keep-alive
//! connections, a cap on open connections, and accept errors logged at most once a second.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::app::App;

/// How long in-flight requests get to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(10);
/// Default time a client has to send a request's headers, counted from when the server starts waiting for
/// them: on a new connection, and on a keep-alive connection after the previous response (the idle timeout).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default cap on open connections; past it the server stops accepting until one closes (the kernel queues
/// the rest), so it never runs out of file descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Failures of the local server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Accepting connections failed.
    #[error("accept failed: {0}")]
    Accept(std::io::Error),
}

/// A bound server, ready to run.
///
/// ```no_run
/// # async fn demo(app: facetheory::App) -> Result<(), facetheory::server::ServeError> {
/// let server = facetheory::server::Server::bind(app, "127.0.0.1:0".parse().unwrap()).await?;
/// println!("listening on http://{}", server.local_addr());
/// server.run_until(async { tokio::time::sleep(std::time::Duration::from_secs(1)).await }).await
/// # }
/// ```
pub struct Server {
    app: App,
    listener: TcpListener,
    addr: SocketAddr,
    header_read_timeout: Duration,
    max_connections: usize,
}

impl Server {
    /// Binds the address (port 0 picks a free port).
    pub async fn bind(app: App, addr: SocketAddr) -> Result<Self, ServeError> {
        let listener = TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server {
            app,
            listener,
            addr,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        })
    }

    /// Sets the header-read (and keep-alive idle) timeout (default 10 s; at least 1 ms).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets the cap on open connections (default 512; at least 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until Ctrl-C or SIGTERM, then drains in-flight requests.
    pub async fn run(self) -> Result<(), ServeError> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then stops accepting and lets open connections finish (up to 10 s).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> Result<(), ServeError> {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(self.header_read_timeout);
        let slots = Arc::new(Semaphore::new(self.max_connections));
        let mut accept_errors = ErrorLog::default();
        tokio::pin!(shutdown);
        loop {
            // A free slot first: at the cap, new connections wait in the kernel's queue.
            let slot = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let (stream, _peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(conn) => conn,
                    // Transient accept errors (e.g. too many open files) must not stop the server.
                    Err(e) if is_transient(&e) => {
                        accept_errors.record(&e);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                    Err(e) => return Err(ServeError::Accept(e)),
                },
                () = &mut shutdown => break,
            };
            let app = self.app.clone();
            let service = hyper::service::service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.handle(req).await) }
            });
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection closed with an error");
                }
                drop(slot);
            });
        }
        tracing::info!("shutting down; waiting for open connections");
        let after = self.app.after_response().clone();
        // Connections first, then regenerations their responses started; both within the grace period.
        let drained = async move {
            graceful.shutdown().await;
            after.drain().await;
        };
        tokio::select! {
            () = drained => {}
            () = tokio::time::sleep(GRACE) => tracing::warn!("open connections or regenerations did not finish within {GRACE:?}"),
        }
        Ok(())
    }
}

/// Accept errors, logged at most once a second with the number left out since the last line: a flood of
/// `EMFILE`s must not flood the log.
#[derive(Default)]
struct ErrorLog {
    last: Option<std::time::Instant>,
    suppressed: u64,
}

impl ErrorLog {
    fn record(&mut self, e: &std::io::Error) {
        let now = std::time::Instant::now();
        if self.last.is_some_and(|t| now.duration_since(t) < Duration::from_secs(1)) {
            self.suppressed += 1;
            return;
        }
        tracing::warn!(error = %e, suppressed = self.suppressed, "accept failed; retrying");
        self.last = Some(now);
        self.suppressed = 0;
    }
}

fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted | WouldBlock) || e.raw_os_error() == Some(24)
}

/// Resolves on Ctrl-C or (Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
