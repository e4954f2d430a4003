//! The site binary's log subscriber: JSON lines or readable text, chosen by `FACETHEORY_LOG_FORMAT`.

/// How the site binary writes its log lines (`FACETHEORY_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    /// One JSON object per line on stdout ([`super::JsonLines`]), what log services read.
    Json,
    /// Human-readable lines on stderr (colours on a terminal).
    Text,
}

/// `FACETHEORY_LOG_FORMAT` (`json` or `text`); unset: JSON on Lambda, text elsewhere.
fn log_format(value: Option<&std::ffi::OsStr>, on_lambda: bool) -> Result<LogFormat, String> {
    match value.map(|v| v.to_str()) {
        None => Ok(if on_lambda { LogFormat::Json } else { LogFormat::Text }),
        Some(Some("json")) => Ok(LogFormat::Json),
        Some(Some("text")) => Ok(LogFormat::Text),
        Some(_) => Err(format!(
            "FACETHEORY_LOG_FORMAT must be `json` or `text`, got {:?}",
            value.unwrap_or_default().to_string_lossy()
        )),
    }
}

/// Installs the site binary's log subscriber: `RUST_LOG` filters (default `info`); `FACETHEORY_LOG_FORMAT` picks
/// JSON lines on stdout or readable text on stderr (see [`log_format`]).
pub(crate) fn init_logging() -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let on_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    let format = log_format(std::env::var_os("FACETHEORY_LOG_FORMAT").as_deref(), on_lambda)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if format == LogFormat::Json {
        let _ = tracing_subscriber::fmt()
            .event_format(super::JsonLines)
            .with_env_filter(filter)
            .with_writer(std::io::stdout)
            .try_init();
        return Ok(());
    }
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{log_format, LogFormat};
    use std::ffi::OsStr;

    #[test]
    fn the_log_format_is_json_on_lambda_unless_set_and_anything_else_is_refused_by_name() {
        assert_eq!(log_format(None, true), Ok(LogFormat::Json));
        assert_eq!(log_format(None, false), Ok(LogFormat::Text));
        assert_eq!(log_format(Some(OsStr::new("json")), false), Ok(LogFormat::Json));
        assert_eq!(log_format(Some(OsStr::new("text")), true), Ok(LogFormat::Text));
        let err = log_format(Some(OsStr::new("JSON ")), false).unwrap_err();
        assert!(err.contains("FACETHEORY_LOG_FORMAT") && err.contains("\"JSON \""), "{err}");
    }
}
