//! AWS SDK clients made on first use: an app configured for S3/DynamoDB from the environment starts without
//! loading the SDK configuration (no credential or region lookups on the start-up path), and an SSR-only
//! request never pays for it. All lazily made clients share one configuration load.

use std::sync::Arc;

use tokio::sync::OnceCell;

/// A client given up front, or made from the environment's SDK configuration when first needed.
pub(crate) struct LazyClient<C> {
    cell: Arc<OnceCell<C>>,
    make: fn(&aws_config::SdkConfig) -> C,
}

impl<C> Clone for LazyClient<C> {
    fn clone(&self) -> Self {
        LazyClient { cell: Arc::clone(&self.cell), make: self.make }
    }
}

impl<C: Send + Sync + 'static> LazyClient<C> {
    /// An existing client.
    pub(crate) fn ready(client: C, make: fn(&aws_config::SdkConfig) -> C) -> Self {
        LazyClient { cell: Arc::new(OnceCell::new_with(Some(client))), make }
    }

    /// A client made by `make` from [`shared_config`] on first use.
    pub(crate) fn from_env(make: fn(&aws_config::SdkConfig) -> C) -> Self {
        LazyClient { cell: Arc::new(OnceCell::new()), make }
    }

    /// The client (loading the configuration the first time; concurrent first callers wait for one load).
    pub(crate) async fn get(&self) -> &C {
        let make = self.make;
        self.cell.get_or_init(|| async move { make(shared_config().await) }).await
    }
}

/// The process's SDK configuration from the environment, loaded once, with the request path's bounds
/// ([`crate::isr::aws_config_from_env`]).
pub(crate) async fn shared_config() -> &'static aws_config::SdkConfig {
    static CONFIG: OnceCell<aws_config::SdkConfig> = OnceCell::const_new();
    CONFIG.get_or_init(crate::isr::aws_config_from_env).await
}
