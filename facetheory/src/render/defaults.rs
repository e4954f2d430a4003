//! What the app sets for every page — the CSP default and extra directives, and the client build that islands
//! resolve against — and the resolution of a page's island entries into head tags and module scripts.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::csp::CspPolicy;
use crate::page::PageParts;
use crate::vite::ClientBuild;

/// How many missing entries are remembered for warn-once (then every miss is logged at debug level).
const MAX_WARNED: usize = 256;

/// The app's defaults for every page ([`AppBuilder::csp`](crate::AppBuilder::csp),
/// [`AppBuilder::vite`](crate::AppBuilder::vite)).
#[derive(Debug, Default)]
pub(crate) struct PageDefaults {
    pub(crate) csp: Option<CspPolicy>,
    pub(crate) csp_directives: Vec<(String, Vec<String>)>,
    pub(crate) client: Option<ClientBuild>,
    warned: Mutex<HashSet<String>>,
    /// Without a client build every entry is missing for the same reason: one warning for the app, then no
    /// lock and no lookup on each page.
    warned_no_client: AtomicBool,
}

/// What a page's entry that cannot be resolved does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MissingEntries {
    /// The page renders without it; one warning per entry (requests, debug builds), one for the app when it
    /// has no client build at all.
    Warn,
    /// The page fails, naming it (a release `build`).
    Fail,
}

impl PageDefaults {
    pub(crate) fn new(
        csp: Option<CspPolicy>,
        csp_directives: Vec<(String, Vec<String>)>,
        client: Option<ClientBuild>,
    ) -> Self {
        PageDefaults { csp, csp_directives, client, ..Default::default() }
    }

    /// Applies the app's CSP default (a page's own policy wins) and its directives (before the page's own).
    pub(crate) fn apply_csp(&self, parts: &mut PageParts) {
        if parts.csp.is_none() {
            parts.csp = self.csp;
        }
        if !self.csp_directives.is_empty() {
            let more = parts.more_mut();
            let own = std::mem::take(&mut more.csp_directives);
            more.csp_directives = self.csp_directives.iter().cloned().chain(own).collect();
        }
    }

    /// Resolves `entries`: their preload and stylesheet links join the head, their module scripts follow the
    /// hydration data. An entry that cannot be resolved is skipped with one warning, or fails the page.
    pub(crate) fn resolve_entries(
        &self,
        entries: &[crate::island::Entry],
        parts: &mut PageParts,
        hydration_tags: &mut crate::hydration::HydrationTags,
        missing: MissingEntries,
    ) -> Result<(), String> {
        for entry in entries.iter().map(|e| &**e) {
            let Some(client) = &self.client else {
                // Without a client build (a development app) every page skips its entries: the reason is only
                // written out when someone reads it.
                let reason = || format!("island entry {entry:?}: the app has no client build (AppBuilder::vite)");
                if missing == MissingEntries::Fail {
                    return Err(reason());
                }
                if !self.warned_no_client.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        entry,
                        reason = reason(),
                        "pages render without their islands (this and any other entry)"
                    );
                } else if tracing::enabled!(tracing::Level::DEBUG) {
                    tracing::debug!(entry, reason = reason(), "the page renders without this island");
                }
                continue;
            };
            match client.resolve(entry) {
                Ok(assets) => {
                    parts.head.extend(assets.head_tags);
                    hydration_tags.push_module(assets.bootstrap_module);
                }
                Err(reason) if missing == MissingEntries::Fail => return Err(reason),
                Err(reason) => self.warn_once(entry, || reason),
            }
        }
        Ok(())
    }

    fn warn_once(&self, entry: &str, reason: impl FnOnce() -> String) {
        let first = {
            let mut warned = self.warned.lock().unwrap_or_else(|p| p.into_inner());
            !warned.contains(entry) && warned.len() < MAX_WARNED && warned.insert(entry.to_string())
        };
        if first {
            tracing::warn!(entry, reason = reason(), "the page renders without this island");
        } else if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug!(entry, reason = reason(), "the page renders without this island");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MissingEntries, PageDefaults};
    use crate::page::PageParts;

    #[test]
    fn a_missing_entry_fails_a_release_build_naming_it_and_is_skipped_otherwise() {
        let defaults = PageDefaults::default();
        let entries = vec!["src/counter.ts".into()];
        let (mut parts, mut tags) = (PageParts::default(), crate::hydration::HydrationTags::default());
        let err = defaults.resolve_entries(&entries, &mut parts, &mut tags, MissingEntries::Fail).unwrap_err();
        assert!(err.contains("\"src/counter.ts\"") && err.contains("AppBuilder::vite"), "{err}");
        assert!(defaults.resolve_entries(&entries, &mut parts, &mut tags, MissingEntries::Warn).is_ok());
        assert!(
            tags.refs().next().is_none() && parts.head.is_empty(),
            "nothing is added for an entry that is not built"
        );
        assert!(defaults.warned_no_client.load(std::sync::atomic::Ordering::Relaxed), "warned once");
    }
}
