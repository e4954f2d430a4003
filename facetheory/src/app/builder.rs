//! [`AppBuilder`]: collects routes and configuration, then checks them all at once in [`AppBuilder::build`].

use std::sync::Arc;

use super::table::{Reserved, ReservedEndpoint, Table};
use super::{App, Inner};
use crate::after_response::AfterResponse;
use crate::config::EnvConfig;
use crate::error::AppError;
use crate::face::{Mode, Registered, RouteDescriptor};
use crate::hydration::{SsrSidecars, SSG_DATA_PREFIX};
use crate::isr::IsrRuntime;
use crate::revalidate::{MIN_SECRET_LEN, REVALIDATE_PATH};
use crate::route::TrailingSlash;
use crate::static_files::StaticDir;
use crate::store::StoreReach;

/// Assembles an [`App`].
///
/// ```
/// use facetheory::{App, TrailingSlash};
/// let app = App::builder().trailing_slash(TrailingSlash::Strict).build().unwrap();
/// assert_eq!(app.trailing_slash(), TrailingSlash::Strict);
/// ```
#[derive(Default)]
pub struct AppBuilder {
    isr: Option<IsrRuntime>,
    revalidate_secret: Option<String>,
    sidecars: Option<SidecarChoice>,
    env: Option<EnvConfig>,
    static_dirs: Vec<StaticDir>,
    descriptors: Vec<&'static RouteDescriptor>,
    registered: bool,
    trailing_slash: TrailingSlash,
    state: crate::state::StateMap,
    max_request_body: Option<usize>,
    on_error: Option<Arc<crate::observe::ErrorHook>>,
    client: Option<std::path::PathBuf>,
    csp: Option<crate::csp::CspPolicy>,
    csp_directives: Vec<(String, Vec<String>)>,
}

impl AppBuilder {
    /// Adds a route table (usually the generated `faces::ROUTES`).
    pub fn routes(mut self, table: &[&'static RouteDescriptor]) -> Self {
        self.descriptors.extend_from_slice(table);
        self
    }

    /// Adds one route.
    pub fn route(mut self, route: &'static RouteDescriptor) -> Self {
        self.descriptors.push(route);
        self
    }

    /// Also adds every `#[face]` / `#[resource]` linked into the binary (faces declared outside `faces/`,
    /// e.g. in libraries). They join the table with the same conflict check.
    pub fn with_registered(mut self) -> Self {
        self.registered = true;
        self
    }

    /// Serves files from `dir` under the URL `prefix` (e.g. Vite's `dist/assets` under `/assets`) — for local
    /// runs; in production these paths go to S3 through CloudFront. A missing directory serves 404s. The
    /// prefix is a route (`<prefix>/<path*>`) under the same conflict check as faces.
    pub fn static_dir(mut self, prefix: &str, dir: impl Into<std::path::PathBuf>) -> Self {
        self.static_dirs.push(StaticDir::new(prefix, dir));
        self
    }

    /// The Vite client build (its `dist` directory), read once at start-up: `page.island(…)` and
    /// `page.module(…)` resolve their entries against its `.vite/manifest.json`, the directories the built files
    /// live in (`assets`) are served (and copied by `build`, routed to S3 by `deploy-plan`). Without a built
    /// client, pages render without their islands and each missing entry is logged once; a release `build` or
    /// `deploy-plan` fails instead, naming what is missing.
    ///
    /// ```
    /// let app = facetheory::App::builder().vite("client/dist").build().unwrap();
    /// assert!(app.static_dir_sources().any(|(prefix, _)| prefix == "/assets"));
    /// ```
    pub fn vite(mut self, dist: impl Into<std::path::PathBuf>) -> Self {
        self.client = Some(dist.into());
        self
    }

    /// The CSP policy of every page that sets none (default: none, i.e. no strict policy). A page's own
    /// [`Page::csp`](crate::Page::csp) / [`Page::strict_csp`](crate::Page::strict_csp) wins;
    /// `Page::csp(CspPolicy::RELAXED)` opts one page out of an app-wide strict policy.
    ///
    /// ```
    /// use facetheory::csp::CspPolicy;
    /// let app = facetheory::App::builder().csp(CspPolicy::STRICT).build().unwrap();
    /// # let _ = app;
    /// ```
    pub fn csp(mut self, policy: crate::csp::CspPolicy) -> Self {
        self.csp = Some(policy);
        self
    }

    /// Adds sources to a directive of every strict page's header, before the page's own
    /// ([`Page::csp_directive`](crate::Page::csp_directive)).
    pub fn csp_directive(mut self, name: &str, values: &[&str]) -> Self {
        self.csp_directives.push((name.to_string(), values.iter().map(|v| v.to_string()).collect()));
        self
    }

    /// Sets the ISR stores and policies. Without this, an app with ISR faces uses the embedded local default:
    /// HTML and metadata under `$FACETHEORY_ISR_DIR`, or `.facetheory/isr` in the working directory.
    pub fn isr(mut self, runtime: IsrRuntime) -> Self {
        self.isr = Some(runtime);
        self
    }

    /// True when an ISR runtime was set explicitly.
    pub fn has_isr(&self) -> bool {
        self.isr.is_some()
    }

    /// Enables `POST /_facetheory/revalidate` (on-demand ISR revalidation), protected by this secret, sent as
    /// `authorization: Bearer <secret>`. The body is JSON: `{"tags": ["posts"], "paths": ["/blog/hello"]}`.
    /// Without a secret the route does not exist. Secrets shorter than 16 bytes are refused at `build()`.
    pub fn revalidate_secret(mut self, secret: impl Into<String>) -> Self {
        self.revalidate_secret = Some(secret.into());
        self
    }

    /// Enables signed SSR hydration sidecars: strict-CSP SSR pages that hydrate inline get their data stored
    /// and referenced by a signed URL under `/_facetheory/ssr-data/`, which the app answers.
    pub fn ssr_hydration_sidecars(mut self, sidecars: SsrSidecars) -> Self {
        self.sidecars = Some(SidecarChoice::Given(sidecars));
        self
    }

    /// Enables signed SSR hydration sidecars configured by the environment: stored in S3 under
    /// `FACETHEORY_SIDECAR_BUCKET` (+ `FACETHEORY_SIDECAR_PREFIX`) and signed with `FACETHEORY_SIDECAR_SECRET`,
    /// as the deployment template wires them. Without them (a local `serve`) the store is this process's memory
    /// and the secret a random one; on Lambda that is refused at start-up, since instances would not share
    /// them.
    pub fn ssr_hydration_sidecars_from_env(mut self) -> Self {
        self.sidecars = Some(SidecarChoice::FromEnv);
        self
    }

    /// Calls `hook` for every error that becomes a 5xx, a stream-error footer, a failed regeneration, a metadata
    /// or store failure, a sidecar failure — with its phase, request id, route, mode and error class (see
    /// [`ErrorEvent`](crate::observe::ErrorEvent)). Background regenerations report with the request id of
    /// the request that started them. The hook cannot change the response; a panicking hook is caught and
    /// logged.
    ///
    /// ```
    /// let app = facetheory::App::builder()
    ///     .on_error(|e| eprintln!("[{}] {} failed in {}: {}", e.request_id, e.route, e.phase.as_str(), e.message))
    ///     .build()
    ///     .unwrap();
    /// # let _ = app;
    /// ```
    pub fn on_error(mut self, hook: impl Fn(&crate::observe::ErrorEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(hook));
        self
    }

    /// Uses `env` instead of reading the process environment in [`build`](Self::build) (tests, or
    /// configuration from elsewhere).
    ///
    /// ```
    /// use facetheory::{config::EnvConfig, App};
    /// let env = EnvConfig::from_vars([("FACETHEORY_REVALIDATE_SECRET", "sixteen-bytes-or-more")]).unwrap();
    /// let app = App::builder().env(env).build().unwrap();
    /// assert_eq!(app.reserved_endpoints().filter(|r| r.pattern == "/_facetheory/revalidate").count(), 1);
    /// ```
    pub fn env(mut self, env: EnvConfig) -> Self {
        self.env = Some(env);
        self
    }

    /// Adds a value to the app's state: faces and resources take it as an argument (`db: &State<Db>`) or
    /// through `ctx.state::<Db>()`. One value per type (a second call replaces the first). A route that takes
    /// a state type the app was not given stops [`build`](Self::build) with an error naming both.
    ///
    /// ```
    /// struct Db { url: String }
    /// let app = facetheory::App::builder().state(Db { url: "postgres://…".into() }).build().unwrap();
    /// # let _ = app;
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// The largest request body a resource accepts, in bytes (default [`MAX_REQUEST_BODY`](crate::MAX_REQUEST_BODY),
    /// 6 MiB, the Lambda Function URL limit). A larger body is answered `413` before the resource runs; a
    /// declared `content-length` over the limit is refused before any byte is read.
    ///
    /// ```
    /// let app = facetheory::App::builder().max_request_body(64 * 1024).build().unwrap();
    /// # let _ = app;
    /// ```
    pub fn max_request_body(mut self, bytes: usize) -> Self {
        self.max_request_body = Some(bytes);
        self
    }

    /// Sets the trailing-slash policy (default [`TrailingSlash::Redirect`]).
    pub fn trailing_slash(mut self, policy: TrailingSlash) -> Self {
        self.trailing_slash = policy;
        self
    }

    /// Validates and builds: every route parsed and sorted by precedence together with the reserved endpoints,
    /// conflicts rejected naming both sides; the environment ([`EnvConfig`]) applied where the builder set
    /// nothing; on AWS Lambda, stores that instances would not share refused with the variables to set.
    pub fn build(mut self) -> Result<App, AppError> {
        let env = match self.env.take() {
            Some(env) => env,
            None => EnvConfig::from_env().map_err(|e| AppError::Config(e.to_string()))?,
        };
        if self.revalidate_secret.is_none() {
            self.revalidate_secret = env.revalidate_secret.clone();
        }
        let sidecars = match self.sidecars.take() {
            None => None,
            Some(SidecarChoice::Given(s)) => Some(s),
            Some(SidecarChoice::FromEnv) => Some(sidecars_from_env(&env)?),
        };
        let mut all = self.descriptors;
        if self.registered {
            all.extend(inventory::iter::<Registered>.into_iter().map(|r| r.0));
        }
        let mut routes: Vec<&'static RouteDescriptor> = Vec::with_capacity(all.len());
        for d in all {
            // The same function compiled into two modules (a faces table included twice) is one route.
            let same = |u: &&RouteDescriptor| {
                std::ptr::eq(*u, d) || (u.file == d.file && u.line == d.line && u.name == d.name)
            };
            if !routes.iter().any(same) {
                routes.push(d);
            }
        }
        if let Some(secret) = &self.revalidate_secret {
            if secret.len() < MIN_SECRET_LEN {
                return Err(AppError::Config(format!(
                    "the revalidation secret must be at least {MIN_SECRET_LEN} bytes long"
                )));
            }
        }
        let mut reserved = vec![
            ReservedEndpoint { pattern: format!("{SSG_DATA_PREFIX}/<rest+>"), endpoint: Reserved::SsgData },
            ReservedEndpoint {
                pattern: format!("{}/<rest+>", crate::sections::RUNTIME_PREFIX),
                endpoint: Reserved::Runtime,
            },
        ];
        if let Some(sidecars) = &sidecars {
            reserved.push(ReservedEndpoint {
                pattern: format!("{}/<rest*>", sidecars.prefix()),
                endpoint: Reserved::SsrSidecar,
            });
        }
        if self.revalidate_secret.is_some() {
            reserved.push(ReservedEndpoint { pattern: REVALIDATE_PATH.into(), endpoint: Reserved::Revalidate });
        }
        let client = self.client.as_deref().map(crate::vite::ClientBuild::load);
        if let Some(client) = &client {
            if let Some(problem) = client.problem() {
                tracing::warn!(dist = %client.dist().display(), problem, "the client build is missing: pages render without their islands");
            }
            for dir in client.asset_dirs() {
                let prefix = format!("/{dir}");
                if !self.static_dirs.iter().any(|d| d.prefix() == prefix) {
                    self.static_dirs.push(StaticDir::new(&prefix, client.dist().join(&dir)));
                }
            }
        }
        for (i, dir) in self.static_dirs.iter().enumerate() {
            if dir.prefix() == "/" {
                return Err(AppError::Config(format!(
                    "static_dir({:?}): serve static files under a prefix such as /assets, not the site root",
                    dir.dir()
                )));
            }
            reserved.push(ReservedEndpoint {
                pattern: format!("{}/<rest*>", dir.prefix()),
                endpoint: Reserved::StaticDir(i),
            });
        }
        let table = Table::build(&routes, reserved)?;
        for desc in &routes {
            for required in desc.state {
                if !self.state.contains((required.type_id)()) {
                    return Err(AppError::MissingState {
                        route: desc.pattern,
                        function: desc.name,
                        at: desc.location(),
                        type_name: (required.type_name)(),
                    });
                }
            }
        }
        let not_found = routes.iter().copied().find(|d| d.face().is_some_and(|f| f.not_found));
        let has_isr = routes.iter().any(|d| d.mode() == Some(Mode::Isr));
        let isr = self.isr.or_else(|| has_isr.then(|| isr_from_env(&env)));
        if env.on_lambda && !env.allow_local_stores {
            check_shared_on_lambda(isr.as_ref(), sidecars.as_ref())?;
        }
        Ok(App {
            inner: Arc::new(Inner {
                warm: std::sync::atomic::AtomicBool::new(false),
                max_request_body: self.max_request_body.or(env.max_request_body).unwrap_or(super::MAX_REQUEST_BODY),
                scope: Arc::new(crate::state::AppScope { state: self.state, isr, on_error: self.on_error }),
                revalidate_secret: self.revalidate_secret,
                after_response: AfterResponse::default(),
                sidecars,
                static_dirs: self.static_dirs,
                page_defaults: crate::render::PageDefaults::new(self.csp, self.csp_directives, client),

                table,
                trailing_slash: self.trailing_slash,
                not_found,
            }),
        })
    }
}

/// How the app's SSR sidecars are configured.
enum SidecarChoice {
    Given(SsrSidecars),
    FromEnv,
}

/// The ISR runtime an app with ISR faces gets when it configured none: S3 + DynamoDB when the environment names
/// them, else the embedded file store under `FACETHEORY_ISR_DIR` or `.facetheory/isr`.
fn isr_from_env(env: &EnvConfig) -> IsrRuntime {
    #[cfg(feature = "aws")]
    if let Some(aws) = crate::isr::AwsIsrConfig::from_config(env) {
        tracing::info!(bucket = %aws.bucket, table = %aws.table, "ISR on S3 + DynamoDB");
        return aws.runtime();
    }
    #[cfg(not(feature = "aws"))]
    if env.isr_bucket.is_some() || env.cache_table.is_some() {
        tracing::warn!("FACETHEORY_ISR_BUCKET / the cache table is set, but facetheory was built without its `aws` feature: ISR uses the local store");
    }
    IsrRuntime::local(env.isr_dir.clone().unwrap_or_else(|| std::path::PathBuf::from(".facetheory/isr")))
}

/// SSR sidecars from `FACETHEORY_SIDECAR_*`.
fn sidecars_from_env(env: &EnvConfig) -> Result<SsrSidecars, AppError> {
    let secret = match (&env.sidecar_secret, env.on_lambda && !env.allow_local_stores) {
        (Some(secret), _) => secret.clone().into_bytes(),
        (None, true) => {
            return Err(AppError::Config(
                "SSR hydration sidecars on AWS Lambda need FACETHEORY_SIDECAR_SECRET (one signing secret shared by every instance; the deployment template wires it)".into(),
            ))
        }
        // One local process signs and verifies its own URLs: a random secret is enough.
        (None, false) => format!("{}{}", crate::csp::create_nonce(), crate::csp::create_nonce()).into_bytes(),
    };
    let sidecars = match &env.sidecar_bucket {
        #[cfg(feature = "aws")]
        Some(bucket) => SsrSidecars::new(secret, crate::store::S3Store::from_env(bucket, &env.sidecar_prefix)),
        #[cfg(not(feature = "aws"))]
        Some(_) => {
            return Err(AppError::Config(
                "FACETHEORY_SIDECAR_BUCKET is set but facetheory was built without the `aws` feature".into(),
            ))
        }
        None => SsrSidecars::new(secret, crate::store::MemoryStore::default()),
    };
    sidecars.map_err(|e| AppError::Config(e.to_string()))
}

/// On Lambda every instance must see the same ISR cache and sidecars: a store local to one instance would
/// cache and lease per instance (or under the read-only task root) and answer other instances' sidecar URLs 404.
fn check_shared_on_lambda(isr: Option<&IsrRuntime>, sidecars: Option<&SsrSidecars>) -> Result<(), AppError> {
    // Without the `aws` feature the S3 and DynamoDB stores are not compiled in: say so, or the variables the
    // message asks for would be set and ignored.
    let feature = if cfg!(feature = "aws") { "" } else { " and build facetheory with its `aws` feature" };
    if let Some(reach) = isr.map(IsrRuntime::reach).filter(|r| *r < StoreReach::Shared) {
        return Err(AppError::Config(format!(
            "this app has ISR faces and runs on AWS Lambda, but its ISR store is local to one instance ({reach:?}): set FACETHEORY_ISR_BUCKET and FACETHEORY_CACHE_TABLE_NAME (the deploy-plan template wires both){feature}, or give AppBuilder::isr shared stores"
        )));
    }
    if let Some(reach) = sidecars.map(SsrSidecars::reach).filter(|r| *r < StoreReach::Shared) {
        return Err(AppError::Config(format!(
            "strict SSR pages publish hydration sidecars, but on AWS Lambda the sidecar store is local to one instance ({reach:?}): use AppBuilder::ssr_hydration_sidecars_from_env with FACETHEORY_SIDECAR_BUCKET and FACETHEORY_SIDECAR_SECRET set{feature}, or a shared store"
        )));
    }
    Ok(())
}
