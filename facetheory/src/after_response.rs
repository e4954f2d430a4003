//! Work that runs once a response has been sent: ISR stale-while-revalidate regenerations.
//!
//! Each task waits until its response body has been sent to the end (or dropped), then runs. A local server
//! lets tasks finish in the background (and waits for them on graceful shutdown); the Lambda adapter waits for
//! them after each invocation's response stream has closed and before it asks for the next event, because
//! Lambda freezes the environment between invocations.

use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use crate::body::Body;
use crate::BoxFuture;

/// The after-response tasks of an app.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = facetheory::App::builder().build().unwrap();
/// // After serving (an adapter's job): wait until regenerations started by earlier responses are done.
/// app.after_response().drain().await;
/// # }
/// ```
#[derive(Clone, Default)]
pub struct AfterResponse {
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl AfterResponse {
    /// Runs `work` once `body` has been sent or dropped.
    pub(crate) fn schedule(&self, body: &mut Body, work: BoxFuture<()>) {
        let done = body.when_done();
        let handle = tokio::spawn(async move {
            let _ = done.await;
            work.await;
        });
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }

    /// Number of tasks not finished yet.
    pub fn pending(&self) -> usize {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.len()
    }

    /// Waits for every scheduled task (including tasks scheduled while waiting).
    pub async fn drain(&self) {
        loop {
            let batch = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
            if batch.is_empty() {
                return;
            }
            for task in batch {
                if let Err(e) = task.await {
                    tracing::error!(error = %e, "after-response task failed");
                }
            }
        }
    }
}
