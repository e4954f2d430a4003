//! [`Body`]: the bytes on the wire, as a sequence of chunks.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// A response body: buffered chunks sent in order (a document is its prefix, the page body and the end tags,
/// so the page body is never copied).
#[derive(Debug, Default)]
pub struct Body {
    chunks: VecDeque<Bytes>,
}

impl Body {
    /// A body holding these bytes.
    pub fn full(data: impl Into<Bytes>) -> Self {
        Self::chunks([data.into()])
    }

    /// A body made of these chunks (empty ones are skipped).
    pub fn chunks(chunks: impl IntoIterator<Item = Bytes>) -> Self {
        Body { chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect() }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Body { chunks: VecDeque::new() }
    }

    /// Total length in bytes.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Bytes::len).sum()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
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

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.chunks.pop_front().map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len() as u64)
    }
}
