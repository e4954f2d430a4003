//! The render step: where a page becomes bytes.
//!
//! A caller (request dispatch, the ISR regeneration, the SSG build) hands a face's [`ErasedPage`] and a
//! [`RenderPlan`] saying how the page is to leave: where strict hydration data goes, whether strict pages
//! allow their scripts by nonce or by hash, and the default `cache-control`. Rendering returns a [`Rendered`]
//! value — status, headers, body, cache tags, hydration sidecar bytes — and nothing else travels back. The
//! value becomes an `http::Response` once, at the edge ([`Rendered::into_response`]).

mod defaults;
mod strict;

pub(crate) use defaults::{MissingEntries, PageDefaults};

use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};

use crate::body::Body;
use crate::cache_control;
use crate::context::{FaceContext, RequestInfo};
use crate::csp::{CspError, CspPolicy};
use crate::document::{render_document_start, DocumentTail, DOCUMENT_END};
use crate::face::FaceMode;
use crate::hydration::{self, SidecarError, SsrSidecars, Transport};
use crate::page::{ErasedPage, PageBody};

/// A rendered page: the render step's output, what the ISR engine stores (`Rendered<Bytes>`, buffered), and
/// what the SSG build writes.
///
/// ```
/// use facetheory::Rendered;
/// let page = Rendered::html(http::StatusCode::OK, "<!doctype html><p>hi</p>");
/// let res = page.into_response();
/// assert_eq!(res.headers()["content-length"], "24");
/// ```
#[derive(Debug, Clone)]
pub struct Rendered<B = Body> {
    /// The status.
    pub status: StatusCode,
    /// The headers (content type, CSP, the page's own; `content-length` when the body is buffered).
    pub headers: HeaderMap,
    /// The document.
    pub body: B,
    /// Cache tags the page carries (ISR on-demand revalidation).
    pub tags: Vec<String>,
    /// Hydration data moved out of a strict ISR or SSG page, stored or written beside it.
    pub sidecar: Option<Bytes>,
}

impl Rendered<Bytes> {
    /// A buffered HTML document with no other headers.
    pub fn html(status: StatusCode, document: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        Rendered { status, headers, body: document.into(), tags: Vec::new(), sidecar: None }
    }

    /// The `content-type` header as text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The response, with `content-length`.
    pub fn into_response(self) -> Response<Body> {
        let len = self.body.len();
        let mut r = Response::new(Body::full(self.body));
        *r.status_mut() = self.status;
        *r.headers_mut() = self.headers;
        r.headers_mut().insert(header::CONTENT_LENGTH, crate::response::content_length(len));
        r
    }

    /// The response with the headers exactly as they are (the ISR engine's served pages carry their length).
    pub(crate) fn into_served_response(self) -> Response<Body> {
        let mut r = Response::new(Body::full(self.body));
        *r.status_mut() = self.status;
        *r.headers_mut() = self.headers;
        r
    }
}

impl Rendered<Body> {
    /// The response (streamed when the page streams).
    pub fn into_response(self) -> Response<Body> {
        let mut r = Response::new(self.body);
        *r.status_mut() = self.status;
        *r.headers_mut() = self.headers;
        r
    }

    /// Collects a streamed body (stream failures are already the document's error marker).
    pub async fn buffered(self) -> Rendered<Bytes> {
        use http_body_util::BodyExt;
        let body = match self.body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        let mut headers = self.headers;
        headers.remove(header::CONTENT_LENGTH);
        Rendered { status: self.status, headers, body, tags: self.tags, sidecar: self.sidecar }
    }
}

/// Why a page could not be rendered (the response is the fixed 500 page; the reason is logged).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The page was built with an invalid header, cookie or option.
    #[error("{0}")]
    InvalidPage(String),
    /// A strict page carries inline code, or its CSP cannot be built.
    #[error(transparent)]
    Csp(#[from] CspError),
    /// The SSR hydration sidecar could not be written.
    #[error(transparent)]
    Sidecar(#[from] SidecarError),
    /// A streamed body failed before its first chunk.
    #[error("the streamed body failed: {0}")]
    Stream(crate::Error),
}

impl RenderError {
    /// Where it failed and its class, for the request log, metrics and the error hook.
    pub(crate) fn phase_and_class(&self) -> (crate::observe::Phase, &'static str) {
        use crate::observe::Phase;
        match self {
            RenderError::Stream(e) => (Phase::StreamPreflight, crate::observe::error_class(e)),
            RenderError::Sidecar(_) => (Phase::SsrSidecar, "sidecar"),
            RenderError::Csp(_) => (Phase::Render, "csp"),
            _ => (Phase::Render, "invalid_page"),
        }
    }
}

/// How strict pages allow the inline blocks they keep (JSON-LD).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScriptSources {
    /// A per-request nonce: the HTML is never shared.
    Nonce,
    /// Hashes of the exact bodies: the HTML is cached and shared.
    Hashes,
}

/// How a page is to be rendered; each caller says it once.
pub(crate) struct RenderPlan<'a> {
    pub(crate) hydration: Transport<'a>,
    pub(crate) scripts: ScriptSources,
    /// Set when the page sets none.
    pub(crate) cache_control: Option<HeaderValue>,
    /// Replaces the page's status (the not-found page answers 404).
    pub(crate) status: Option<StatusCode>,
    /// The app's defaults (CSP, client build).
    pub(crate) defaults: &'a PageDefaults,
    /// What an island entry that cannot be resolved does.
    pub(crate) missing_entries: MissingEntries,
}

/// For plans made without an app (tests of the render step).
static NO_DEFAULTS: std::sync::LazyLock<PageDefaults> = std::sync::LazyLock::new(PageDefaults::default);

impl<'a> RenderPlan<'a> {
    /// A face answering a request directly: SSR pages (signed sidecars when configured, nonces), SSG pages
    /// served locally (as `build` writes them), and ISR faces rendered outside the engine (the not-found page).
    pub(crate) fn on_request(mode: &FaceMode, sidecars: Option<&'a SsrSidecars>) -> Self {
        match mode {
            FaceMode::Ssr => RenderPlan {
                hydration: sidecars.map_or(Transport::Inline, Transport::SsrSidecar),
                scripts: ScriptSources::Nonce,
                cache_control: Some(SSR_CACHE),
                status: None,
                defaults: &NO_DEFAULTS,
                missing_entries: MissingEntries::Warn,
            },
            FaceMode::Ssg { .. } => Self::ssg(),
            FaceMode::Isr { .. } => RenderPlan {
                hydration: Transport::Inline,
                scripts: ScriptSources::Hashes,
                cache_control: None,
                status: None,
                defaults: &NO_DEFAULTS,
                missing_entries: MissingEntries::Warn,
            },
        }
    }

    /// An ISR regeneration; `sidecar_param` names the generation's hydration sidecar.
    pub(crate) fn isr(sidecar_param: &'a str) -> Self {
        RenderPlan {
            hydration: Transport::IsrSidecar(sidecar_param),
            scripts: ScriptSources::Hashes,
            cache_control: None,
            status: None,
            defaults: &NO_DEFAULTS,
            missing_entries: MissingEntries::Warn,
        }
    }

    /// A static page, as `build` writes it.
    pub(crate) fn ssg() -> Self {
        RenderPlan {
            hydration: Transport::SsgFile,
            scripts: ScriptSources::Hashes,
            cache_control: Some(SSG_CACHE),
            status: None,
            defaults: &NO_DEFAULTS,
            missing_entries: MissingEntries::Warn,
        }
    }

    /// Uses the app's defaults; `missing` says what an unresolvable island entry does.
    pub(crate) fn with_defaults(mut self, defaults: &'a PageDefaults, missing: MissingEntries) -> Self {
        self.defaults = defaults;
        self.missing_entries = missing;
        self
    }

    /// Forces the status.
    pub(crate) fn with_status(mut self, status: Option<StatusCode>) -> Self {
        self.status = status.or(self.status);
        self
    }
}

// Header values built at compile time: `from_static` outside a constant checks every byte on each call.
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const DENY: HeaderValue = HeaderValue::from_static("DENY");
const SSR_CACHE: HeaderValue = HeaderValue::from_static(cache_control::SSR);
const SSG_CACHE: HeaderValue = HeaderValue::from_static(cache_control::SSG);

/// Renders `page` for `request` (matched to `route`) as `plan` says.
pub(crate) async fn render(
    page: ErasedPage,
    plan: RenderPlan<'_>,
    request: &Arc<RequestInfo>,
    route: &'static str,
) -> Result<Rendered, RenderError> {
    let ErasedPage { mut parts, mut hydration_tags, entries } = page;
    if let Some(problem) = parts.invalid.take() {
        return Err(RenderError::InvalidPage(problem));
    }
    plan.defaults.apply_csp(&mut parts);
    plan.defaults
        .resolve_entries(&entries, &mut parts, &mut hydration_tags, plan.missing_entries)
        .map_err(RenderError::InvalidPage)?;
    let (tags, mut headers, cookies, allow_framing) = match parts.more_if_set() {
        Some(more) => (
            std::mem::take(&mut more.tags),
            std::mem::take(&mut more.headers),
            std::mem::take(&mut more.cookies),
            more.allow_framing,
        ),
        None => (Vec::new(), HeaderMap::new(), Vec::new(), false),
    };
    // A page that set no header (the usual one) has none of the defaults: they are inserted without a lookup
    // for a value of the page's own.
    let own_headers = !headers.is_empty();
    let default = |headers: &mut HeaderMap, name: header::HeaderName, value: HeaderValue| {
        if own_headers {
            headers.entry(name).or_insert(value);
        } else {
            headers.insert(name, value);
        }
    };
    for cookie in &cookies {
        let value = HeaderValue::from_str(cookie)
            .map_err(|_| RenderError::InvalidPage(format!("invalid set-cookie value {cookie:?}")))?;
        headers.append(header::SET_COOKIE, value);
    }
    default(&mut headers, header::CONTENT_TYPE, HTML);
    if !allow_framing {
        default(&mut headers, header::X_FRAME_OPTIONS, DENY);
    }
    let strict = parts.csp.filter(CspPolicy::is_strict);
    let sidecar = match strict {
        Some(policy) if !policy.inline_scripts => {
            // Boxed: only strict pages without inline scripts get here; the others keep a small future.
            Box::pin(move_hydration(hydration_tags.tags_mut(), plan.hydration, request, route)).await?
        }
        _ => None,
    };
    if let Some(value) = plan.cache_control {
        default(&mut headers, header::CACHE_CONTROL, value);
    }
    let sources = match strict {
        None => None,
        Some(policy) => {
            let own_csp = headers.contains_key(header::CONTENT_SECURITY_POLICY);
            let (sources, value) =
                strict::prepare(&mut parts, hydration_tags.tags_mut(), &policy, plan.scripts, request, own_csp)?;
            if let Some(v) = value {
                headers.insert(header::CONTENT_SECURITY_POLICY, v);
            }
            Some((policy, sources))
        }
    };
    let start = render_document_start(&parts, &hydration_tags);
    let status = plan.status.unwrap_or(parts.status.unwrap_or(StatusCode::OK));
    let body = match (std::mem::take(&mut parts.body), sources) {
        (PageBody::Markup(body), sources) => {
            if let Some((policy, sources)) = &sources {
                strict::validate(&start, &body, policy, sources)?;
            }
            let len = start.len() + body.len() + DOCUMENT_END.len();
            headers.insert(header::CONTENT_LENGTH, crate::response::content_length(len));
            Body::chunks([Bytes::from(start), Bytes::from(body), Bytes::from_static(DOCUMENT_END.as_bytes())])
        }
        (PageBody::Stream(mut chunks), sources) => {
            // Preflight: status and headers are final once the first chunk exists; a failure before it is a
            // clean 500. The head goes out together with the first chunk.
            let first = match crate::unwind::catch(futures_util::StreamExt::next(&mut chunks)).await {
                Ok(Some(Ok(markup))) => markup.into_string(),
                Ok(Some(Err(e))) => return Err(RenderError::Stream(e)),
                Ok(None) => String::new(),
                Err(panic) => {
                    return Err(RenderError::Stream(crate::Error::msg(format!("the stream panicked: {panic}"))))
                }
            };
            // A strict document is checked chunk by chunk as it streams: the start (head and first chunk) before
            // anything is sent, each later chunk before it is sent.
            if let Some((policy, sources)) = sources {
                strict::validate_fragment(&format!("{start}{first}"), &policy, &sources)?;
                chunks = strict::checked(chunks, policy, sources);
            }
            headers.remove(header::CONTENT_LENGTH);
            let tail = DocumentTail::new(chunks, route, Arc::clone(request));
            Body::streaming([Bytes::from(start), Bytes::from(first)], Box::pin(tail))
        }
    };
    Ok(Rendered { status, headers, body, tags, sidecar })
}

/// Moves a strict page's inline hydration data where the plan keeps it; returns the bytes when the caller
/// stores or writes them (ISR, SSG).
async fn move_hydration(
    tags: &mut [crate::head::HeadTag],
    transport: Transport<'_>,
    request: &Arc<RequestInfo>,
    route: &'static str,
) -> Result<Option<Bytes>, RenderError> {
    match transport {
        Transport::Inline => Ok(None),
        Transport::SsrSidecar(sidecars) => {
            let ctx = FaceContext::new(Arc::clone(request), route, Vec::new());
            hydration::externalize(tags, |data| async move {
                let span = tracing::debug_span!("facetheory.sidecar.publish", route);
                tracing::Instrument::instrument(sidecars.publish(&ctx, &String::from_utf8_lossy(&data)), span).await
            })
            .await?;
            // The data lives in the sidecar store; nothing to hand back.
            Ok(None)
        }
        Transport::IsrSidecar(param) => {
            let url = hydration::isr_data_url(request, param);
            Ok(hydration::externalize(tags, |_| std::future::ready(Ok::<_, RenderError>(url))).await?)
        }
        Transport::SsgFile => {
            let url = format!("/{}", hydration::ssg_data_path(&request.path));
            Ok(hydration::externalize(tags, |_| std::future::ready(Ok::<_, RenderError>(url))).await?)
        }
    }
}
