//! OpenDocument writers for the exports: spreadsheets (`.ods`) for the open data and
//! editable text documents (`.odt`) for the report and the doctrine revision.
//!
//! - [`package`]: the ZIP package every OpenDocument file is, deterministic (the same
//!   input gives the same bytes), streamed entry by entry;
//! - [`ods`]: [`SpreadsheetWriter`], tables of [`Cell`](crate::export::Cell)s streamed
//!   row by row (a million rows stay in bounded memory), text neutralised against
//!   formula injection, sheets split at LibreOffice's row limit;
//! - [`document`] and [`odt`]: a small document model ([`Document`], [`Block`],
//!   [`Span`]) and [`write_odt`], with named styles so that headings are real headings.
//!
//! Every part is ODF 1.2, written with one escaping function (in `xml`) that also drops
//! the characters XML 1.0 forbids, and white space encoded so that it reads back as
//! written (tabs, line breaks, runs of spaces).

pub mod document;
pub mod ods;
pub mod odt;
mod odt_styles;
pub mod package;
mod sheet_name;
mod xml;

#[cfg(test)]
pub(crate) mod test_support;

pub use document::{Block, Document, Span};
pub use ods::SpreadsheetWriter;
pub use odt::write_odt;
pub use package::Package;

/// Why an OpenDocument file could not be written.
///
/// Every variant but [`OdfError::NoTable`] and the path ones is a failure of the
/// destination (disk full, closed connection) or of the archive library, which the
/// caller reports rather than corrects.
#[derive(Debug, thiserror::Error)]
pub enum OdfError {
    /// Writing to the destination failed.
    #[error("écriture du document OpenDocument impossible : {0}")]
    Io(#[from] std::io::Error),
    /// The ZIP library refused an entry (for example one of more than 4 Gio).
    #[error("archive du document OpenDocument impossible : {0}")]
    Zip(#[from] zip::result::ZipError),
    /// An entry path that a package cannot hold (absolute, `..`, reserved).
    #[error("chemin d'entrée refusé dans le paquet OpenDocument : « {0} »")]
    InvalidEntryPath(String),
    /// The entry was already written in this package.
    #[error("l'entrée « {0} » figure déjà dans le paquet OpenDocument")]
    DuplicateEntry(String),
    /// A row was written before any table was started.
    #[error("ligne écrite avant toute feuille : appeler start_table d'abord")]
    NoTable,
}
