//! [`DynamoMetaStore`]: ISR metadata and leases in DynamoDB, in TableTheory's `FaceTheoryIsrMetaStore` item
//! layout:
//!
//! ```text
//! pk = "CACHE#<cache key>"   sk = "META" | "LOCK"
//! META: s3_key (S), generated_at (N, epoch s), revalidate_seconds (N), etag (S, optional), ttl (N, optional)
//! LOCK: lease_token (S), lease_expires_at (N, epoch s), ttl (N = expiry + 1 h)
//! acquire: PutItem LOCK if attribute_not_exists(pk) OR lease expired
//! commit:  TransactWriteItems [Put META, Delete LOCK if our token and unexpired]
//! release: DeleteItem LOCK if our token
//! pk = "TAG#<tag>"           sk = "KEY#<cache key>"   cache_key (S)      (tag index, written in the commit)
//! invalidate: Query TAG#<tag>, then UpdateItem META SET invalidated_at_ms if contains(tags, <tag>)
//! ```
//!
//! Millisecond copies (`generated_at_ms`, `lease_expires_at_ms`) are added so that freshness and leases keep
//! millisecond precision; items written by TableTheory (seconds only) are read and respected too.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;

use super::{IsrRecord, Lease, MetaStore, RETENTION_S, TTL_ATTRIBUTE};
use crate::aws_client::LazyClient;
use crate::store::s3::aws_error_text;
use crate::store::StoreError;
use crate::BoxFuture;

/// ISR metadata in a DynamoDB table with a `pk` / `sk` string key.
#[derive(Clone)]
pub struct DynamoMetaStore {
    client: LazyClient<Client>,
    table: String,
}

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn err(key: &str, e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Io { key: key.to_string(), source: std::io::Error::other(aws_error_text(&e)) }
}

fn num(item: &Item, name: &str) -> Option<u64> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().ok(),
        _ => None,
    }
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.as_str()),
        _ => None,
    }
}

impl DynamoMetaStore {
    /// A store over `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoMetaStore { client: LazyClient::ready(client, Client::new), table: table.into() }
    }

    /// A store whose client is made from the environment on its first request (building an app does no AWS
    /// work).
    pub fn from_env(table: impl Into<String>) -> Self {
        DynamoMetaStore { client: LazyClient::from_env(Client::new), table: table.into() }
    }

    fn pk(key: &str) -> AttributeValue {
        s(format!("CACHE#{key}"))
    }
}

impl MetaStore for DynamoMetaStore {
    fn get(&self, key: &str) -> BoxFuture<Result<Option<Arc<IsrRecord>>, StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        Box::pin(async move {
            let out = this
                .client
                .get()
                .await
                .get_item()
                .table_name(&this.table)
                .key("pk", Self::pk(&key))
                .key("sk", s("META"))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| err(&key, e))?;
            let Some(item) = out.item() else { return Ok(None) };
            let corrupt = |what: &str| StoreError::Corrupt { key: key.clone(), reason: format!("META item: {what}") };
            let pointer = text(item, "s3_key").ok_or_else(|| corrupt("missing s3_key"))?;
            let generated_at_ms = num(item, "generated_at_ms")
                .or_else(|| num(item, "generated_at").map(|s| s.saturating_mul(1000)))
                .ok_or_else(|| corrupt("missing generated_at"))?;
            let revalidate_seconds =
                num(item, "revalidate_seconds").ok_or_else(|| corrupt("missing revalidate_seconds"))?;
            Ok(Some(Arc::new(IsrRecord {
                html_pointer: pointer.to_string(),
                generated_at_ms,
                revalidate_seconds,
                etag: text(item, "etag").map(str::to_string),
                tags: match item.get("tags") {
                    Some(AttributeValue::Ss(tags)) => tags.clone(),
                    _ => Vec::new(),
                },
                invalidated_at_ms: num(item, "invalidated_at_ms"),
            })))
        })
    }

    fn try_acquire_lease(&self, key: &str, now_ms: u64, lease_ms: u64) -> BoxFuture<Result<Option<Lease>, StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        Box::pin(async move {
            let lease =
                Lease { token: uuid::Uuid::new_v4().to_string(), expires_at_ms: now_ms.saturating_add(lease_ms) };
            let expires_s = lease.expires_at_ms.div_ceil(1000);
            let result = this
                .client
                .get()
                .await
                .put_item()
                .table_name(&this.table)
                .item("pk", Self::pk(&key))
                .item("sk", s("LOCK"))
                .item("lease_token", s(&lease.token))
                .item("lease_expires_at", n(expires_s))
                .item("lease_expires_at_ms", n(lease.expires_at_ms))
                .item(TTL_ATTRIBUTE, n(expires_s.saturating_add(3600)))
                .condition_expression(
                    "attribute_not_exists(#pk) OR #expms <= :nowms OR (attribute_not_exists(#expms) AND #exp <= :now)",
                )
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_names("#exp", "lease_expires_at")
                .expression_attribute_names("#expms", "lease_expires_at_ms")
                .expression_attribute_values(":now", n(now_ms / 1000))
                .expression_attribute_values(":nowms", n(now_ms))
                .send()
                .await;
            match result {
                Ok(_) => Ok(Some(lease)),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(None),
                Err(e) => Err(err(&key, e)),
            }
        })
    }

    fn commit(&self, key: &str, lease: &Lease, record: IsrRecord, now_ms: u64) -> BoxFuture<Result<bool, StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        let lease = lease.clone();
        Box::pin(async move {
            let mut meta: Item = HashMap::from([
                ("pk".to_string(), Self::pk(&key)),
                ("sk".to_string(), s("META")),
                ("s3_key".to_string(), s(&record.html_pointer)),
                ("generated_at".to_string(), n(record.generated_at_ms / 1000)),
                ("generated_at_ms".to_string(), n(record.generated_at_ms)),
                ("revalidate_seconds".to_string(), n(record.revalidate_seconds)),
            ]);
            if let Some(etag) = &record.etag {
                meta.insert("etag".into(), s(etag));
            }
            // Records nobody requests any more (another build's, a variant that stopped coming) expire a week
            // after they went stale; the tag entries with them.
            let ttl =
                (record.generated_at_ms / 1000).saturating_add(record.revalidate_seconds).saturating_add(RETENTION_S);
            meta.insert(TTL_ATTRIBUTE.into(), n(ttl));
            if !record.tags.is_empty() {
                meta.insert("tags".into(), AttributeValue::Ss(record.tags.clone()));
            }
            let put = Put::builder().table_name(&this.table).set_item(Some(meta)).build().map_err(|e| err(&key, e))?;
            let delete = Delete::builder()
                .table_name(&this.table)
                .key("pk", Self::pk(&key))
                .key("sk", s("LOCK"))
                .condition_expression("#tok = :tok AND #expms > :nowms")
                .expression_attribute_names("#tok", "lease_token")
                .expression_attribute_names("#expms", "lease_expires_at_ms")
                .expression_attribute_values(":tok", s(&lease.token))
                .expression_attribute_values(":nowms", n(now_ms))
                .build()
                .map_err(|e| err(&key, e))?;
            // The tag index goes into the same transaction (at most MAX_TAGS + 2 items, under DynamoDB's 100).
            let mut tx = this
                .client
                .get()
                .await
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put).build())
                .transact_items(TransactWriteItem::builder().delete(delete).build());
            for tag in &record.tags {
                let entry = Put::builder()
                    .table_name(&this.table)
                    .item("pk", s(format!("TAG#{tag}")))
                    .item("sk", s(format!("KEY#{key}")))
                    .item("cache_key", s(&key))
                    .item(TTL_ATTRIBUTE, n(ttl))
                    .build()
                    .map_err(|e| err(&key, e))?;
                tx = tx.transact_items(TransactWriteItem::builder().put(entry).build());
            }
            let result = tx.send().await;
            match result {
                Ok(_) => Ok(true),
                // A false condition cancels the whole transaction: the previous META stays.
                Err(e) if e.as_service_error().is_some_and(|s| s.is_transaction_canceled_exception()) => Ok(false),
                Err(e) => Err(err(&key, e)),
            }
        })
    }

    fn release(&self, key: &str, lease: &Lease) -> BoxFuture<Result<(), StoreError>> {
        let this = self.clone();
        let key = key.to_string();
        let token = lease.token.clone();
        Box::pin(async move {
            let result = this
                .client
                .get()
                .await
                .delete_item()
                .table_name(&this.table)
                .key("pk", Self::pk(&key))
                .key("sk", s("LOCK"))
                .condition_expression("#tok = :tok")
                .expression_attribute_names("#tok", "lease_token")
                .expression_attribute_values(":tok", s(token))
                .send()
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(()),
                Err(e) => Err(err(&key, e)),
            }
        })
    }

    fn invalidate_tags(&self, tags: &[String], now_ms: u64) -> BoxFuture<Result<u64, StoreError>> {
        let this = self.clone();
        let tags = tags.to_vec();
        Box::pin(async move {
            // Cache key → the requested tags it is indexed under.
            let mut keys: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for tag in &tags {
                let mut pages = this
                    .client
                    .get()
                    .await
                    .query()
                    .table_name(&this.table)
                    .key_condition_expression("#pk = :pk")
                    .expression_attribute_names("#pk", "pk")
                    .expression_attribute_values(":pk", s(format!("TAG#{tag}")))
                    .consistent_read(true)
                    .into_paginator()
                    .items()
                    .send();
                while let Some(item) = pages.next().await {
                    let item = item.map_err(|e| err(tag, e))?;
                    if let Some(key) = text(&item, "cache_key") {
                        keys.entry(key.to_string()).or_default().push(tag.clone());
                    }
                }
            }
            let mut marked = 0;
            for (key, found) in keys {
                // The index is append-only: only records whose current generation still carries a tag.
                let any_tag: Vec<String> = (0..found.len()).map(|i| format!("contains(#tags, :t{i})")).collect();
                let mut update = this
                    .client
                    .get()
                    .await
                    .update_item()
                    .table_name(&this.table)
                    .key("pk", Self::pk(&key))
                    .key("sk", s("META"))
                    .update_expression("SET #inv = :now")
                    .condition_expression(format!("attribute_exists(#pk) AND ({})", any_tag.join(" OR ")))
                    .expression_attribute_names("#inv", "invalidated_at_ms")
                    .expression_attribute_names("#pk", "pk")
                    .expression_attribute_names("#tags", "tags")
                    .expression_attribute_values(":now", n(now_ms));
                for (i, tag) in found.iter().enumerate() {
                    update = update.expression_attribute_values(format!(":t{i}"), s(tag));
                }
                match update.send().await {
                    Ok(_) => marked += 1,
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {}
                    Err(e) => return Err(err(&key, e)),
                }
            }
            Ok(marked)
        })
    }
}
