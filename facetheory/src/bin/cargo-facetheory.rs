//! `cargo facetheory` — the first hour's tool. Install it from a checkout with
//! `cargo install --path facetheory --features tool`.
//!
//! ```text
//! cargo facetheory new <dir> [--path <facetheory checkout>] [--islands]
//! cargo facetheory doctor [<site dir>]
//! cargo facetheory dev [--addr ADDR]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo facetheory new <dir> [--path <checkout>] [--islands]  a new site in <dir> (created; must be empty);
                                                               --islands adds a Vite client with one typed island
  cargo facetheory doctor [<site dir>]                         what the site needs on this machine
  cargo facetheory dev [--addr ADDR]                           watch, rebuild, restart, reload (default 127.0.0.1:3000)
  cargo facetheory --version | --help";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // Run as `cargo facetheory …`, cargo passes the subcommand's name first.
    if args.first().map(String::as_str) == Some("facetheory") {
        args.remove(0);
    }
    match args.first().map(String::as_str) {
        Some("new") => new(&args[1..]),
        Some("doctor") => doctor(&args[1..]),
        Some("dev") => dev(&args[1..]),
        Some("--version" | "-V") => {
            println!("cargo-facetheory {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h") | None => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage(&format!("unknown command {other:?}")),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\n{USAGE}");
    ExitCode::from(2)
}

fn new(args: &[String]) -> ExitCode {
    let (mut dir, mut dependency) = (None, facetheory::scaffold::Dependency::CratesIo);
    let mut options = facetheory::scaffold::Options::default();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--path" => match args.get(i + 1) {
                Some(p) => {
                    dependency = facetheory::scaffold::Dependency::Path(PathBuf::from(p));
                    i += 1;
                }
                None => return usage("--path needs the directory of a facetheory checkout"),
            },
            "--islands" => options.islands = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with('-') => return usage(&format!("unknown option {flag:?}")),
            d if dir.is_none() => dir = Some(PathBuf::from(d)),
            extra => return usage(&format!("unexpected argument {extra:?}")),
        }
        i += 1;
    }
    let Some(dir) = dir else { return usage("new needs a directory") };
    match facetheory::scaffold::new_site_with(&dir, &dependency, &options) {
        Ok(files) => {
            for f in &files {
                println!("created {}", f.display());
            }
            println!(
                "\nnext:\n  cd {}\n  cargo run -- serve      # http://127.0.0.1:3000\n  cargo test",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn doctor(args: &[String]) -> ExitCode {
    let dir = match args {
        [] => PathBuf::from("."),
        [d] if !d.starts_with('-') => PathBuf::from(d),
        _ => return usage("doctor takes at most a site directory"),
    };
    use std::io::Write;
    let checks = facetheory::doctor::checks(&dir, &|name| std::env::var(name).ok());
    // A closed pipe (`| head`) ends the listing, not the process with a panic.
    let mut out = std::io::stdout().lock();
    for c in &checks {
        let _ = writeln!(out, "{c}");
    }
    let failed = checks.iter().filter(|c| c.result.is_err()).count();
    if failed == 0 {
        let _ = writeln!(out, "all {} checks passed", checks.len());
        ExitCode::SUCCESS
    } else {
        let _ = writeln!(out, "{failed} of {} checks failed", checks.len());
        ExitCode::from(1)
    }
}

fn dev(args: &[String]) -> ExitCode {
    let addr = match args {
        [] => "127.0.0.1:3000".to_string(),
        [flag, a] if flag == "--addr" => a.clone(),
        _ => return usage("dev takes --addr ADDR at most"),
    };
    let Ok(addr) = addr.parse() else {
        return usage(&format!("invalid --addr {addr:?} (expected host:port, e.g. 127.0.0.1:3000)"));
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(facetheory::dev::run(PathBuf::from("."), addr)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
