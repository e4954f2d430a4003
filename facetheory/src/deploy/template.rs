//! `template.yaml`: `template.yaml` beside this module, filled in at its marked lines from the plan's
//! behaviors, policies and functions.

use super::behavior::Behavior;
use super::policy;

const TEMPLATE: &str = include_str!("template.yaml");

/// What the template needs besides the behaviors.
pub(super) struct TemplateInput<'a> {
    pub(super) site: &'a str,
    pub(super) rewrite_function: &'a str,
    pub(super) strip_function: &'a str,
    /// Days after which an ISR object is removed by the bucket's lifecycle rule.
    pub(super) isr_expiration_days: u64,
    /// Days after which an SSR hydration sidecar object is removed.
    pub(super) sidecar_expiration_days: u64,
}

pub(super) fn render(behaviors: &[Behavior], input: &TemplateInput<'_>) -> String {
    let (default, others): (Vec<&Behavior>, Vec<&Behavior>) = behaviors.iter().partition(|b| b.is_default());
    let mut cache_behaviors = String::new();
    for b in others {
        cache_behaviors.push_str(&format!("          - PathPattern: '{}'\n", b.path_pattern));
        cache_behaviors.push_str(&behavior_body(b, 12));
    }
    let default = default.first().map(|b| behavior_body(b, 10)).unwrap_or_default();
    let mut out = String::with_capacity(TEMPLATE.len() + cache_behaviors.len() + 4096);
    for line in TEMPLATE.lines() {
        match line.trim() {
            "# facetheory:default-behavior" => out.push_str(&default),
            "# facetheory:cache-behaviors" => out.push_str(&cache_behaviors),
            "# facetheory:cache-policies" => out.push_str(&policy::origin_headers_resource()),
            "// facetheory:function-code" => out.push_str(&indent(input.rewrite_function, 8)),
            "// facetheory:strip-function-code" => out.push_str(&indent(input.strip_function, 8)),
            _ => {
                let line = line
                    .replace("__site__", input.site)
                    .replace("__ttl_attribute__", crate::meta::TTL_ATTRIBUTE)
                    .replace("__isr_expiration_days__", &input.isr_expiration_days.to_string())
                    .replace("__sidecar_expiration_days__", &input.sidecar_expiration_days.to_string());
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

/// A behavior's properties (everything but `PathPattern`), indented by `n`.
fn behavior_body(b: &Behavior, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = format!(
        "{pad}TargetOriginId: {}\n{pad}ViewerProtocolPolicy: redirect-to-https\n{pad}AllowedMethods: [{}]\n{pad}Compress: true\n{pad}CachePolicyId: {}\n",
        b.target.origin_id(),
        b.methods.list().join(", "),
        b.cache.template_id(),
    );
    if b.methods.list().len() == 2 {
        out.push_str(&format!("{pad}CachedMethods: [GET, HEAD]\n"));
    }
    if let Some(p) = b.origin_request {
        out.push_str(&format!("{pad}OriginRequestPolicyId: {}\n", p.template_id()));
    }
    if let Some(f) = b.function {
        out.push_str(&format!(
            "{pad}FunctionAssociations:\n{pad}  - EventType: viewer-request\n{pad}    FunctionARN: !GetAtt {}.FunctionMetadata.FunctionARN\n",
            f.resource()
        ));
    }
    out
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") }).collect::<Vec<_>>().join("\n")
        + "\n"
}

/// The Strip function's source, as a file the plan writes and the template embeds.
pub(super) const STRIP_FUNCTION: &str = include_str!("strip-original-uri.js");
