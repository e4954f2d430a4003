//! [`Body`]: the bytes on the wire, as a sequence of chunks.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

/// A request body the app can read: any `http_body::Body` that is `Send` (hyper's, lambda_http's, axum's,
/// `String`, `Full`…). Implemented for every such type.
///
/// ```
/// fn takes<B: facetheory::RequestBody>(_: B) {}
/// takes(String::from("a=1"));
/// takes(http_body_util::Empty::<bytes::Bytes>::new());
/// ```
pub trait RequestBody:
    http_body::Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>> + Send + 'static
{
}

impl<B> RequestBody for B where
    B: http_body::Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>> + Send + 'static
{
}

/// A stream of body chunks (already free of errors: streamed documents turn failures into their error marker).
pub type ByteStream = Pin<Box<dyn Stream<Item = Bytes> + Send + 'static>>;

/// A response body: buffered chunks sent in order (a document is its prefix, the page body and the end tags,
/// so the page body is never copied), optionally followed by a stream of chunks sent as they are produced.
#[derive(Default)]
pub struct Body {
    chunks: VecDeque<Bytes>,
    stream: Option<ByteStream>,
    /// Dropped when the last frame has been taken or the body is dropped (whichever comes first): the signal
    /// for work that must wait until the response is sent.
    done: Option<tokio::sync::oneshot::Sender<()>>,
    /// Run at the same moment (dropping it runs it): the request log of a streamed response, which needs the
    /// whole duration. Needs no async runtime.
    on_end: Option<OnEnd>,
}

/// A closure run when dropped.
pub(crate) struct OnEnd(Option<Box<dyn FnOnce() + Send>>);

impl Drop for OnEnd {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Body").field("chunks", &self.chunks.len()).field("streaming", &self.stream.is_some()).finish()
    }
}

impl Body {
    /// A body holding these bytes.
    pub fn full(data: impl Into<Bytes>) -> Self {
        Self::chunks([data.into()])
    }

    /// A body made of these chunks (empty ones are skipped).
    pub fn chunks(chunks: impl IntoIterator<Item = Bytes>) -> Self {
        Body { chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(), stream: None, done: None, on_end: None }
    }

    /// These chunks first, then whatever `stream` produces, each sent as soon as it exists.
    pub fn streaming(first: impl IntoIterator<Item = Bytes>, stream: ByteStream) -> Self {
        Body {
            chunks: first.into_iter().filter(|c| !c.is_empty()).collect(),
            stream: Some(stream),
            done: None,
            on_end: None,
        }
    }

    /// True when (part of) the body is produced while it is sent; such a body has no known length.
    pub fn is_streaming(&self) -> bool {
        self.stream.is_some()
    }

    /// Returns a receiver that completes once the body has been sent to the end or dropped.
    pub(crate) fn when_done(&mut self) -> tokio::sync::oneshot::Receiver<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.done = Some(tx);
        rx
    }

    /// Runs `f` once the body has been sent to the end or dropped.
    pub(crate) fn on_end(&mut self, f: impl FnOnce() + Send + 'static) {
        self.on_end = Some(OnEnd(Some(Box::new(f))));
    }

    /// An empty body.
    pub fn empty() -> Self {
        Body { chunks: VecDeque::new(), stream: None, done: None, on_end: None }
    }

    /// Length in bytes of the buffered part.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Bytes::len).sum()
    }

    /// True when there are no bytes, buffered or to come.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.stream.is_none()
    }

    /// All bytes still held, concatenated (for in-process callers and tests).
    pub fn bytes(&self) -> Bytes {
        match self.chunks.len() {
            0 => Bytes::new(),
            1 => self.chunks[0].clone(),
            _ => self.chunks.iter().flat_map(|c| c.iter().copied()).collect::<Vec<u8>>().into(),
        }
    }
}

/// Reads a request body up to `limit` bytes: 413 over it, 400 when it cannot be read.
pub(crate) async fn collect_body<B>(body: B, limit: usize) -> Result<Bytes, http::StatusCode>
where
    B: RequestBody,
{
    // A declared length (`content-length` sets the size hint) over the limit is refused before any byte is read.
    if body.size_hint().lower() > limit as u64 {
        return Err(http::StatusCode::PAYLOAD_TOO_LARGE);
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            Err(http::StatusCode::PAYLOAD_TOO_LARGE)
        }
        Err(_) => Err(http::StatusCode::BAD_REQUEST),
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(chunk) = self.chunks.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        let Some(stream) = self.stream.as_mut() else {
            self.done = None;
            self.on_end = None;
            return Poll::Ready(None);
        };
        loop {
            return match stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(chunk)) if chunk.is_empty() => continue,
                Poll::Ready(Some(chunk)) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                Poll::Ready(None) => {
                    self.stream = None;
                    self.done = None;
                    self.on_end = None;
                    Poll::Ready(None)
                }
                Poll::Pending => Poll::Pending,
            };
        }
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && self.stream.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.stream {
            None => SizeHint::with_exact(self.len() as u64),
            Some(_) => {
                let mut hint = SizeHint::new();
                hint.set_lower(self.len() as u64);
                hint
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Body;
    use bytes::Bytes;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn chunks_go_out_in_order_and_empty_ones_are_skipped() {
        for n in [1usize, 3, 4, 9] {
            let parts: Vec<Bytes> = (0..n).flat_map(|i| [Bytes::from(format!("<{i}>")), Bytes::new()]).collect();
            let expected: String = (0..n).map(|i| format!("<{i}>")).collect();
            let body = Body::chunks(parts);
            assert_eq!(body.len(), expected.len());
            assert_eq!(body.bytes(), expected.as_bytes(), "{n} chunks, concatenated");
            let mut body = body;
            let mut frames = Vec::new();
            while let Some(frame) = body.frame().await {
                frames.push(frame.unwrap().into_data().unwrap());
            }
            assert_eq!(frames.len(), n, "one frame per non-empty chunk");
            assert_eq!(frames.concat(), expected.as_bytes(), "{n} chunks, sent");
        }
    }
}
