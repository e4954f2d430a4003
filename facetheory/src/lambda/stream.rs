//! The response side of an invocation: status, headers and cookies in the metadata prelude, then the body as
//! it is produced (as lambda_http's streaming adapter does).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Body as _;
use lambda_http::lambda_runtime::{MetadataPrelude, StreamResponse};

use crate::Body;

/// The body's data frames as a stream (trailers end it).
pub(crate) struct ResponseStream(Body);

impl futures_core::Stream for ResponseStream {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.0).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(frame.into_data().ok().map(Ok)),
            Poll::Ready(Some(Err(never))) => match never {},
            Poll::Ready(None) => Poll::Ready(None),
        }
    }
}

/// A response as Lambda streams it: `set-cookie` headers move to the prelude's cookies.
pub(crate) fn into_stream_response(res: http::Response<Body>) -> StreamResponse<ResponseStream> {
    let (parts, body) = res.into_parts();
    let mut headers = parts.headers;
    let cookies = headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
        .collect();
    headers.remove(http::header::SET_COOKIE);
    StreamResponse {
        metadata_prelude: MetadataPrelude { headers, status_code: parts.status, cookies },
        stream: ResponseStream(body),
    }
}
