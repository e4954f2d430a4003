//! The route table: the user's faces and resources plus the reserved endpoints the app answers itself, in
//! one router under one conflict check.

use facetheory_codegen::methods::{self, MethodSet};
use facetheory_codegen::precedence::{same_paths_groups, sort_and_find_conflicts_by};
use facetheory_codegen::route::{RoutePattern, Segment};

use crate::context::RawParam;
use crate::error::AppError;
use crate::face::RouteDescriptor;
use crate::route::{strip_trailing_slashes, RouteMatch, Router, TrailingSlash};

/// What a table entry leads to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Endpoint {
    /// A face or resource.
    Route(&'static RouteDescriptor),
    /// An endpoint of the framework.
    Reserved(Reserved),
}

/// The endpoints the app answers itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserved {
    /// `<prefix>/<token*>`: signed SSR hydration sidecars (when configured).
    SsrSidecar,
    /// `/_facetheory/data/<file*>`: SSG hydration data, rendered on demand when serving locally.
    SsgData,
    /// `/_facetheory/revalidate`: on-demand ISR revalidation (when a secret is set).
    Revalidate,
    /// `<prefix>/<path*>`: a static directory (the index into the app's static directories).
    StaticDir(usize),
    /// `/_facetheory/runtime/<file+>`: the framework's client modules (the deferred-sections swap module).
    Runtime,
}

impl Reserved {
    /// Who answers it in the AWS deployment.
    pub fn origin(self) -> Origin {
        match self {
            Reserved::SsgData | Reserved::StaticDir(_) | Reserved::Runtime => Origin::S3,
            Reserved::SsrSidecar | Reserved::Revalidate => Origin::Lambda,
        }
    }

    /// What it is, for error messages and the deployment plan.
    pub fn describe(self) -> &'static str {
        match self {
            Reserved::SsrSidecar => "SSR hydration sidecars (AppBuilder::ssr_hydration_sidecars)",
            Reserved::SsgData => "SSG hydration data files",
            Reserved::Revalidate => "on-demand ISR revalidation (AppBuilder::revalidate_secret)",
            Reserved::StaticDir(_) => "a static directory (AppBuilder::static_dir)",
            Reserved::Runtime => "facetheory's client modules (deferred sections)",
        }
    }
}

/// Where a path is served from on AWS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The site bucket.
    S3,
    /// The Lambda Function URL.
    Lambda,
}

/// A reserved endpoint as the app has it configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservedEndpoint {
    /// The route pattern (`/_facetheory/revalidate`, `/assets/<path*>`).
    pub pattern: String,
    /// Which endpoint.
    pub endpoint: Reserved,
}

/// One entry: its pattern, parameter names and target.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) pattern: RoutePattern,
    pub(crate) params: Vec<&'static str>,
    pub(crate) endpoint: Endpoint,
    /// The methods it answers (a reserved endpoint claims them all).
    pub(crate) methods: MethodSet,
}

/// Where a path leads.
pub(crate) enum Resolution<'t, 'p> {
    /// The entries matching exactly this path shape (one per method set: a face and the resource that takes
    /// its form posts), and the match.
    Found(&'t [Entry], RouteMatch<'t, 'p>),
    Redirect(String),
    NotFound,
}

/// The router over every entry, in precedence order.
#[derive(Debug)]
pub(crate) struct Table {
    entries: Vec<Entry>,
    /// Runs of entries on the same paths; the router's route ids index this.
    groups: Vec<std::ops::Range<usize>>,
    router: Router,
}

impl Table {
    /// Parses, orders and checks: a conflict between any two entries (user or reserved) is an error naming
    /// both, and user routes may not live under the framework's `/_facetheory/` namespace.
    pub(crate) fn build(
        routes: &[&'static RouteDescriptor],
        reserved: Vec<ReservedEndpoint>,
    ) -> Result<Self, AppError> {
        let mut entries = Vec::with_capacity(routes.len() + reserved.len());
        for desc in routes {
            let pattern = RoutePattern::parse(desc.pattern).map_err(|e| AppError::InvalidRoute {
                file: desc.file,
                line: desc.line,
                function: desc.name,
                message: e.render(desc.pattern),
            })?;
            let methods = desc.methods();
            entries.push(Entry { pattern, params: desc.params.to_vec(), endpoint: Endpoint::Route(desc), methods });
        }
        for r in reserved {
            let pattern = RoutePattern::parse(&r.pattern).map_err(|e| {
                AppError::Config(format!("{} at {:?}: {}", r.endpoint.describe(), r.pattern, e.render(&r.pattern)))
            })?;
            let params = reserved_param(&pattern).into_iter().collect();
            entries.push(Entry { pattern, params, endpoint: Endpoint::Reserved(r.endpoint), methods: methods::ALL });
        }
        let conflicts = sort_and_find_conflicts_by(&mut entries, |e| &e.pattern, |a, b| a.methods.overlaps(b.methods));
        if let Some(&(a, b)) = conflicts.first() {
            let (a, b) = (&entries[a], &entries[b]);
            return Err(AppError::Conflict {
                first: a.pattern.to_string(),
                first_at: where_declared(a.endpoint),
                second: b.pattern.to_string(),
                second_at: where_declared(b.endpoint),
            });
        }
        for e in &entries {
            let under_namespace =
                matches!(e.pattern.segments().first(), Some(Segment::Static(s)) if s == "_facetheory");
            if let (Endpoint::Route(desc), true) = (e.endpoint, under_namespace) {
                return Err(AppError::ReservedPath { route: desc.pattern, at: desc.location() });
            }
        }
        let groups = same_paths_groups(&entries, |e| &e.pattern);
        let patterns: Vec<RoutePattern> = groups.iter().map(|g| entries[g.start].pattern.clone()).collect();
        Ok(Table { router: Router::new(&patterns), groups, entries })
    }

    /// The entries in precedence order.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Finds the entry for `path` under the trailing-slash policy.
    pub(crate) fn resolve<'t, 'p>(&'t self, path: &'p str, policy: TrailingSlash) -> Resolution<'t, 'p> {
        let found = match (policy, strip_trailing_slashes(path)) {
            (TrailingSlash::Redirect, Some(s)) => {
                return match self.router.find(s) {
                    Some(_) => Resolution::Redirect(s.to_string()),
                    None => Resolution::NotFound,
                }
            }
            (TrailingSlash::Normalize, Some(s)) => self.router.find(s),
            _ => self.router.find(path),
        };
        match found {
            Some(m) => Resolution::Found(&self.entries[self.groups[m.route()].clone()], m),
            None => Resolution::NotFound,
        }
    }
}

/// The entry of a group that answers `method`, or the union of the group's methods for a `405`'s `allow`.
/// A lone entry answers every method itself (a resource's or endpoint's own `405`).
pub(crate) fn for_method<'t>(group: &'t [Entry], method: &http::Method) -> Result<&'t Entry, MethodSet> {
    match group {
        [only] => Ok(only),
        many => many
            .iter()
            .find(|e| e.methods.contains_name(method.as_str()))
            .ok_or_else(|| many.iter().fold(MethodSet::empty(), |all, e| all.union(e.methods))),
    }
}

impl Entry {
    /// The user's route pattern, or `""` for a framework endpoint (what the request log shows).
    pub(crate) fn route_pattern(&self) -> &'static str {
        match self.endpoint {
            Endpoint::Route(desc) => desc.pattern,
            Endpoint::Reserved(_) => "",
        }
    }

    /// The captured parameters of a match on this entry, by name: where each is in the matched path (raw, not
    /// decoded, not copied).
    pub(crate) fn captures(&self, m: &RouteMatch<'_, '_>) -> Vec<(&'static str, RawParam)> {
        self.params
            .iter()
            .enumerate()
            .map(|(k, n)| (*n, RawParam::InPath(m.capture_range(k).unwrap_or(0..0))))
            .collect()
    }
}

/// A reserved pattern's one parameter (its trailing catch-all), named as the pattern names it.
fn reserved_param(pattern: &RoutePattern) -> Option<&'static str> {
    pattern.segments().iter().find_map(|s| match s {
        Segment::CatchAll { .. } | Segment::Param(_) => Some("rest"),
        Segment::Static(_) => None,
    })
}

fn where_declared(endpoint: Endpoint) -> String {
    match endpoint {
        Endpoint::Route(desc) => desc.location(),
        Endpoint::Reserved(r) => format!("reserved by facetheory: {}", r.describe()),
    }
}
