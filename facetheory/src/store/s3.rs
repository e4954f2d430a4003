//! [`S3Store`]: blobs in S3 (aws-sdk-s3). The key prefix is physical (`<prefix>/<key>`); content type and
//! cache-control are object properties; metadata is S3 user metadata (`x-amz-meta-*`). Throttling, 5xx and
//! timeouts are retried by the SDK's standard retry policy before an error is returned.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use bytes::Bytes;

use super::{check_key, Blob, BlobStore, StoreError};
use crate::aws_client::LazyClient;
use crate::BoxFuture;

/// Blobs in an S3 bucket under a key prefix.
#[derive(Clone)]
pub struct S3Store {
    client: LazyClient<Client>,
    bucket: String,
    prefix: String,
}

fn sdk_error(key: &str, e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Io { key: key.to_string(), source: std::io::Error::other(aws_error_text(&e)) }
}

/// The error with its whole source chain (the SDK's top-level message alone is often just "service error").
pub(crate) fn aws_error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl S3Store {
    /// A store in `bucket` under `prefix` (outer slashes trimmed; empty for none).
    pub fn new(client: Client, bucket: impl Into<String>, prefix: &str) -> Self {
        Self::with_client(LazyClient::ready(client, crate::isr::s3_client), bucket.into(), prefix)
    }

    /// A store whose client is made from the environment (region, credentials, `AWS_ENDPOINT_URL`) on its
    /// first request, so building an app does no AWS work.
    pub fn from_env(bucket: impl Into<String>, prefix: &str) -> Self {
        Self::with_client(LazyClient::from_env(crate::isr::s3_client), bucket.into(), prefix)
    }

    fn with_client(client: LazyClient<Client>, bucket: String, prefix: &str) -> Self {
        let prefix = prefix.trim_matches('/');
        S3Store { client, bucket, prefix: if prefix.is_empty() { String::new() } else { format!("{prefix}/") } }
    }

    fn object_key(&self, key: &str) -> Result<String, StoreError> {
        check_key(key)?;
        Ok(format!("{}{key}", self.prefix))
    }
}

impl BlobStore for S3Store {
    fn put(&self, key: &str, blob: Blob) -> BoxFuture<Result<(), StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        Box::pin(async move {
            let object = this.object_key(&key)?;
            let metadata: HashMap<String, String> = blob.metadata.into_iter().collect();
            this.client
                .get()
                .await
                .put_object()
                .bucket(&this.bucket)
                .key(object)
                .body(ByteStream::from(blob.body))
                .content_type(blob.content_type)
                .set_cache_control(blob.cache_control)
                .set_metadata(Some(metadata))
                .send()
                .await
                .map_err(|e| sdk_error(&key, e))?;
            Ok(())
        })
    }

    fn get(&self, key: &str) -> BoxFuture<Result<Option<Blob>, StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        Box::pin(async move {
            let object = this.object_key(&key)?;
            let out = match this.client.get().await.get_object().bucket(&this.bucket).key(object).send().await {
                Ok(out) => out,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
                Err(e) => return Err(sdk_error(&key, e)),
            };
            let content_type = out.content_type().unwrap_or("application/octet-stream").to_string();
            let cache_control = out.cache_control().map(str::to_string);
            let metadata: BTreeMap<String, String> = out
                .metadata()
                .map(|m| m.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect())
                .unwrap_or_default();
            let body: Bytes = out.body.collect().await.map_err(|e| sdk_error(&key, e))?.into_bytes();
            Ok(Some(Blob { body, content_type, cache_control, metadata }))
        })
    }

    fn delete(&self, key: &str) -> BoxFuture<Result<(), StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        Box::pin(async move {
            let object = this.object_key(&key)?;
            // S3 answers a delete of an absent key with success.
            this.client
                .get()
                .await
                .delete_object()
                .bucket(&this.bucket)
                .key(object)
                .send()
                .await
                .map_err(|e| sdk_error(&key, e))?;
            Ok(())
        })
    }
}
