//! The OpenDocument package: a ZIP archive whose first entry is the uncompressed
//! `mimetype` and whose `META-INF/manifest.xml` lists every part (ODF 1.2, part 3).
//!
//! The archive is deterministic, because an export is published with its hash: the
//! same entries written in the same order with the same `modified` instant give the
//! same bytes, on any machine. Every entry has the same timestamp, the same Unix
//! permissions (0o644, "made by" Unix whatever the OS), no extra field, and the same
//! compression (deflate at level 1, the fastest, through one pure-Rust encoder: the
//! spreadsheet of a large export is tens of MiB of XML).

use std::io::{self, Seek, Write};

use time::{OffsetDateTime, UtcOffset};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::xml::{push_escaped, DECLARATION, ODF_VERSION};
use super::OdfError;

/// The path of the manifest, written by [`Package::finish`].
const MANIFEST_PATH: &str = "META-INF/manifest.xml";

/// The path of the media type entry, written by [`Package::create`].
const MIMETYPE_PATH: &str = "mimetype";

/// The deflate level of every compressed entry: fixed, so that the bytes do not depend
/// on a library default.
pub(crate) const DEFLATE_LEVEL: i64 = 1;

/// An OpenDocument package being written into `W`.
///
/// Entries are written one after the other: [`Package::start_entry`] opens one, the
/// package itself is then the [`Write`] that streams into it (compressed on the fly,
/// never held whole in memory), and the next `start_entry` or [`Package::finish`]
/// closes it.
pub struct Package<W: Write + Seek> {
    zip: ZipWriter<W>,
    mimetype: &'static str,
    options: SimpleFileOptions,
    /// The entries written after `mimetype`, with their media types, in order.
    entries: Vec<(String, String)>,
    /// Whether an entry opened by `start_entry` is receiving writes.
    writing: bool,
}

impl<W: Write + Seek> Package<W> {
    /// Starts a package of media type `mimetype` (such as
    /// `application/vnd.oasis.opendocument.spreadsheet`) whose entries are all dated
    /// `modified`, clamped to what ZIP can record (1980 to 2107, to two seconds, UTC).
    ///
    /// The `mimetype` entry is written at once, first, stored (not compressed) and with
    /// no extra field, so that its content sits at byte 38 where tools look for it.
    pub fn create(
        writer: W,
        mimetype: &'static str,
        modified: OffsetDateTime,
    ) -> Result<Self, OdfError> {
        let options = entry_options(modified);
        let mut zip = ZipWriter::new(writer);
        zip.start_file(
            MIMETYPE_PATH,
            options.compression_method(CompressionMethod::Stored),
        )?;
        zip.write_all(mimetype.as_bytes())?;
        Ok(Self {
            zip,
            mimetype,
            options: options
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(DEFLATE_LEVEL)),
            entries: Vec::new(),
            writing: false,
        })
    }

    /// Opens the entry `path` (relative, `/`-separated, such as `content.xml`) of media
    /// type `media_type` (such as `text/xml`), closing the previous one; what is then
    /// written to the package goes into it.
    ///
    /// Refuses a path that is empty, absolute, has an empty, `.` or `..` segment or a
    /// backslash, is `mimetype` or the manifest, or was already written.
    pub fn start_entry(&mut self, path: &str, media_type: &str) -> Result<&mut Self, OdfError> {
        if !is_valid_entry_path(path) || path == MIMETYPE_PATH || path == MANIFEST_PATH {
            return Err(OdfError::InvalidEntryPath(path.to_owned()));
        }
        if self.entries.iter().any(|(written, _)| written == path) {
            return Err(OdfError::DuplicateEntry(path.to_owned()));
        }
        // Closed first, so that a failure below cannot leave writes going to the
        // previous entry.
        self.writing = false;
        self.zip.start_file(path, self.options)?;
        self.entries.push((path.to_owned(), media_type.to_owned()));
        self.writing = true;
        Ok(self)
    }

    /// Writes `META-INF/manifest.xml` (the package's media type on `/`, then every
    /// entry in the order written, with its media type), closes the archive and
    /// returns the writer.
    pub fn finish(mut self) -> Result<W, OdfError> {
        let manifest = manifest_xml(self.mimetype, &self.entries);
        self.zip.start_file(MANIFEST_PATH, self.options)?;
        self.zip.write_all(manifest.as_bytes())?;
        Ok(self.zip.finish()?)
    }
}

impl<W: Write + Seek> Write for Package<W> {
    /// Writes into the entry last opened by [`Package::start_entry`]; an error before
    /// any was opened (the bytes would otherwise land in `mimetype`).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.writing {
            return Err(io::Error::other(
                "aucune entrée du paquet OpenDocument n'est ouverte",
            ));
        }
        self.zip.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.zip.flush()
    }
}

/// Whether `path` is a relative path made of ordinary `/`-separated segments.
fn is_valid_entry_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."))
}

/// The options of every entry: one timestamp, fixed permissions and system, so archives
/// do not depend on the machine or the clock (the caller sets the compression).
pub(crate) fn entry_options(modified: OffsetDateTime) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .last_modified_time(zip_date_time(modified))
        .unix_permissions(0o644)
        .system(System::Unix)
        .large_file(false)
}

/// `modified` as a ZIP (MS-DOS) timestamp in UTC, clamped to the years ZIP can record.
fn zip_date_time(modified: OffsetDateTime) -> DateTime {
    let t = modified.to_offset(UtcOffset::UTC);
    match u16::try_from(t.year()) {
        Ok(year @ 1980..=2107) => DateTime::from_date_and_time(
            year,
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
        )
        .unwrap_or_default(),
        Ok(2108..) => DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58).unwrap_or_default(),
        _ => DateTime::default(),
    }
}

/// The manifest listing the package's media type and every entry.
fn manifest_xml(mimetype: &str, entries: &[(String, String)]) -> String {
    let mut out = String::with_capacity(256 + 96 * entries.len());
    out.push_str(DECLARATION);
    out.push_str(
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version=""#,
    );
    out.push_str(ODF_VERSION);
    out.push_str(r#""><manifest:file-entry manifest:full-path="/" manifest:version=""#);
    out.push_str(ODF_VERSION);
    out.push_str(r#"" manifest:media-type=""#);
    push_escaped(&mut out, mimetype);
    out.push_str(r#""/>"#);
    for (path, media_type) in entries {
        out.push_str(r#"<manifest:file-entry manifest:full-path=""#);
        push_escaped(&mut out, path);
        out.push_str(r#"" manifest:media-type=""#);
        push_escaped(&mut out, media_type);
        out.push_str(r#""/>"#);
    }
    out.push_str("</manifest:manifest>");
    out
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::super::test_support::{entry_names, read_entry};
    use super::*;

    const MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

    fn sample(modified: OffsetDateTime) -> Vec<u8> {
        let mut package = Package::create(Cursor::new(Vec::new()), MIMETYPE, modified).unwrap();
        package
            .start_entry("content.xml", "text/xml")
            .unwrap()
            .write_all(b"<a/>")
            .unwrap();
        package
            .start_entry("Pictures/x.png", "image/png")
            .unwrap()
            .write_all(&[0, 1, 2])
            .unwrap();
        package.finish().unwrap().into_inner()
    }

    #[test]
    fn mimetype_comes_first_stored_without_extra_field() {
        let bytes = sample(time::macros::datetime!(2026-03-01 10:30 UTC));
        assert_eq!(&bytes[0..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "stored");
        assert_eq!(u16::from_le_bytes([bytes[26], bytes[27]]), 8, "name length");
        assert_eq!(u16::from_le_bytes([bytes[28], bytes[29]]), 0, "extra field");
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..38 + MIMETYPE.len()], MIMETYPE.as_bytes());
        assert_eq!(
            entry_names(&bytes),
            [
                "mimetype",
                "content.xml",
                "Pictures/x.png",
                "META-INF/manifest.xml"
            ]
        );
    }

    #[test]
    fn the_manifest_lists_every_entry_with_its_media_type() {
        let bytes = sample(time::macros::datetime!(2026-03-01 10:30 UTC));
        let manifest = read_entry(&bytes, "META-INF/manifest.xml");
        for entry in [
            format!(
                r#"manifest:full-path="/" manifest:version="1.2" manifest:media-type="{MIMETYPE}""#
            ),
            r#"manifest:full-path="content.xml" manifest:media-type="text/xml""#.to_owned(),
            r#"manifest:full-path="Pictures/x.png" manifest:media-type="image/png""#.to_owned(),
        ] {
            assert!(manifest.contains(&entry), "{entry} in {manifest}");
        }
        assert!(!manifest.contains(r#"full-path="mimetype""#));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes_and_the_date_is_recorded() {
        let at = time::macros::datetime!(2026-03-01 10:30:07 +01:00);
        let bytes = sample(at);
        assert_eq!(bytes, sample(at));
        assert_ne!(bytes, sample(time::macros::datetime!(2026-03-02 10:30 UTC)));
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        for i in 0..archive.len() {
            let file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().into_owned();
            let modified = file.last_modified().unwrap();
            assert_eq!(modified.to_string(), "2026-03-01 09:30:06", "{name}");
            assert_eq!(file.unix_mode(), Some(0o100644), "{name}");
        }
    }

    #[test]
    fn dates_outside_zip_range_are_clamped() {
        let early = zip_date_time(time::macros::datetime!(1970-01-01 0:00 UTC));
        assert_eq!(early.to_string(), "1980-01-01 00:00:00");
        let late = zip_date_time(time::macros::datetime!(2200-06-01 0:00 UTC));
        assert_eq!(late.to_string(), "2107-12-31 23:59:58");
    }

    #[test]
    fn bad_paths_and_writes_outside_an_entry_are_refused() {
        let at = time::macros::datetime!(2026-03-01 10:30 UTC);
        let mut package = Package::create(Cursor::new(Vec::new()), MIMETYPE, at).unwrap();
        assert!(package.write_all(b"x").is_err());
        for path in [
            "",
            "/abs",
            "a//b",
            "../x",
            "a\\b",
            "mimetype",
            MANIFEST_PATH,
        ] {
            assert!(
                matches!(
                    package.start_entry(path, "text/xml"),
                    Err(OdfError::InvalidEntryPath(_))
                ),
                "{path:?}"
            );
        }
        package.start_entry("content.xml", "text/xml").unwrap();
        assert!(matches!(
            package.start_entry("content.xml", "text/xml"),
            Err(OdfError::DuplicateEntry(_))
        ));
    }
}
