//! Logs: `tracing` to stderr, human-readable, or JSON lines when `LOG_FORMAT=json`;
//! level from `RUST_LOG` (default `info`). Each request's span carries its id, so every
//! line it logs does too.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber (once).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// For benchmarks: installs the subscriber only when `RUST_LOG` asks for logs, since a
/// benchmark that logs every request would measure the terminal.
pub fn init_if_asked() {
    if std::env::var_os("RUST_LOG").is_some() {
        init();
    }
}
