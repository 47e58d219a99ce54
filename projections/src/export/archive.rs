//! One ZIP file of a whole bundle, for the dashboard's download link.
//!
//! Written like the OpenDocument packages (one timestamp from the manifest's event,
//! fixed permissions, deflate at a fixed level, entries in path order), so the same
//! bundle always gives the same archive. Files are streamed in, never loaded whole.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use time::OffsetDateTime;
use zip::{CompressionMethod, ZipWriter};

use super::manifest::{self, MANIFEST_FILE};
use super::opendocument::package::{entry_options, DEFLATE_LEVEL};
use super::opendocument::OdfError;
use super::ExportError;

/// Writes the bundle in `dir` (its manifest's files, then the manifest) as the ZIP
/// `out`, every entry under the folder `prefix/`.
pub fn zip_bundle(dir: &Path, out: &Path, prefix: &str) -> Result<(), ExportError> {
    let manifest = manifest::read(dir)?;
    let modified = OffsetDateTime::parse(
        &manifest.recorded_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|e| ExportError::Invalid(format!("manifest : date invalide ({e})")))?;
    let options = entry_options(modified)
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL));
    let mut zip = ZipWriter::new(BufWriter::new(File::create(out)?));
    let paths = manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain([MANIFEST_FILE]);
    for path in paths {
        zip.start_file(format!("{prefix}/{path}"), options)
            .map_err(OdfError::from)?;
        let mut file = File::open(dir.join(path))?;
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish().map_err(OdfError::from)?.flush()?;
    Ok(())
}
