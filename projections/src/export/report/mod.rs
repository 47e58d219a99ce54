//! The synthesis report of an export: a self-contained printable HTML page
//! (`rapport.html`) and an editable OpenDocument text (`rapport.odt`), both rendered
//! from one [`model::Report`] computed once from the [`Scope`], so that they say the
//! same thing.
//!
//! Like every file of a bundle, the report depends only on the snapshot: dates come
//! from events (shown in Paris time), lists are in fixed orders, so the same position
//! gives the same bytes.

mod context;
pub(crate) mod format;
mod groups;
pub mod html;
pub(crate) mod labels;
pub mod model;
pub mod odt;
mod results;
#[cfg(test)]
pub(crate) mod test_fixture;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::bundle::ExportProgress;
use super::tables::Scope;
use super::ExportError;
use model::{heading, Report};

/// The HTML report's path in a bundle.
pub const REPORT_HTML: &str = "rapport.html";
/// The OpenDocument report's path in a bundle.
pub const REPORT_ODT: &str = "rapport.odt";

/// The report of `scope`, sections in reading order.
pub fn build(scope: &Scope<'_>) -> Report {
    let title = format!("Rapport de synthèse — {}", scope.concertation.title);
    let mut items = vec![heading(1, title.clone())];
    context::context(scope, &mut items);
    context::participation(scope, &mut items);
    results::themes(scope, &mut items);
    results::questions(scope, &mut items);
    groups::groups(scope, &mut items);
    results::most_supported(scope, &mut items);
    results::answers(scope, &mut items);
    context::method(scope, &mut items);
    Report { title, items }
}

/// Writes `rapport.html` and `rapport.odt` into the bundle's folder `root`.
pub fn write(
    scope: &Scope<'_>,
    root: &Path,
    progress: &mut (dyn FnMut(ExportProgress) + Send),
) -> Result<(), ExportError> {
    let report = build(scope);
    progress(ExportProgress::Writing(REPORT_HTML.to_owned()));
    let mut page = std::io::BufWriter::new(std::fs::File::create(root.join(REPORT_HTML))?);
    html::write(&report, &mut page)?;
    std::io::Write::flush(&mut page)?;
    progress(ExportProgress::Writing(REPORT_ODT.to_owned()));
    let file = std::io::BufWriter::new(std::fs::File::create(root.join(REPORT_ODT))?);
    let mut file =
        super::opendocument::write_odt(&odt::document(report), file, scope.snapshot.recorded_at)?;
    std::io::Write::flush(&mut file)?;
    Ok(())
}
