//! ISR on AWS from the environment: `FACETHEORY_ISR_BUCKET` (+ `FACETHEORY_ISR_PREFIX`) for HTML in S3 and
//! `FACETHEORY_CACHE_TABLE_NAME` (aliases `APPTHEORY_CACHE_TABLE_NAME`, `CACHE_TABLE_NAME`, `CACHE_TABLE`) for
//! metadata in DynamoDB. Region and credentials come from the standard AWS chain; `AWS_ENDPOINT_URL` points the
//! SDK at another endpoint (a local S3/DynamoDB server), with path-style S3 addressing.

use aws_config::BehaviorVersion;

use super::IsrRuntime;
use crate::meta::DynamoMetaStore;
use crate::store::S3Store;

/// Where ISR lives on AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsIsrConfig {
    /// The S3 bucket for HTML.
    pub bucket: String,
    /// The key prefix inside it.
    pub prefix: String,
    /// The DynamoDB table.
    pub table: String,
}

impl AwsIsrConfig {
    /// From the environment ([`EnvConfig`](crate::config::EnvConfig)): `Ok(None)` when neither bucket nor
    /// table is set; an error when only one is.
    pub fn from_env() -> Result<Option<Self>, String> {
        let env = crate::config::EnvConfig::from_env().map_err(|e| e.to_string())?;
        Ok(Self::from_config(&env))
    }

    /// From an [`EnvConfig`](crate::config::EnvConfig) (which already refused a bucket without a table).
    pub fn from_config(env: &crate::config::EnvConfig) -> Option<Self> {
        match (&env.isr_bucket, &env.cache_table) {
            (Some(bucket), Some(table)) => {
                Some(AwsIsrConfig { bucket: bucket.clone(), prefix: env.isr_prefix.clone(), table: table.clone() })
            }
            _ => None,
        }
    }

    /// Creates the bucket and the table (string keys `pk`, `sk`; on-demand billing) — for local
    /// S3/DynamoDB-compatible servers and tests; in production the deployment template owns them.
    pub async fn create_resources(&self) -> Result<(), String> {
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        let sdk = aws_config_from_env().await;
        let text = |e: &(dyn std::error::Error + 'static)| crate::store::s3::aws_error_text(e);
        s3_client(&sdk)
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| format!("create bucket {}: {}", self.bucket, text(&e)))?;
        let attr = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
        };
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        let build_err = |e: aws_sdk_dynamodb::error::BuildError| format!("table definition: {e}");
        aws_sdk_dynamodb::Client::new(&sdk)
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("pk").map_err(build_err)?)
            .attribute_definitions(attr("sk").map_err(build_err)?)
            .key_schema(key("pk", KeyType::Hash).map_err(build_err)?)
            .key_schema(key("sk", KeyType::Range).map_err(build_err)?)
            .send()
            .await
            .map_err(|e| format!("create table {}: {}", self.table, text(&e)))?;
        Ok(())
    }

    /// The runtime over S3 and DynamoDB; the clients are made from the environment on first use.
    pub fn runtime(&self) -> IsrRuntime {
        let html = S3Store::from_env(&self.bucket, &self.prefix);
        let meta = DynamoMetaStore::from_env(&self.table);
        // The pointer prefix stays "isr/" inside the physical prefix; they never stack into prefix/prefix.
        IsrRuntime::new(html, meta)
    }
}

/// The SDK configuration from the standard environment (region, credentials, `AWS_ENDPOINT_URL`), bounded for
/// the request path: two attempts with a 50 ms initial backoff, 500 ms to connect, 1 s per attempt and 2 s per
/// call in all. An outage then costs a request at most about 2 s before the engine degrades (the last known
/// page, or one uncached render) instead of the SDK's default multi-second retries.
pub async fn aws_config_from_env() -> aws_config::SdkConfig {
    bounded_sdk_loader().load().await
}

/// The loader behind [`aws_config_from_env`], for callers that set more (an endpoint, credentials) before
/// loading.
pub fn bounded_sdk_loader() -> aws_config::ConfigLoader {
    use std::time::Duration;
    let retry =
        aws_config::retry::RetryConfig::standard().with_max_attempts(2).with_initial_backoff(Duration::from_millis(50));
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(500))
        .operation_attempt_timeout(Duration::from_secs(1))
        .operation_timeout(Duration::from_secs(2))
        .build();
    aws_config::defaults(BehaviorVersion::latest()).retry_config(retry).timeout_config(timeouts)
}

/// An S3 client; path-style addressing when `AWS_ENDPOINT_URL(_S3)` points at a local server.
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let mut s3 = aws_sdk_s3::config::Builder::from(sdk);
    if std::env::var_os("AWS_ENDPOINT_URL").is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some() {
        s3 = s3.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(s3.build())
}
