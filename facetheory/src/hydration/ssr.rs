//! Signed SSR hydration sidecars: a strict SSR page's payload is written to a [`BlobStore`] and the page
//! points at `/_facetheory/ssr-data/<signed token>`. The token is HMAC-SHA256 signed, expires (60 s by default),
//! and is bound to a variant of the request (by default none) and to the exact body bytes. The app answers that
//! URL itself: `GET` with a valid token gives the JSON (`no-store`); anything wrong is a plain 404.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::clock::{now_ms, ClockFn};
use crate::context::FaceContext;
use crate::params::encode_uri_component;
use crate::secret::constant_time_eq;
use crate::store::{Blob, BlobStore, StoreError};

/// Default lifetime of an SSR sidecar token.
pub const DEFAULT_TTL_SECONDS: u64 = 60;
/// The longest token lifetime.
pub const MAX_TTL_SECONDS: u64 = 86_400;
/// Default URL prefix the app answers sidecar requests under.
pub const DEFAULT_DATA_URL_PREFIX: &str = "/_facetheory/ssr-data";
const DEFAULT_SCOPE: &str = "facetheory:ssr-hydration-sidecar";
const DEFAULT_KEY_PREFIX: &str = "ssr-hydration/";

/// A misconfigured sidecar runtime, or a write that failed.
#[derive(Debug, thiserror::Error)]
pub enum SidecarError {
    /// An option is unusable.
    #[error("SSR hydration sidecars: {0}")]
    Config(String),
    /// The store refused the write.
    #[error("SSR hydration sidecar write failed: {0}")]
    Store(#[from] StoreError),
}

/// Why a sidecar request was refused (logged; the response is always a plain 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The token is not `payload.signature` in base64url, or its claims do not parse.
    MalformedToken,
    /// The signature does not match.
    TamperedToken,
    /// Signed for another scope.
    WrongScope,
    /// Used before its not-before time.
    NotYetValidToken,
    /// Expired.
    ExpiredToken,
    /// Signed for another request variant.
    WrongVariant,
    /// The store has no sidecar under the key.
    MissingSidecar,
    /// The stored body is not the one signed.
    TamperedSidecar,
    /// The stored body is not JSON.
    InvalidSidecar,
    /// The store failed.
    StoreError,
}

impl Rejection {
    /// FaceTheory's reason string.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::MalformedToken => "malformed-token",
            Rejection::TamperedToken => "tampered-token",
            Rejection::WrongScope => "wrong-scope",
            Rejection::NotYetValidToken => "not-yet-valid-token",
            Rejection::ExpiredToken => "expired-token",
            Rejection::WrongVariant => "wrong-variant",
            Rejection::MissingSidecar => "missing-sidecar",
            Rejection::TamperedSidecar => "tampered-sidecar",
            Rejection::InvalidSidecar => "invalid-sidecar",
            Rejection::StoreError => "store-error",
        }
    }
}

type VariantFn = dyn Fn(&FaceContext) -> serde_json::Value + Send + Sync;

/// Signed SSR hydration sidecars (configure with [`crate::AppBuilder::ssr_hydration_sidecars`]).
///
/// ```
/// use facetheory::{hydration::SsrSidecars, store::MemoryStore};
/// let sidecars = SsrSidecars::new(b"a long random secret".to_vec(), MemoryStore::default()).unwrap().ttl_seconds(30).unwrap();
/// # let _ = sidecars;
/// ```
#[derive(Clone)]
pub struct SsrSidecars {
    secret: Arc<[u8]>,
    store: Arc<dyn BlobStore>,
    ttl_seconds: u64,
    key_prefix: String,
    data_url_prefix: String,
    scope: String,
    variant: Arc<VariantFn>,
    clock: Arc<ClockFn>,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    bd: String,
    exp: u64,
    iat: u64,
    key: String,
    nbf: u64,
    scp: String,
    v: u32,
    vh: String,
}

impl SsrSidecars {
    /// Who can read the sidecars this publishes: the store's reach.
    pub fn reach(&self) -> crate::store::StoreReach {
        self.store.reach()
    }

    /// Sidecars signed with `secret` (non-empty; share it between instances) and stored in `store` (on AWS, a
    /// store every instance reads, such as S3).
    pub fn new(secret: impl Into<Vec<u8>>, store: impl BlobStore) -> Result<Self, SidecarError> {
        let secret: Vec<u8> = secret.into();
        if secret.is_empty() {
            return Err(SidecarError::Config("the signing secret must not be empty".into()));
        }
        Ok(SsrSidecars {
            secret: secret.into(),
            store: Arc::new(store),
            ttl_seconds: DEFAULT_TTL_SECONDS,
            key_prefix: DEFAULT_KEY_PREFIX.into(),
            data_url_prefix: DEFAULT_DATA_URL_PREFIX.into(),
            scope: DEFAULT_SCOPE.into(),
            variant: Arc::new(|_| serde_json::json!({"stableCookies": {}})),
            clock: Arc::new(now_ms),
        })
    }

    /// Token lifetime in seconds, 1 to 86,400 (a day: the deployment's lifecycle rule removes sidecar objects
    /// after a day).
    pub fn ttl_seconds(mut self, ttl: u64) -> Result<Self, SidecarError> {
        if ttl == 0 || ttl > MAX_TTL_SECONDS {
            return Err(SidecarError::Config(format!("ttl_seconds must be 1 to {MAX_TTL_SECONDS}, got {ttl}")));
        }
        self.ttl_seconds = ttl;
        Ok(self)
    }

    /// Store key prefix (default `ssr-hydration/`): no control characters, `\`, `?`, `#`, or empty/`.`/`..` parts.
    pub fn key_prefix(mut self, prefix: &str) -> Result<Self, SidecarError> {
        let trimmed = prefix.trim_matches('/');
        let bad = trimmed.chars().any(|c| c.is_control() || matches!(c, '\\' | '?' | '#'))
            || trimmed.split('/').any(|p| p.is_empty() || p == "." || p == "..");
        if bad {
            return Err(SidecarError::Config(format!("invalid key prefix {prefix:?}")));
        }
        self.key_prefix = format!("{trimmed}/");
        Ok(self)
    }

    /// URL prefix the app answers (default `/_facetheory/ssr-data`): a static, brace-free path other than `/`.
    pub fn data_url_prefix(mut self, prefix: &str) -> Result<Self, SidecarError> {
        let p = format!("/{}", prefix.trim_matches('/'));
        let bad = p == "/"
            || prefix.starts_with("//")
            || p.chars().any(|c| c.is_control() || matches!(c, '\\' | '?' | '#' | '{' | '}' | '<' | '>'))
            || p[1..].split('/').any(|s| s.is_empty());
        if bad {
            return Err(SidecarError::Config(format!("invalid data URL prefix {prefix:?}")));
        }
        self.data_url_prefix = p;
        Ok(self)
    }

    /// Signing scope (default `facetheory:ssr-hydration-sidecar`).
    pub fn scope(mut self, scope: &str) -> Result<Self, SidecarError> {
        let scope = scope.trim();
        if scope.is_empty() {
            return Err(SidecarError::Config("scope must not be empty".into()));
        }
        self.scope = scope.to_string();
        Ok(self)
    }

    /// Binds tokens to a variant of the request (e.g. a session cookie): a token only serves requests with the
    /// same variant. Default: `{"stableCookies":{}}` for every request (FaceTheory's default).
    pub fn request_variant(mut self, f: impl Fn(&FaceContext) -> serde_json::Value + Send + Sync + 'static) -> Self {
        self.variant = Arc::new(f);
        self
    }

    /// Replaces the clock (milliseconds since the epoch), for tests.
    pub fn clock(mut self, f: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(f);
        self
    }

    /// The URL prefix answered by the app.
    pub fn prefix(&self) -> &str {
        &self.data_url_prefix
    }

    fn h(&self, ctx: &str, value: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(ctx.as_bytes());
        mac.update(&[0]);
        mac.update(self.scope.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn variant_hash(&self, ctx: &FaceContext) -> String {
        self.h("facetheory:ssr-hydration-sidecar:variant:v1", stable_json(&(self.variant)(ctx)).as_bytes())
    }

    fn scope_hash(&self) -> String {
        self.h("facetheory:ssr-hydration-sidecar:scope:v1", self.scope.as_bytes())
    }

    /// Stores `body` (hydration JSON, already escaped for HTML) and returns the signed data URL.
    pub async fn publish(&self, ctx: &FaceContext, body: &str) -> Result<String, SidecarError> {
        let (token, key) = self.sign(ctx, body, (self.clock)());
        let blob = Blob {
            body: Bytes::from(body.to_string()),
            content_type: "application/json; charset=utf-8".into(),
            cache_control: Some(crate::cache_control::NO_STORE.into()),
            metadata: BTreeMap::from([
                ("facetheory-kind".to_string(), "ssr-hydration-sidecar".to_string()),
                ("facetheory-version".to_string(), "1".to_string()),
            ]),
        };
        self.store.put(&key, blob).await?;
        Ok(format!("{}/{}", self.data_url_prefix, encode_uri_component(&token)))
    }

    /// The token and store key for a body at time `now` (milliseconds).
    pub fn sign(&self, ctx: &FaceContext, body: &str, now: u64) -> (String, String) {
        let (iat, exp) = (now, now.saturating_add(self.ttl_seconds.saturating_mul(1000)));
        let vh = self.variant_hash(ctx);
        let bd = self.h("facetheory:ssr-hydration-sidecar:body:v1", body.as_bytes());
        let key_hash =
            self.h("facetheory:ssr-hydration-sidecar:key:v1", format!("{vh}\0{bd}\0{iat}\0{exp}").as_bytes());
        let key = format!("{}{}/{iat}-{exp}.json", self.key_prefix, &key_hash[..32]);
        let claims = Claims { bd, exp, iat, key: key.clone(), nbf: iat, scp: self.scope_hash(), v: 1, vh };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let sig = self.h("facetheory:ssr-hydration-sidecar:token:v1", payload.as_bytes());
        (format!("{payload}.{sig}"), key)
    }

    /// Verifies a (raw, percent-encoded) token in a fixed order (format, signature, scope, times, variant, body) and loads the body.
    pub async fn resolve(&self, ctx: &FaceContext, raw_token: &str) -> Result<Bytes, Rejection> {
        use Rejection::*;
        let token = crate::params::percent_decode(raw_token).map_err(|_| MalformedToken)?;
        let (payload, sig) = token.split_once('.').ok_or(MalformedToken)?;
        let b64 = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !b64(payload) || !b64(sig) || sig.contains('.') {
            return Err(MalformedToken);
        }
        let expected = self.h("facetheory:ssr-hydration-sidecar:token:v1", payload.as_bytes());
        if !constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
            return Err(TamperedToken);
        }
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| MalformedToken)?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| MalformedToken)?;
        if claims.v != 1 {
            return Err(MalformedToken);
        }
        if !constant_time_eq(claims.scp.as_bytes(), self.scope_hash().as_bytes()) {
            return Err(WrongScope);
        }
        let digest = |s: &str| s.len() >= 32 && b64(s);
        let well_formed =
            digest(&claims.vh) && digest(&claims.bd) && claims.iat <= claims.nbf && claims.nbf < claims.exp;
        if !well_formed {
            return Err(MalformedToken);
        }
        if !self.key_shape_ok(&claims.key) {
            return Err(MalformedToken);
        }
        let now = (self.clock)();
        if now < claims.nbf {
            return Err(NotYetValidToken);
        }
        if now >= claims.exp {
            return Err(ExpiredToken);
        }
        if !constant_time_eq(claims.vh.as_bytes(), self.variant_hash(ctx).as_bytes()) {
            return Err(WrongVariant);
        }
        let blob = match self.store.get(&claims.key).await {
            Ok(Some(b)) => b,
            Ok(None) => return Err(MissingSidecar),
            Err(e) => {
                tracing::error!(error = %e, "SSR hydration sidecar store read failed");
                return Err(StoreError);
            }
        };
        let bd = self.h("facetheory:ssr-hydration-sidecar:body:v1", &blob.body);
        if !constant_time_eq(bd.as_bytes(), claims.bd.as_bytes()) {
            return Err(TamperedSidecar);
        }
        serde_json::from_slice::<serde::de::IgnoredAny>(&blob.body).map_err(|_| InvalidSidecar)?;
        Ok(blob.body)
    }

    fn key_shape_ok(&self, key: &str) -> bool {
        let Some(rest) = key.strip_prefix(&self.key_prefix) else { return false };
        let Some((hash, file)) = rest.split_once('/') else { return false };
        let Some(times) = file.strip_suffix(".json") else { return false };
        let Some((a, b)) = times.split_once('-') else { return false };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        (24..=64).contains(&hash.len())
            && hash.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            && digits(a)
            && digits(b)
    }
}

/// JSON with object keys sorted (byte order; the same as UTF-16 order for ASCII keys), compact.
pub(crate) fn stable_json(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", serde_json::to_string(k).expect("string"), stable_json(&map[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(stable_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}
