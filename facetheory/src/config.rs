//! [`EnvConfig`]: every `FACETHEORY_*` environment variable, read in this one place. [`AppBuilder::build`]
//! applies it (settings made on the builder win), so the CLI, the Lambda handler and an app embedded in axum
//! are configured alike. The table of variables is in `docs/configuration.md`.
//!
//! [`AppBuilder::build`]: crate::AppBuilder::build

use std::path::PathBuf;

/// Table-name variables for ISR metadata, in order of preference (FaceTheory's and AppTheory's names).
pub const CACHE_TABLE_VARS: &[&str] =
    &["FACETHEORY_CACHE_TABLE_NAME", "APPTHEORY_CACHE_TABLE_NAME", "CACHE_TABLE_NAME", "CACHE_TABLE"];

/// The deployment configuration from the environment.
///
/// ```
/// use facetheory::config::EnvConfig;
/// let env = EnvConfig::from_vars([("FACETHEORY_ISR_BUCKET", "site-isr"), ("FACETHEORY_CACHE_TABLE_NAME", "cache")]).unwrap();
/// assert_eq!(env.isr_bucket.as_deref(), Some("site-isr"));
/// assert!(EnvConfig::from_vars([("FACETHEORY_ISR_BUCKET", "only-a-bucket")]).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvConfig {
    /// `FACETHEORY_ISR_DIR`: the embedded local ISR store's directory (default `.facetheory/isr`).
    pub isr_dir: Option<PathBuf>,
    /// `FACETHEORY_ISR_BUCKET`: ISR HTML in this S3 bucket (needs a cache table too).
    pub isr_bucket: Option<String>,
    /// `FACETHEORY_ISR_PREFIX`: key prefix inside the ISR bucket.
    pub isr_prefix: String,
    /// `FACETHEORY_CACHE_TABLE_NAME` (or an alias in [`CACHE_TABLE_VARS`]): ISR metadata in this DynamoDB table.
    pub cache_table: Option<String>,
    /// `FACETHEORY_REVALIDATE_SECRET`: enables `POST /_facetheory/revalidate` with this bearer secret.
    pub revalidate_secret: Option<String>,
    /// `FACETHEORY_SIDECAR_SECRET`: the key SSR hydration sidecar URLs are signed with (shared by instances).
    pub sidecar_secret: Option<String>,
    /// `FACETHEORY_SIDECAR_BUCKET`: SSR hydration sidecars in this S3 bucket (shared by instances).
    pub sidecar_bucket: Option<String>,
    /// `FACETHEORY_SIDECAR_PREFIX`: key prefix inside the sidecar bucket (default `ssr-data`).
    pub sidecar_prefix: String,
    /// `FACETHEORY_MAX_REQUEST_BODY`: the request body limit in bytes.
    pub max_request_body: Option<usize>,
    /// `FACETHEORY_ALLOW_LOCAL_STORES=1`: run on Lambda with per-instance stores anyway (emulators, a single
    /// test instance). Never set it in production.
    pub allow_local_stores: bool,
    /// `FACETHEORY_EMF_NAMESPACE`: the site binary writes its metrics to stdout as CloudWatch EMF in this
    /// namespace ([`crate::observe::EmfRecorder`]).
    pub emf_namespace: Option<String>,
    /// `AWS_LAMBDA_RUNTIME_API` is set: the process is a Lambda function (or an emulator of one).
    pub on_lambda: bool,
}

/// A variable that is set to something that does not parse, or a combination that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("environment: {0}")]
pub struct EnvError(pub String);

impl EnvConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From explicit name/value pairs (tests, or configuration loaded from elsewhere).
    pub fn from_vars<K: AsRef<str>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Result<Self, EnvError> {
        let map: std::collections::HashMap<String, String> =
            vars.into_iter().map(|(k, v)| (k.as_ref().to_string(), v.into())).collect();
        Self::from_lookup(|name| map.get(name).cloned())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        // An empty value counts as unset, as in a template that leaves a parameter blank.
        let var = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let isr_bucket = var("FACETHEORY_ISR_BUCKET");
        let cache_table = CACHE_TABLE_VARS.iter().find_map(|n| var(n));
        match (&isr_bucket, &cache_table) {
            (Some(_), None) => {
                return Err(EnvError(format!(
                    "FACETHEORY_ISR_BUCKET is set but no cache table name is ({})",
                    CACHE_TABLE_VARS.join(", ")
                )))
            }
            (None, Some(_)) => {
                return Err(EnvError("a cache table name is set but FACETHEORY_ISR_BUCKET is not".into()))
            }
            _ => {}
        }
        let max_request_body = match var("FACETHEORY_MAX_REQUEST_BODY") {
            None => None,
            Some(v) => Some(
                v.parse()
                    .map_err(|_| EnvError(format!("FACETHEORY_MAX_REQUEST_BODY={v:?} is not a number of bytes")))?,
            ),
        };
        let allow_local_stores = match var("FACETHEORY_ALLOW_LOCAL_STORES").as_deref() {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => return Err(EnvError(format!("FACETHEORY_ALLOW_LOCAL_STORES={other:?}: expected 1 or 0"))),
        };
        Ok(EnvConfig {
            isr_dir: var("FACETHEORY_ISR_DIR").map(PathBuf::from),
            isr_bucket,
            isr_prefix: var("FACETHEORY_ISR_PREFIX").unwrap_or_default(),
            cache_table,
            revalidate_secret: var("FACETHEORY_REVALIDATE_SECRET"),
            sidecar_secret: var("FACETHEORY_SIDECAR_SECRET"),
            sidecar_bucket: var("FACETHEORY_SIDECAR_BUCKET"),
            sidecar_prefix: var("FACETHEORY_SIDECAR_PREFIX").unwrap_or_else(|| "ssr-data".into()),
            max_request_body,
            allow_local_stores,
            emf_namespace: var("FACETHEORY_EMF_NAMESPACE"),
            on_lambda: var("AWS_LAMBDA_RUNTIME_API").is_some(),
        })
    }
}

/// `FACETHEORY_BUILD_ID`: the deployment's build identity (ISR keys are namespaced by it). Read once per
/// process by the ISR key code.
pub(crate) fn build_id() -> Option<String> {
    std::env::var("FACETHEORY_BUILD_ID").ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_variable_and_refuses_half_configurations() {
        let env = EnvConfig::from_vars([
            ("FACETHEORY_ISR_BUCKET", "b"),
            ("CACHE_TABLE", "t"),
            ("FACETHEORY_ISR_PREFIX", "p"),
            ("FACETHEORY_SIDECAR_BUCKET", "s"),
            ("FACETHEORY_SIDECAR_SECRET", "k"),
            ("FACETHEORY_MAX_REQUEST_BODY", "1024"),
            ("FACETHEORY_REVALIDATE_SECRET", " "),
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
        ])
        .unwrap();
        assert_eq!(env.cache_table.as_deref(), Some("t"));
        assert_eq!((env.isr_prefix.as_str(), env.sidecar_prefix.as_str()), ("p", "ssr-data"));
        assert_eq!(env.max_request_body, Some(1024));
        assert_eq!(env.revalidate_secret, None, "blank is unset");
        assert!(env.on_lambda && !env.allow_local_stores);
        let err = EnvConfig::from_vars([("FACETHEORY_MAX_REQUEST_BODY", "6MB")]).unwrap_err();
        assert!(err.to_string().contains("FACETHEORY_MAX_REQUEST_BODY"), "{err}");
        assert!(EnvConfig::from_vars([("CACHE_TABLE_NAME", "t")]).unwrap_err().to_string().contains("ISR_BUCKET"));
        assert!(EnvConfig::from_vars([("FACETHEORY_ALLOW_LOCAL_STORES", "yes")]).is_err());
    }
}
