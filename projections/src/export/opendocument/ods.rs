//! Spreadsheets (`.ods`): tables of [`Cell`]s streamed row by row into `content.xml`.
//!
//! A cell keeps its type (numbers are numbers, instants are dates, booleans are
//! booleans) so that the commission can sort and compute; text is neutralised by
//! [`neutralise`] so that a contribution starting with `=` is never run as a formula.
//! Memory does not grow with the number of rows: each row is formatted into one reused
//! buffer and written to the compressed entry at once.

use std::io::{Seek, Write};

use time::OffsetDateTime;

use super::package::Package;
use super::sheet_name::SheetNames;
use super::xml::{
    meta_xml, odf_date_time, push_escaped, push_text, DECLARATION, NAMESPACES, ODF_VERSION,
};
use super::OdfError;
use crate::export::cell::{format_decimal, neutralise, Cell};

/// The media type of a spreadsheet.
pub const MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// The most rows a sheet holds, header included: LibreOffice's limit (and Excel's).
/// A longer table continues on another sheet.
pub const MAX_ROWS_PER_SHEET: u32 = 1_048_576;

/// The styles of `content.xml`: bold header cells, and instants shown as
/// `2026-03-01T09:30:00Z`, exactly as the CSV export writes them.
const AUTOMATIC_STYLES: &str = concat!(
    "<office:automatic-styles>",
    r#"<number:date-style style:name="N_instant">"#,
    r#"<number:year number:style="long"/><number:text>-</number:text>"#,
    r#"<number:month number:style="long"/><number:text>-</number:text>"#,
    r#"<number:day number:style="long"/><number:text>T</number:text>"#,
    r#"<number:hours number:style="long"/><number:text>:</number:text>"#,
    r#"<number:minutes number:style="long"/><number:text>:</number:text>"#,
    r#"<number:seconds number:style="long"/><number:text>Z</number:text>"#,
    "</number:date-style>",
    r#"<number:date-style style:name="N_day">"#,
    r#"<number:year number:style="long"/><number:text>-</number:text>"#,
    r#"<number:month number:style="long"/><number:text>-</number:text>"#,
    r#"<number:day number:style="long"/>"#,
    "</number:date-style>",
    r#"<style:style style:name="ce_header" style:family="table-cell" style:parent-style-name="Default">"#,
    r#"<style:text-properties fo:font-weight="bold"/></style:style>"#,
    r#"<style:style style:name="ce_instant" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_instant"/>"#,
    r#"<style:style style:name="ce_day" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_day"/>"#,
    "</office:automatic-styles>",
);

/// A writer of one spreadsheet into `W`.
///
/// Call [`SpreadsheetWriter::start_table`] for each table, [`SpreadsheetWriter::row`]
/// for each of its rows, then [`SpreadsheetWriter::finish`]; without `finish` the file
/// is incomplete.
pub struct SpreadsheetWriter<W: Write + Seek> {
    package: Package<W>,
    rows_per_sheet: u32,
    names: SheetNames,
    table: Option<OpenTable>,
    /// Whether any sheet was written (a spreadsheet needs one).
    any_sheet: bool,
    /// The markup of the row being written, reused from row to row.
    buffer: String,
}

/// The table receiving rows.
struct OpenTable {
    /// The name asked by the caller, corrected again for every continuation sheet.
    requested: String,
    /// The header cells, written again at the top of every continuation sheet.
    columns: Vec<String>,
    /// The part of the table the current sheet holds (1 for the first sheet).
    part: u32,
    /// The rows of the current sheet, header included.
    rows: u32,
}

impl<W: Write + Seek> SpreadsheetWriter<W> {
    /// Starts a spreadsheet titled `title` (its metadata), dated `modified`, into
    /// `writer`; the same tables with the same `modified` give the same bytes.
    pub fn create(writer: W, title: &str, modified: OffsetDateTime) -> Result<Self, OdfError> {
        let mut package = Package::create(writer, MIMETYPE, modified)?;
        package
            .start_entry("meta.xml", "text/xml")?
            .write_all(meta_xml(title, "fr", modified).as_bytes())?;
        package
            .start_entry("styles.xml", "text/xml")?
            .write_all(styles_xml().as_bytes())?;
        let mut content = String::with_capacity(2048);
        content.push_str(DECLARATION);
        content.push_str("<office:document-content ");
        content.push_str(NAMESPACES);
        content.push_str(r#" office:version=""#);
        content.push_str(ODF_VERSION);
        content.push_str(r#"">"#);
        content.push_str(AUTOMATIC_STYLES);
        content.push_str("<office:body><office:spreadsheet>");
        package
            .start_entry("content.xml", "text/xml")?
            .write_all(content.as_bytes())?;
        Ok(Self {
            package,
            rows_per_sheet: MAX_ROWS_PER_SHEET,
            names: SheetNames::default(),
            table: None,
            any_sheet: false,
            buffer: String::with_capacity(1024),
        })
    }

    /// The same writer with sheets of at most `rows` rows, header included (at least 2,
    /// at most [`MAX_ROWS_PER_SHEET`]); for tests of the split, and for readers with a
    /// lower limit. Applies from the next row: call it before writing.
    #[must_use]
    pub fn with_rows_per_sheet(mut self, rows: u32) -> Self {
        self.rows_per_sheet = rows.clamp(2, MAX_ROWS_PER_SHEET);
        self
    }

    /// Ends the current table, if any, and starts a table named `name` (corrected into
    /// a valid, unique sheet name) whose first row is `columns`, in bold, repeated at
    /// the top of every continuation sheet.
    pub fn start_table(&mut self, name: &str, columns: &[&str]) -> Result<(), OdfError> {
        self.end_sheet()?;
        let table = OpenTable {
            requested: name.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            part: 1,
            rows: 0,
        };
        self.start_sheet(table)
    }

    /// Writes one row of the current table; once the sheet holds its limit of rows, the
    /// table continues on a new sheet named `name (2)`, `name (3)`…, header first.
    ///
    /// A row may be shorter than the header; a longer one is written whole, beyond the
    /// declared columns. Fails with [`OdfError::NoTable`] before any `start_table`.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), OdfError> {
        let Some(table) = self.table.as_ref() else {
            return Err(OdfError::NoTable);
        };
        if table.rows >= self.rows_per_sheet {
            self.end_sheet()?;
            if let Some(mut table) = self.table.take() {
                table.part += 1;
                table.rows = 0;
                self.start_sheet(table)?;
            }
        }
        self.buffer.clear();
        push_row(&mut self.buffer, cells);
        self.package.write_all(self.buffer.as_bytes())?;
        if let Some(table) = self.table.as_mut() {
            table.rows += 1;
        }
        Ok(())
    }

    /// Ends the last table, closes `content.xml`, writes the manifest and returns the
    /// writer. A spreadsheet with no table gets one empty sheet, as ODF requires.
    pub fn finish(mut self) -> Result<W, OdfError> {
        self.end_sheet()?;
        self.table = None;
        if !self.any_sheet {
            let name = self.names.claim("Feuille", 1);
            self.buffer.clear();
            push_sheet_start(&mut self.buffer, &name, 1);
            self.buffer
                .push_str("<table:table-row><table:table-cell/></table:table-row>");
            self.buffer.push_str("</table:table>");
            self.package.write_all(self.buffer.as_bytes())?;
        }
        self.package
            .write_all(b"</office:spreadsheet></office:body></office:document-content>")?;
        self.package.finish()
    }

    /// Opens a sheet for `table` (its part decides the name) and writes the header row.
    fn start_sheet(&mut self, mut table: OpenTable) -> Result<(), OdfError> {
        let name = self.names.claim(&table.requested, table.part);
        self.buffer.clear();
        push_sheet_start(&mut self.buffer, &name, table.columns.len());
        self.buffer
            .push_str("<table:table-header-rows><table:table-row>");
        for column in &table.columns {
            self.buffer
                .push_str(r#"<table:table-cell table:style-name="ce_header" office:value-type="string"><text:p>"#);
            push_text(&mut self.buffer, &neutralise(column), "</text:p><text:p>");
            self.buffer.push_str("</text:p></table:table-cell>");
        }
        if table.columns.is_empty() {
            self.buffer.push_str("<table:table-cell/>");
        }
        self.buffer
            .push_str("</table:table-row></table:table-header-rows>");
        self.package.write_all(self.buffer.as_bytes())?;
        table.rows = 1;
        self.table = Some(table);
        self.any_sheet = true;
        Ok(())
    }

    /// Closes the current sheet's table element, keeping the table for a continuation.
    fn end_sheet(&mut self) -> Result<(), OdfError> {
        if self.table.is_some() {
            self.package.write_all(b"</table:table>")?;
        }
        Ok(())
    }
}

/// Pushes the opening of a sheet named `name` (already valid) with `columns` columns.
fn push_sheet_start(out: &mut String, name: &str, columns: usize) {
    out.push_str(r#"<table:table table:name=""#);
    push_escaped(out, name);
    out.push_str(r#""><table:table-column table:number-columns-repeated=""#);
    out.push_str(&columns.max(1).to_string());
    out.push_str(r#""/>"#);
}

/// Pushes one data row.
fn push_row(out: &mut String, cells: &[Cell]) {
    out.push_str("<table:table-row>");
    for cell in cells {
        push_cell(out, cell);
    }
    if cells.is_empty() {
        out.push_str("<table:table-cell/>");
    }
    out.push_str("</table:table-row>");
}

/// Pushes one cell with its ODF value type, and the text a reader without types shows.
fn push_cell(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Empty => out.push_str("<table:table-cell/>"),
        Cell::Text(text) => {
            out.push_str(r#"<table:table-cell office:value-type="string"><text:p>"#);
            // Lines become paragraphs of the cell, as LibreOffice writes them.
            push_text(out, &neutralise(text), "</text:p><text:p>");
            out.push_str("</text:p></table:table-cell>");
        }
        Cell::Integer(n) => push_float(out, &n.to_string()),
        Cell::Decimal(x) if x.is_finite() => push_float(out, &format_decimal(*x)),
        // NaN and infinities have no spreadsheet value; CSV writes them empty too.
        Cell::Decimal(_) => out.push_str("<table:table-cell/>"),
        Cell::Bool(b) => {
            let value = if *b { "true" } else { "false" };
            out.push_str(r#"<table:table-cell office:value-type="boolean" office:boolean-value=""#);
            out.push_str(value);
            out.push_str(r#""><text:p>"#);
            out.push_str(value);
            out.push_str("</text:p></table:table-cell>");
        }
        Cell::Instant(t) => {
            out.push_str(r#"<table:table-cell table:style-name="ce_instant" office:value-type="date" office:date-value=""#);
            out.push_str(&odf_date_time(*t));
            out.push_str(r#""><text:p>"#);
            push_escaped(out, &cell.display());
            out.push_str("</text:p></table:table-cell>");
        }
        Cell::Date(_) => {
            let day = cell.display();
            out.push_str(r#"<table:table-cell table:style-name="ce_day" office:value-type="date" office:date-value=""#);
            out.push_str(&day);
            out.push_str(r#""><text:p>"#);
            out.push_str(&day);
            out.push_str("</text:p></table:table-cell>");
        }
    }
}

/// Pushes a number cell whose value and text are `number` (digits, `-`, `.`, `e`).
fn push_float(out: &mut String, number: &str) {
    out.push_str(r#"<table:table-cell office:value-type="float" office:value=""#);
    out.push_str(number);
    out.push_str(r#""><text:p>"#);
    out.push_str(number);
    out.push_str("</text:p></table:table-cell>");
}

/// The `styles.xml` part: the default cell style the automatic styles derive from, in
/// French.
fn styles_xml() -> String {
    let mut out = String::with_capacity(1024);
    out.push_str(DECLARATION);
    out.push_str("<office:document-styles ");
    out.push_str(NAMESPACES);
    out.push_str(r#" office:version=""#);
    out.push_str(ODF_VERSION);
    out.push_str(r#""><office:styles>"#);
    out.push_str(r#"<style:default-style style:family="table-cell"><style:text-properties fo:language="fr" fo:country="FR"/></style:default-style>"#);
    out.push_str(r#"<style:style style:name="Default" style:family="table-cell"/>"#);
    out.push_str("</office:styles></office:document-styles>");
    out
}

#[cfg(test)]
#[path = "ods_tests.rs"]
mod tests;
