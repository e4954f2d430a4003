//! The site binary's three roles: on Lambda (`AWS_LAMBDA_RUNTIME_API` set) the streaming handler; elsewhere a
//! CLI with `serve` and `routes`.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::app::{App, AppBuilder};
use crate::face::RouteKind;

/// The default `serve` address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

const USAGE: &str = "usage: <site> [COMMAND]

commands:
  serve [--addr ADDR]   serve the site over HTTP (default address 127.0.0.1:3000; the default command)
  routes                print the route table in precedence order
  help                  print this message

On AWS Lambda (AWS_LAMBDA_RUNTIME_API set) the binary runs the streaming Function URL handler instead.";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `serve [--addr ADDR]`.
    Serve { addr: SocketAddr },
    /// `routes`.
    Routes,
    /// `help`, `-h`, `--help`.
    Help,
}

/// Parses the arguments after the program name.
///
/// ```
/// use facetheory::cli::{parse_args, Command};
/// assert_eq!(parse_args(&["serve", "--addr", "127.0.0.1:8080"]).unwrap(), Command::Serve { addr: "127.0.0.1:8080".parse().unwrap() });
/// assert!(parse_args(&["deploy"]).unwrap_err().contains("unknown command"));
/// ```
pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    match args.split_first() {
        None => Ok(Command::Serve { addr: DEFAULT_ADDR.parse().expect("valid default address") }),
        Some((&"serve", rest)) => {
            let mut addr: SocketAddr = DEFAULT_ADDR.parse().expect("valid default address");
            let mut i = 0;
            while i < rest.len() {
                let (flag, inline) = match rest[i].split_once('=') {
                    Some((f, v)) => (f, Some(v)),
                    None => (rest[i], None),
                };
                match flag {
                    "--addr" => {
                        let value = match inline {
                            Some(v) => v,
                            None => {
                                i += 1;
                                *rest.get(i).ok_or("missing value for --addr")?
                            }
                        };
                        addr = value.parse().map_err(|_| {
                            format!("invalid value for --addr: {value:?} (expected e.g. 127.0.0.1:3000)")
                        })?;
                    }
                    other => return Err(format!("unknown option for serve: {other}")),
                }
                i += 1;
            }
            Ok(Command::Serve { addr })
        }
        Some((&"routes", [])) => Ok(Command::Routes),
        Some((&"routes", [extra, ..])) => Err(format!("unexpected argument for routes: {extra}")),
        Some((&("help" | "-h" | "--help"), _)) => Ok(Command::Help),
        Some((other, _)) => Err(format!("unknown command: {other}")),
    }
}

/// Renders the route table: pattern, mode, revalidate, file:line (paths shown relative to `base`).
pub fn routes_table(app: &App, base: &str) -> String {
    let rows: Vec<[String; 4]> = app
        .routes()
        .map(|d| {
            let (mode, revalidate) = match d.kind {
                RouteKind::Face { mode, revalidate, .. } => {
                    (mode.as_str().to_string(), revalidate.map_or("-".to_string(), |r| format!("{r}s")))
                }
                RouteKind::Resource { methods } => (format!("resource {}", methods.join(",")), "-".to_string()),
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

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

/// Uses S3 + DynamoDB for ISR when `FACETHEORY_ISR_BUCKET` and a cache table name are set (and the app has no
/// ISR runtime of its own).
async fn with_env_isr(mut builder: AppBuilder) -> Result<AppBuilder, String> {
    if let Some(secret) = std::env::var("FACETHEORY_REVALIDATE_SECRET").ok().filter(|s| !s.is_empty()) {
        builder = builder.revalidate_secret(secret);
    }
    #[cfg(feature = "aws")]
    if !builder.has_isr() {
        if let Some(cfg) = crate::isr::AwsIsrConfig::from_env()? {
            tracing::info!(bucket = %cfg.bucket, table = %cfg.table, "ISR on S3 + DynamoDB");
            return Ok(builder.isr(cfg.runtime().await));
        }
    }
    Ok(builder)
}

/// Runs the site binary. `base` (usually `env!("CARGO_MANIFEST_DIR")`) shortens paths in `routes`.
/// Exit codes: 0 success, 1 failure (bad route table, server error), 2 usage error.
pub fn main(builder: AppBuilder, base: &str) -> ExitCode {
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let builder = match runtime.block_on(with_env_isr(builder)) {
        Ok(b) => b,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(1);
        }
    };
    let app = match builder.build() {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        #[cfg(feature = "lambda")]
        return match runtime.block_on(crate::lambda::run(app)) {
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
    match parse_args(&args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Routes) => {
            print!("{}", routes_table(&app, base));
            ExitCode::SUCCESS
        }
        Ok(Command::Serve { addr }) => runtime.block_on(async move {
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
        }),
        Err(msg) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
