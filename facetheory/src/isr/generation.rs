//! Writing a new generation: regeneration under the lease (in the request or after the response), the
//! stored body and sidecar, the conditional commit, and deleting the generation it supersedes.

use std::future::Future;

use bytes::Bytes;

use super::codec::{body_etag, hydration_blob, hydration_pointer, to_blob};
use super::key;
use super::policy::FailurePolicy;
use super::revalidate::checked_tags;
use super::{Background, Generation, IsrOutcome, IsrRuntime, IsrState};
use std::sync::Arc;

use crate::context::RequestInfo;
use crate::error::Error;
use crate::meta::{IsrRecord, Lease};
use crate::observe::{error_class, Phase};
use crate::render::Rendered;
use crate::store::StoreError;

impl IsrRuntime {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn background<F, Fut>(
        &self,
        request: Arc<RequestInfo>,
        key: String,
        lease: Lease,
        previous: Arc<IsrRecord>,
        revalidate_seconds: u64,
        implicit: [String; 2],
        render: F,
    ) -> Background
    where
        F: FnOnce(Generation) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Rendered<Bytes>, Error>> + Send + 'static,
    {
        let rt = self.clone();
        Background(Box::pin(async move {
            // Observed like the request that started it, with its id.
            let result =
                rt.regenerate(&request, &key, lease, Some(&previous), revalidate_seconds, &implicit, render).await;
            match result {
                Ok(IsrOutcome::Served { state: IsrState::Miss, .. }) => {
                    tracing::debug!(key, "ISR background regeneration committed")
                }
                Ok(_) => tracing::warn!(key, "ISR background regeneration did not produce a cacheable page"),
                Err(e) => tracing::error!(key, error = %e, "ISR background regeneration failed; the stale page stays"),
            }
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn regenerate<F, Fut>(
        &self,
        request: &RequestInfo,
        key: &str,
        lease: Lease,
        previous: Option<&IsrRecord>,
        revalidate_seconds: u64,
        implicit: &[String; 2],
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut,
        Fut: Future<Output = Result<Rendered<Bytes>, Error>>,
    {
        let started = std::time::Instant::now();
        let span = tracing::debug_span!("facetheory.isr.regeneration", key, request_id = %request.request_id);
        let inner = self.regenerate_inner(request, key, &lease, previous, revalidate_seconds, implicit, render);
        let result = tracing::Instrument::instrument(inner, span).await;
        self.release(key, &lease).await;
        let (outcome, answer) = match result {
            Ok(out) => ("success", Ok(out)),
            // Not-found and redirects are answers, not failures: no stale page stands in for them.
            Err(e) if !matches!(e.kind(), crate::ErrorKind::Internal(_)) => ("success", Err(e)),
            Err(e) => {
                tracing::error!(key, request_id = %request.request_id, error = %e, "ISR regeneration failed");
                request.report(Phase::IsrRegeneration, error_class(&e), &e);
                let stale = match (self.config.failure, previous) {
                    (FailurePolicy::ServeStale, Some(prev)) => self.serve_record(prev, IsrState::Stale).await,
                    _ => None,
                };
                match stale {
                    Some(stale) => ("stale_after_error", Ok(stale)),
                    None => ("error", Err(e)),
                }
            }
        };
        crate::observe::regeneration(request, outcome, started.elapsed());
        answer
    }

    /// Sidecar and body first, pointer second: until the commit, readers keep getting the previous page.
    async fn write_generation(
        &self,
        generation: &Generation,
        page: &Rendered<Bytes>,
        revalidate_seconds: u64,
    ) -> Result<(), StoreError> {
        if let Some(data) = &page.sidecar {
            self.config.html.put(&generation.hydration_pointer(), hydration_blob(data)).await?;
        }
        self.config.html.put(&generation.html_pointer, to_blob(page, revalidate_seconds)).await
    }

    /// Deletes a superseded generation (its HTML and sidecar), best effort: a reader that still holds the old
    /// record finds the body gone and regenerates or waits like any miss.
    async fn delete_generation(&self, key: &str, html_pointer: &str) {
        for pointer in [html_pointer.to_string(), hydration_pointer(html_pointer)] {
            if let Err(e) = self.config.html.delete(&pointer).await {
                tracing::warn!(key, pointer, error = %e, "deleting a superseded ISR generation failed");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn regenerate_inner<F, Fut>(
        &self,
        request: &RequestInfo,
        key: &str,
        lease: &Lease,
        previous: Option<&IsrRecord>,
        revalidate_seconds: u64,
        implicit: &[String; 2],
        render: F,
    ) -> Result<IsrOutcome, Error>
    where
        F: FnOnce(Generation) -> Fut,
        Fut: Future<Output = Result<Rendered<Bytes>, Error>>,
    {
        let generated_at = (self.config.clock)();
        let pointer = format!(
            "{}{}/{generated_at}-{}.html",
            self.config.pointer_prefix,
            key::digest24(key),
            uuid::Uuid::new_v4()
        );
        let generation = Generation { html_pointer: pointer.clone() };
        let mut page = render(generation.clone()).await?;
        if page.status.is_server_error() {
            return Err(Error::msg(format!("ISR regeneration produced status {}", page.status)));
        }
        if page.status != http::StatusCode::OK {
            return Ok(IsrOutcome::Uncached(page));
        }
        page.tags = checked_tags(key, implicit, std::mem::take(&mut page.tags));
        let etag = body_etag(&page.body);
        let span = tracing::debug_span!("facetheory.isr.store_write", key);
        let written =
            tracing::Instrument::instrument(self.write_generation(&generation, &page, revalidate_seconds), span);
        if let Err(e) = written.await {
            // A read-only, full or unreachable store must not take the site down: answer this render uncached.
            tracing::error!(key, error = %e, "ISR store write failed; serving the page uncached");
            request.report(Phase::Store, "store", &e);
            page.sidecar = None;
            return Ok(IsrOutcome::Uncached(page));
        }
        let record = IsrRecord {
            html_pointer: pointer,
            generated_at_ms: generated_at,
            revalidate_seconds,
            etag: Some(etag.clone()),
            tags: page.tags.clone(),
            invalidated_at_ms: None,
        };
        let committed = match self.config.meta.commit(key, lease, record.clone(), (self.config.clock)()).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(key, error = %e, "ISR metadata commit failed; serving the page uncached");
                return Ok(IsrOutcome::Uncached(page));
            }
        };
        if !committed {
            tracing::warn!(key, "ISR lease lost before commit; serving this render without caching it");
        } else {
            self.caches.bodies.insert(&record.html_pointer, &page);
            let record = Arc::new(record);
            self.remember(key, &record);
            if let Some(old) = previous.filter(|old| old.html_pointer != record.html_pointer) {
                self.delete_generation(key, &old.html_pointer).await;
            }
        }
        let page = super::served::served(page, IsrState::Miss, Some(&etag), revalidate_seconds);
        Ok(IsrOutcome::Served { state: IsrState::Miss, page, etag: Some(etag), revalidate_seconds, background: None })
    }
}
