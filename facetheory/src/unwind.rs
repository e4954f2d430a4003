//! Panics in user code (faces, resources, streamed chunks) become errors: the request gets the fixed 500
//! page (or, once a stream has started, its error marker) and the log gets the panic message with the request
//! id, instead of a dropped connection.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::FutureExt;

/// The text of a panic payload (`panic!("…")` gives a `&str` or a `String`).
pub(crate) fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}

/// Runs `fut`; a panic while polling it becomes `Err(message)`. The future is not used after a panic, so
/// asserting unwind safety cannot expose a broken invariant.
pub(crate) fn catch<F: Future>(fut: F) -> Caught<F> {
    Caught { fut, span: tracing::Span::none() }
}

/// [`catch`], polling `fut` inside `span`.
pub(crate) fn catch_in<F: Future>(span: tracing::Span, fut: F) -> Caught<F> {
    Caught { fut, span }
}

pin_project_lite::pin_project! {
    /// A future polled inside a span, with a panic while polling it returned as `Err(message)`. One layer where
    /// a span, a panic guard and a mapping of its result would be three, each moving the output once more; and
    /// a plain future, not an `async fn`, which would hold `fut` twice in its state (the argument and the
    /// running future).
    pub(crate) struct Caught<F> {
        #[pin]
        fut: F,
        span: tracing::Span,
    }
}

impl<F: Future> Future for Caught<F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let fut = this.fut;
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(message(payload.as_ref()))),
        }
    }
}

/// Calls a face's or resource's glue; a panic inside it is an internal error carrying the panic message.
pub(crate) fn call<T>(handler: crate::BoxFuture<crate::Result<T>>) -> impl Future<Output = crate::Result<T>> {
    call_in(tracing::Span::none(), handler)
}

/// [`call`], polling the handler inside `span` (one layer, not an `Instrumented` around it).
pub(crate) fn call_in<T>(
    span: tracing::Span,
    handler: crate::BoxFuture<crate::Result<T>>,
) -> impl Future<Output = crate::Result<T>> {
    catch_in(span, handler)
        .map(|r| r.unwrap_or_else(|panic| Err(crate::Error::msg(format!("the handler panicked: {panic}")))))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn panics_become_messages() {
        assert_eq!(super::catch(async { 1 }).await, Ok(1));
        let text = super::catch(async { panic!("boom {}", 7) }).await;
        assert_eq!(text, Err::<(), _>("boom 7".to_string()));
        let other = super::catch(async { std::panic::panic_any(3u8) }).await;
        assert_eq!(other, Err::<(), _>("a panic with a non-text payload".to_string()));
    }
}
