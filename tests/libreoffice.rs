//! LibreOffice for the export tests: the program (required under
//! `CONCERTO_REQUIRE_SERVICES=1`, as in CI, where `.ci/run` installs it), and one
//! headless conversion with a private profile, a fixed locale and a timeout.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one conversion may take, a fresh profile included.
pub const CONVERSION_TIMEOUT: Duration = Duration::from_secs(180);

/// `libreoffice`, or `None` (after printing "ignoré : libreoffice absent") when it is
/// absent and not required; panics when absent under `CONCERTO_REQUIRE_SERVICES=1`.
pub fn program() -> Option<&'static str> {
    let found = Command::new("libreoffice")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some("libreoffice");
    }
    if std::env::var("CONCERTO_REQUIRE_SERVICES").as_deref() == Ok("1") {
        panic!("libreoffice absent alors que CONCERTO_REQUIRE_SERVICES=1");
    }
    println!("ignoré : libreoffice absent");
    None
}

/// Converts `file` to `target` (a `--convert-to` argument) into `out_dir`, with a
/// private profile under `dir` (so parallel tests never share one); panics when the
/// conversion fails or outlasts [`CONVERSION_TIMEOUT`].
pub fn convert(program: &str, dir: &Path, file: &Path, target: &str, out_dir: &Path) {
    let profile = dir.join(format!("profile-{}", target.replace([':', ' ', ','], "_")));
    let mut child = Command::new(program)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
        ])
        .arg(out_dir)
        .arg(file)
        // A fixed locale, so that numbers and booleans are shown the same everywhere.
        .env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("libreoffice starts");
    let deadline = Instant::now() + CONVERSION_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("libreoffice runs") {
            assert!(
                status.success(),
                "libreoffice --convert-to {target}: {status}"
            );
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("libreoffice --convert-to {target}: still running after {CONVERSION_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Panics unless the file at `path` is a PDF.
pub fn assert_pdf(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"%PDF"),
        "{} is not a PDF",
        path.display()
    );
}
