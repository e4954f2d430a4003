//! `cargo facetheory new <dir>`: a site that, with no edits, builds, serves, passes its own test, builds its
//! static pages and writes a deployment plan. The files are templates beside this module, filled in with the
//! site's name and how it depends on facetheory.

use std::path::{Path, PathBuf};

/// How the new site depends on facetheory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// The published crates (`facetheory = "0.1"`).
    CratesIo,
    /// A checkout of this repository (its root directory).
    Path(PathBuf),
}

/// What went wrong creating a site.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The directory exists and is not empty.
    #[error("{0} exists and is not empty: choose a new directory (cargo facetheory new <dir> creates it)")]
    NotEmpty(PathBuf),
    /// The name is not a valid package name.
    #[error("{0:?} is not a valid package name: use letters, digits, `-` or `_`, starting with a letter")]
    Name(String),
    /// The path dependency is not a facetheory checkout.
    #[error("{0} is not a facetheory checkout (no facetheory/Cargo.toml in it)")]
    NotACheckout(PathBuf),
    /// Writing failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("Cargo.toml.tmpl")),
    (".gitignore", include_str!("gitignore.tmpl")),
    ("README.md", include_str!("README.md.tmpl")),
    ("build.rs", include_str!("build.rs.tmpl")),
    ("src/main.rs", include_str!("main.rs.tmpl")),
    ("src/lib.rs", include_str!("lib.rs.tmpl")),
    ("faces/index.rs", include_str!("index.rs.tmpl")),
    ("faces/notes/[id].rs", include_str!("note.rs.tmpl")),
    ("faces/api/health.rs", include_str!("health.rs.tmpl")),
    ("tests/site.rs", include_str!("site.rs.tmpl")),
];

/// With `--islands`: a Vite client with one typed island (replacing the index page and the library), and the
/// facetheory client module copied in (it is not on npm).
const ISLAND_FILES: &[(&str, &str)] = &[
    ("faces/index.rs", include_str!("islands/index.rs.tmpl")),
    ("src/lib.rs", include_str!("islands/lib.rs.tmpl")),
    ("client/package.json", include_str!("islands/package.json.tmpl")),
    ("client/vite.config.ts", include_str!("islands/vite.config.ts.tmpl")),
    ("client/tsconfig.json", include_str!("islands/tsconfig.json.tmpl")),
    ("client/src/counter.ts", include_str!("islands/counter.ts.tmpl")),
    ("client/src/facetheory/index.ts", include_str!("../../client/index.ts")),
    ("client/src/facetheory/oac-form.ts", include_str!("../../client/oac-form.ts")),
];

/// What to scaffold.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Add a Vite client with one typed island.
    pub islands: bool,
}

/// Creates the site in `dir` (created; refused when it exists and is not empty); returns the files written.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("ft-new-doc-{}", std::process::id()));
/// let files = facetheory::scaffold::new_site(&dir, &facetheory::scaffold::Dependency::CratesIo).unwrap();
/// assert!(files.iter().any(|f| f.ends_with("faces/index.rs")));
/// assert!(facetheory::scaffold::new_site(&dir, &facetheory::scaffold::Dependency::CratesIo).is_err(), "not empty now");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn new_site(dir: &Path, dependency: &Dependency) -> Result<Vec<PathBuf>, ScaffoldError> {
    new_site_with(dir, dependency, &Options::default())
}

/// [`new_site`] with options (`--islands`).
pub fn new_site_with(dir: &Path, dependency: &Dependency, options: &Options) -> Result<Vec<PathBuf>, ScaffoldError> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(ScaffoldError::Name(name));
    }
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let (facetheory, codegen) = match dependency {
        Dependency::CratesIo => (r#""0.1""#.to_string(), r#"{ version = "0.1", features = ["scan"] }"#.to_string()),
        Dependency::Path(root) => {
            let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            if !root.join("facetheory/Cargo.toml").is_file() {
                return Err(ScaffoldError::NotACheckout(root));
            }
            let path = |krate: &str| root.join(krate).display().to_string().replace('\\', "/");
            (
                format!(r#"{{ path = "{}" }}"#, path("facetheory")),
                format!(r#"{{ path = "{}", features = ["scan"] }}"#, path("facetheory-codegen")),
            )
        }
    };
    let krate = name.replace('-', "_");
    let mut written = Vec::new();
    let mut files: Vec<(&str, &str)> = FILES.to_vec();
    if options.islands {
        for (file, template) in ISLAND_FILES {
            match files.iter_mut().find(|(f, _)| f == file) {
                Some(slot) => slot.1 = template,
                None => files.push((file, template)),
            }
        }
        if let Some(slot) = files.iter_mut().find(|(f, _)| *f == ".gitignore") {
            slot.1 = "/target\n.facetheory/\n/dist\nclient/node_modules/\nclient/dist/\n";
        }
    }
    for (file, template) in files {
        let text = template
            .replace("{{name}}", &name)
            .replace("{{crate}}", &krate)
            .replace("{{facetheory}}", &facetheory)
            .replace("{{codegen}}", &codegen);
        // The copied client module is not a template.
        let text = if file.starts_with("client/src/facetheory/") { template.to_string() } else { text };
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ScaffoldError::Io { path: parent.into(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| ScaffoldError::Io { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}
