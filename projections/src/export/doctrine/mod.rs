//! The doctrine revision of an export: for each doctrine an amendments question of the
//! concertation amends, `doctrine/<doctrine-id>.md` and `doctrine/<doctrine-id>.odt`,
//! rendered from one [`revision::build`]. A concertation without an amendments
//! question gets no doctrine file.

pub mod markdown;
pub mod revision;
#[cfg(test)]
mod tests;

use std::path::Path;

use super::bundle::ExportProgress;
use super::report;
use super::tables::Scope;
use super::ExportError;

/// The folder of the doctrine revisions in a bundle.
pub const DOCTRINE_DIR: &str = "doctrine";

/// Writes the revision of every doctrine the concertation amends into `root`'s
/// [`DOCTRINE_DIR`]; a doctrine the snapshot does not know is skipped, since there is
/// no text to revise.
pub fn write(
    scope: &Scope<'_>,
    root: &Path,
    progress: &mut (dyn FnMut(ExportProgress) + Send),
) -> Result<(), ExportError> {
    for id in revision::amended_doctrines(scope) {
        let Some(doctrine) = scope.snapshot.doctrines.get(&id) else {
            continue;
        };
        let revision = revision::build(scope, doctrine);
        let dir = root.join(DOCTRINE_DIR);
        std::fs::create_dir_all(&dir)?;
        let markdown = format!("{DOCTRINE_DIR}/{id}.md");
        progress(ExportProgress::Writing(markdown.clone()));
        std::fs::write(root.join(&markdown), markdown::render(&revision))?;
        let odt = format!("{DOCTRINE_DIR}/{id}.odt");
        progress(ExportProgress::Writing(odt.clone()));
        let file = std::io::BufWriter::new(std::fs::File::create(root.join(&odt))?);
        let mut file = super::opendocument::write_odt(
            &report::odt::document(revision),
            file,
            scope.snapshot.recorded_at,
        )?;
        std::io::Write::flush(&mut file)?;
    }
    Ok(())
}
