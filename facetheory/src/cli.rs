//! The site binary's three roles: on Lambda (`AWS_LAMBDA_RUNTIME_API` set) the streaming handler; elsewhere a
//! CLI with `serve` and `routes`.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::app::{App, AppBuilder};
use crate::face::{FaceMode, RouteKind};

/// The default `serve` address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

const USAGE: &str = "usage: <site> [COMMAND] [--help] [--version]

commands:
  serve [--addr ADDR]   serve the site over HTTP (the default command). ADDR is host:port (localhost:3001,
                        0.0.0.0:8080); the default is 127.0.0.1 on port $PORT, or 3000
  routes                print the route table in precedence order
  build --out DIR [--trailing-slash always|never] [--concurrency N] [--incremental] [--links error|warn|off]
                        render every SSG page into DIR (HTML, hydration data, 404.html, assets, manifest)
  deploy-plan --out DIR [--trailing-slash always|never]
                        write the CloudFront function, behaviors and CloudFormation template for this site
  help                  print this message

On AWS Lambda (AWS_LAMBDA_RUNTIME_API set) the binary runs the streaming Function URL handler instead.";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `serve [--addr ADDR]`.
    Serve {
        /// The address to listen on.
        addr: SocketAddr,
    },
    /// `routes`.
    Routes,
    /// `build --out DIR …`.
    Build(crate::ssg::BuildOptions),
    /// `deploy-plan --out DIR …`.
    DeployPlan {
        /// The directory to write the plan into.
        out: std::path::PathBuf,
        /// How `build` laid out the HTML.
        trailing_slash: crate::ssg::OutputTrailingSlash,
    },
    /// `help`, `-h`, `--help`, or `--help` after any command.
    Help,
    /// `--version`, `-V`.
    Version,
}

/// `--flag value` / `--flag=value` / `--switch` options of one command.
fn options<'a>(
    command: &str,
    rest: &[&'a str],
    with_value: &[&str],
    switches: &[&str],
) -> Result<Vec<(String, Option<&'a str>)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let (flag, inline) = match rest[i].split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (rest[i], None),
        };
        if with_value.contains(&flag) {
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    *rest.get(i).ok_or_else(|| format!("missing value for {flag}"))?
                }
            };
            out.push((flag.to_string(), Some(value)));
        } else if switches.contains(&flag) && inline.is_none() {
            out.push((flag.to_string(), None));
        } else {
            return Err(format!("unknown argument for {command}: {}", rest[i]));
        }
        i += 1;
    }
    Ok(out)
}

fn trailing_slash_value(v: &str) -> Result<crate::ssg::OutputTrailingSlash, String> {
    match v {
        "always" => Ok(crate::ssg::OutputTrailingSlash::Always),
        "never" => Ok(crate::ssg::OutputTrailingSlash::Never),
        _ => Err(format!("invalid value for --trailing-slash: {v:?} (expected \"always\" or \"never\")")),
    }
}

/// Parses the arguments after the program name.
///
/// ```
/// use facetheory::cli::{parse_args, Command};
/// assert_eq!(parse_args(&["serve", "--addr", "127.0.0.1:8080"]).unwrap(), Command::Serve { addr: "127.0.0.1:8080".parse().unwrap() });
/// assert!(parse_args(&["deploy"]).unwrap_err().contains("unknown command"));
/// ```
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<Command, String> {
    parse_args_with_port(args, None)
}

/// [`parse_args`] with the `PORT` environment variable's value: `serve`'s default port when set.
///
/// ```
/// use facetheory::cli::{parse_args_with_port, Command};
/// let serve = parse_args_with_port(&["serve"], Some("8080")).unwrap();
/// assert_eq!(serve, Command::Serve { addr: "127.0.0.1:8080".parse().unwrap() });
/// assert_eq!(parse_args_with_port(&["build", "--help"], None).unwrap(), Command::Help);
/// assert!(parse_args_with_port(&["serve"], Some("http")).unwrap_err().contains("PORT"));
/// ```
pub fn parse_args_with_port<S: AsRef<str>>(args: &[S], port: Option<&str>) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    // Help is never an error: `--help` anywhere prints the usage.
    if args.iter().any(|a| matches!(*a, "--help" | "-h")) {
        return Ok(Command::Help);
    }
    if args.first().is_some_and(|a| matches!(*a, "--version" | "-V")) {
        return Ok(Command::Version);
    }
    let default_addr = || -> Result<SocketAddr, String> {
        match port.map(str::trim).filter(|p| !p.is_empty()) {
            None => Ok(DEFAULT_ADDR.parse().expect("valid default address")),
            Some(p) => p
                .parse::<u16>()
                .map(|p| SocketAddr::from(([127, 0, 0, 1], p)))
                .map_err(|_| format!("invalid PORT {p:?} (expected a port number)")),
        }
    };
    match args.split_first() {
        None => Ok(Command::Serve { addr: default_addr()? }),
        Some((&"serve", rest)) => {
            let mut addr = None;
            for (_, value) in options("serve", rest, &["--addr"], &[])? {
                addr = Some(resolve_addr(value.unwrap_or_default())?);
            }
            Ok(Command::Serve {
                addr: match addr {
                    Some(a) => a,
                    None => default_addr()?,
                },
            })
        }
        Some((&"build", rest)) => {
            let mut out = None;
            let mut opts = crate::ssg::BuildOptions::new("");
            for (flag, value) in
                options("build", rest, &["--out", "--trailing-slash", "--concurrency", "--links"], &["--incremental"])?
            {
                match (flag.as_str(), value) {
                    ("--out", Some(v)) => out = Some(std::path::PathBuf::from(v)),
                    ("--links", Some(v)) => {
                        opts.links = match v {
                            "error" => crate::ssg::LinkCheck::Error,
                            "warn" => crate::ssg::LinkCheck::Warn,
                            "off" => crate::ssg::LinkCheck::Off,
                            _ => return Err(format!("invalid value for --links: {v:?} (expected error, warn or off)")),
                        }
                    }
                    ("--trailing-slash", Some(v)) => opts.trailing_slash = trailing_slash_value(v)?,
                    ("--concurrency", Some(v)) => {
                        opts.concurrency = v.parse().ok().filter(|n: &usize| *n >= 1).ok_or_else(|| {
                            format!("invalid value for --concurrency: {v:?} (expected a positive integer)")
                        })?
                    }
                    _ => opts.incremental = true,
                }
            }
            opts.out = out.ok_or("build needs --out DIR")?;
            Ok(Command::Build(opts))
        }
        Some((&"deploy-plan", rest)) => {
            let mut out = None;
            let mut trailing_slash = crate::ssg::OutputTrailingSlash::Always;
            for (flag, value) in options("deploy-plan", rest, &["--out", "--trailing-slash"], &[])? {
                match (flag.as_str(), value) {
                    ("--out", Some(v)) => out = Some(std::path::PathBuf::from(v)),
                    (_, Some(v)) => trailing_slash = trailing_slash_value(v)?,
                    _ => {}
                }
            }
            Ok(Command::DeployPlan { out: out.ok_or("deploy-plan needs --out DIR")?, trailing_slash })
        }
        Some((&"routes", [])) => Ok(Command::Routes),
        Some((&"routes", [extra, ..])) => Err(format!("unexpected argument for routes: {extra}")),
        Some((&("help" | "-h" | "--help"), _)) => Ok(Command::Help),
        Some((other, _)) => Err(format!("unknown command: {other}")),
    }
}

/// `host:port` as a socket address: an IP address, or a name such as `localhost` resolved by the system.
fn resolve_addr(value: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let bad =
        || format!("invalid value for --addr: {value:?} (expected host:port, e.g. 127.0.0.1:3000 or localhost:3001)");
    if let Ok(addr) = value.parse() {
        return Ok(addr);
    }
    let mut found = value.to_socket_addrs().map_err(|_| bad())?;
    // Prefer IPv4 for `localhost`, as browsers and curl try it first.
    let all: Vec<SocketAddr> = found.by_ref().collect();
    all.iter().find(|a| a.is_ipv4()).or(all.first()).copied().ok_or_else(bad)
}

/// Renders the route table: pattern, mode, revalidate, file:line (paths shown relative to `base`).
pub fn routes_table(app: &App, base: &str) -> String {
    let rows: Vec<[String; 4]> = app
        .routes()
        .map(|d| {
            let (mode, revalidate) = match &d.kind {
                RouteKind::Face(face) => {
                    let revalidate = match face.mode {
                        FaceMode::Isr { revalidate, .. } => format!("{revalidate}s"),
                        FaceMode::Ssr | FaceMode::Ssg { .. } => "-".to_string(),
                    };
                    (face.mode.mode().as_str().to_string(), revalidate)
                }
                RouteKind::Resource(r) => (format!("resource {}", r.methods.join(",")), "-".to_string()),
            };
            let file = d.file.strip_prefix(base).map(|f| f.trim_start_matches('/')).unwrap_or(d.file);
            [d.pattern.to_string(), mode, revalidate, format!("{file}:{}", d.line)]
        })
        .collect();
    let header = ["PATTERN".to_string(), "MODE".into(), "REVALIDATE".into(), "LOCATION".into()];
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A release binary does not build or plan a deployment without its client build: the site would ship without
/// its islands. (A debug build warns and goes on, so the server can run before the client is built.)
fn release_without_client(app: &App) -> bool {
    if cfg!(debug_assertions) {
        return false;
    }
    match app.client_build_problem() {
        Some(problem) => {
            eprintln!("error: the client build (AppBuilder::vite) is missing: {problem}");
            true
        }
        None => false,
    }
}

async fn run_build(app: &App, opts: &crate::ssg::BuildOptions) -> ExitCode {
    let started = std::time::Instant::now();
    let report = match crate::ssg::build(app, opts).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SSG failed: {e}");
            return ExitCode::from(1);
        }
    };
    let mut line = format!(
        "SSG complete: {} page(s) written to {} (manifest: {}); {} asset file(s) copied",
        report.written,
        opts.out.display(),
        crate::ssg::MANIFEST_FILE,
        report.assets
    );
    if !report.skipped.is_empty() {
        line.push_str(&format!("; {} unchanged page(s) skipped", report.skipped.len()));
    }
    println!("{line} in {:.2} s", started.elapsed().as_secs_f64());
    if !report.broken_links.is_empty() {
        let what = if opts.links == crate::ssg::LinkCheck::Error { "error" } else { "warning" };
        eprintln!("{what}: {} broken link(s) in the written pages (page → link):", report.broken_links.len());
        for link in &report.broken_links {
            eprintln!("{link}");
        }
    }
    if !report.failures.is_empty() {
        eprintln!("SSG failed for {} route(s):", report.failures.len());
        for f in &report.failures {
            eprintln!("{f}");
        }
    }
    if report.succeeded(opts.links) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The process's log output: JSON lines on Lambda (one object per event, fields at the top level, which
/// CloudWatch Logs Insights reads without parsing), human-readable text elsewhere. `RUST_LOG` filters both.
/// [`crate::run`] with `base` (the crate's root) shortening the file paths `routes` prints, and the `version`
/// line `--version` prints.
pub async fn run_with_base(builder: AppBuilder, base: &str, version: &str) -> ExitCode {
    if let Err(msg) = crate::observe::init_logging() {
        eprintln!("error: {msg}");
        return ExitCode::from(1);
    }
    let emf = crate::config::EnvConfig::from_env().ok().and_then(|env| env.emf_namespace);
    if let Some(namespace) = emf {
        // Fails only when the app installed a recorder of its own first: that one stays.
        if crate::observe::EmfRecorder::new(namespace).install().is_err() {
            tracing::warn!("FACETHEORY_EMF_NAMESPACE is set but a metrics recorder is already installed");
        }
    }
    // Every #[face] / #[resource] linked into the binary joins the table, whichever way the site starts.
    let app = match builder.with_registered().build() {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        #[cfg(feature = "lambda")]
        return match crate::lambda::run(app).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: lambda runtime: {e}");
                ExitCode::from(1)
            }
        };
        #[cfg(not(feature = "lambda"))]
        {
            eprintln!("error: AWS_LAMBDA_RUNTIME_API is set but facetheory was built without the `lambda` feature");
            return ExitCode::from(1);
        }
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = std::env::var("PORT").ok();
    match parse_args_with_port(&args, port.as_deref()) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("{version}");
            ExitCode::SUCCESS
        }
        Ok(Command::Routes) => {
            print!("{}", routes_table(&app, base));
            ExitCode::SUCCESS
        }
        Ok(Command::Build(_) | Command::DeployPlan { .. }) if release_without_client(&app) => ExitCode::from(1),
        Ok(Command::Build(opts)) => run_build(&app, &opts).await,
        Ok(Command::DeployPlan { out, trailing_slash }) => {
            let site = std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "facetheory-site".into());
            let plan = crate::deploy::plan(&app, &crate::deploy::PlanOptions { trailing_slash, site_name: site });
            match crate::deploy::write(&plan, &out) {
                Ok(files) => {
                    for f in files {
                        println!("wrote {}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: writing the deployment plan to {}: {e}", out.display());
                    ExitCode::from(1)
                }
            }
        }
        Ok(Command::Serve { addr }) => {
            let server = match crate::server::Server::bind(app, addr).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            };
            tracing::info!("listening on http://{}", server.local_addr());
            match server.run().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(msg) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
