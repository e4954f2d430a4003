//! `cargo facetheory doctor`: what a site needs on this machine, each check `[ok]` or `[fail]` with a one-line
//! fix. Only failures that stop a build, a test or a deployment fail; what merely is not set up yet (no client)
//! is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub what: String,
    /// `Ok(detail)` or `Err(fix)`.
    pub result: Result<String, String>,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.result {
            Ok(detail) => write!(f, "[ok]   {}: {detail}", self.what),
            Err(fix) => write!(f, "[fail] {} — fix: {fix}", self.what),
        }
    }
}

fn check(what: &str, result: Result<String, String>) -> Check {
    Check { what: what.into(), result }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `1.95.0` out of `rustc 1.95.0 (…)`, as numbers.
fn version(text: &str) -> Option<Vec<u64>> {
    let v = text.split_whitespace().find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    v.split(['.', '-']).take(3).map(|p| p.parse().ok()).collect()
}

/// Every check for the site in `dir`, with `env` as the environment.
pub fn checks(dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Vec<Check> {
    let mut out = Vec::new();
    let required = env!("CARGO_PKG_RUST_VERSION");
    out.push(check(
        "Rust",
        match output("rustc", &["--version"]) {
            Some(v) if version(&v) >= version(required) => Ok(format!("{v} (facetheory needs {required}+)")),
            Some(v) => Err(format!("{v} is older than facetheory's {required}: rustup update")),
            None => Err("rustc not found: install Rust from https://rustup.rs".into()),
        },
    ));
    out.push(check(
        "cargo-lambda",
        match output("cargo", &["lambda", "--version"]) {
            Some(v) => Ok(v),
            None => Err("builds the Lambda zip: pip install cargo-lambda (or see cargo-lambda.info)".into()),
        },
    ));
    let aarch64 = output("rustup", &["target", "list", "--installed"])
        .is_some_and(|t| t.lines().any(|l| l.trim() == "aarch64-unknown-linux-gnu"));
    let zig = output("zig", &["version"]).or_else(|| output("python3", &["-m", "ziglang", "version"]));
    out.push(check(
        "arm64 Lambda build",
        match (aarch64, zig) {
            (true, Some(z)) => Ok(format!("aarch64-unknown-linux-gnu installed, zig {z}")),
            (false, _) => {
                Err("rustup target add aarch64-unknown-linux-gnu (cargo lambda build --arm64 needs it)".into())
            }
            (true, None) => Err("cargo lambda cross-compiles with zig: pip install ziglang".into()),
        },
    ));
    if let Some(client) = client_dir(dir) {
        out.push(check(
            "Node.js and npm (client build)",
            match (output("node", &["--version"]), output("npm", &["--version"])) {
                (Some(n), Some(p)) => Ok(format!("node {n}, npm {p}")),
                _ => Err("the client is built with Vite: install Node.js 18+ with npm".into()),
            },
        ));
        out.push(check("client build is current", client_current(&client)));
    }
    if env("AWS_LAMBDA_RUNTIME_API").is_some() || env("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        let missing: Vec<&str> =
            ["FACETHEORY_ISR_BUCKET", "FACETHEORY_CACHE_TABLE_NAME"].into_iter().filter(|v| env(v).is_none()).collect();
        out.push(check(
            "ISR stores on AWS",
            if missing.is_empty() {
                Ok("bucket and table set".into())
            } else {
                Err(format!("set {} (the deploy-plan template wires them)", missing.join(" and ")))
            },
        ));
        out.push(check(
            "SSR sidecar secret on AWS",
            match env("FACETHEORY_SIDECAR_SECRET") {
                Some(s) if s.len() >= 16 => Ok("set".into()),
                Some(_) => Err("FACETHEORY_SIDECAR_SECRET is shorter than 16 characters".into()),
                None => Err("set FACETHEORY_SIDECAR_SECRET (the template generates one)".into()),
            },
        ));
    }
    out
}

/// The site's Vite client: a directory beside or under the site with `package.json` and a `vite.config.*`.
fn client_dir(dir: &Path) -> Option<PathBuf> {
    [dir.join("client"), dir.to_path_buf()].into_iter().find(|d| {
        d.join("package.json").is_file()
            && ["vite.config.ts", "vite.config.js", "vite.config.mjs"].iter().any(|f| d.join(f).is_file())
    })
}

/// The manifest exists and is newer than every source file of the client.
fn client_current(client: &Path) -> Result<String, String> {
    let manifest = client.join("dist/.vite/manifest.json");
    let built = std::fs::metadata(&manifest)
        .and_then(|m| m.modified())
        .map_err(|_| format!("no {}: npm ci && npm run build in {}", manifest.display(), client.display()))?;
    let mut stack = vec![client.join("src")];
    let mut seen = 0usize;
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            seen += 1;
            if seen > 10_000 {
                return Ok("built (stopped comparing after 10,000 files)".into());
            }
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t > built) {
                return Err(format!(
                    "{} changed after the last build: npm run build in {}",
                    p.display(),
                    client.display()
                ));
            }
        }
    }
    Ok(format!("{} is newer than every source file", manifest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version("rustc 1.95.0 (abc 2026-01-01)") >= version("1.94.1"));
        assert!(version("rustc 1.9.0") < version("1.88"));
        assert_eq!(version("cargo-lambda 1.9.2"), Some(vec![1, 9, 2]));
    }

    #[test]
    fn a_stale_client_and_missing_lambda_settings_fail_with_a_fix() {
        let dir = std::env::temp_dir().join(format!("facetheory-doctor-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("client/src")).unwrap();
        std::fs::write(dir.join("client/package.json"), "{}").unwrap();
        std::fs::write(dir.join("client/vite.config.ts"), "").unwrap();
        let env = |name: &str| (name == "AWS_LAMBDA_FUNCTION_NAME").then(|| "site".to_string());
        let all = checks(&dir, &env);
        let find = |what: &str| all.iter().find(|c| c.what == what).unwrap_or_else(|| panic!("{what}: {all:?}"));
        assert!(find("client build is current").result.as_ref().unwrap_err().contains("npm run build"));
        assert!(find("ISR stores on AWS").result.as_ref().unwrap_err().contains("FACETHEORY_ISR_BUCKET"));
        std::fs::create_dir_all(dir.join("client/dist/.vite")).unwrap();
        std::fs::write(dir.join("client/src/main.ts"), "").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("client/dist/.vite/manifest.json"), "{}").unwrap();
        assert!(checks(&dir, &env).iter().any(|c| c.what == "client build is current" && c.result.is_ok()));
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("client/src/main.ts"), "// edited").unwrap();
        assert!(checks(&dir, &env).iter().any(|c| c.what == "client build is current" && c.result.is_err()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
