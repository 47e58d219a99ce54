//! Editable text documents (`.odt`) written from a [`Document`]: the commission's
//! report and the doctrine revision, which the commission then edits in its office
//! suite.
//!
//! Paragraphs use the named styles of `styles.xml` (see `odt_styles`), never direct
//! formatting, so that the document stays easy to restyle.

use std::io::{Seek, Write};

use time::OffsetDateTime;

use super::document::{Block, Document, Span};
use super::odt_styles::styles_xml;
use super::package::Package;
use super::xml::{meta_xml, push_escaped, push_text, DECLARATION, NAMESPACES, ODF_VERSION};
use super::OdfError;

/// The media type of a text document.
pub const MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

/// What a line feed inside a span becomes.
const LINE_BREAK: &str = "<text:line-break/>";

/// The automatic styles of `content.xml`: tables across the text width, with ruled
/// cells.
const AUTOMATIC_STYLES: &str = concat!(
    "<office:automatic-styles>",
    r#"<style:style style:name="T_table" style:family="table"><style:table-properties style:width="17cm" table:align="margins"/></style:style>"#,
    r#"<style:style style:name="T_cell" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #000000"/></style:style>"#,
    "</office:automatic-styles>",
);

/// Writes `document` as an OpenDocument text into `writer`, dated `modified`, and
/// returns the writer; the same document and date give the same bytes.
pub fn write_odt<W: Write + Seek>(
    document: &Document,
    writer: W,
    modified: OffsetDateTime,
) -> Result<W, OdfError> {
    let mut package = Package::create(writer, MIMETYPE, modified)?;
    package
        .start_entry("meta.xml", "text/xml")?
        .write_all(meta_xml(&document.title, &document.language, modified).as_bytes())?;
    package
        .start_entry("styles.xml", "text/xml")?
        .write_all(styles_xml(&document.language).as_bytes())?;
    let content = package.start_entry("content.xml", "text/xml")?;
    let mut out = String::with_capacity(4096);
    out.push_str(DECLARATION);
    out.push_str("<office:document-content ");
    out.push_str(NAMESPACES);
    out.push_str(r#" office:version=""#);
    out.push_str(ODF_VERSION);
    out.push_str(r#"">"#);
    out.push_str(AUTOMATIC_STYLES);
    out.push_str("<office:body><office:text>");
    // One block at a time, so that a long report is not held twice in memory.
    let mut tables = 0usize;
    for block in &document.blocks {
        push_block(&mut out, block, &mut tables);
        content.write_all(out.as_bytes())?;
        out.clear();
    }
    out.push_str("</office:text></office:body></office:document-content>");
    content.write_all(out.as_bytes())?;
    package.finish()
}

/// Pushes one block; `tables` counts the tables so far, for their names.
fn push_block(out: &mut String, block: &Block, tables: &mut usize) {
    match block {
        Block::Heading { level, text } => {
            let level = (*level).clamp(1, 6);
            out.push_str(&format!(
                r#"<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">"#
            ));
            push_spans(out, text);
            out.push_str("</text:h>");
        }
        Block::Paragraph(spans) => push_paragraph(out, "Text_20_body", spans),
        Block::Quote(spans) => push_paragraph(out, "Quotations", spans),
        Block::List(items) => {
            if items.is_empty() {
                return;
            }
            out.push_str(r#"<text:list text:style-name="List_20_1">"#);
            for item in items {
                out.push_str("<text:list-item>");
                push_paragraph(out, "List", item);
                out.push_str("</text:list-item>");
            }
            out.push_str("</text:list>");
        }
        Block::Table { header, rows } => {
            let columns = rows.iter().map(Vec::len).fold(header.len(), usize::max);
            if columns == 0 {
                return;
            }
            *tables += 1;
            out.push_str(&format!(
                r#"<table:table table:name="Tableau{tables}" table:style-name="T_table"><table:table-column table:number-columns-repeated="{columns}"/>"#
            ));
            if !header.is_empty() {
                out.push_str("<table:table-header-rows>");
                push_table_row(out, header, columns, "Table_20_Heading");
                out.push_str("</table:table-header-rows>");
            }
            for row in rows {
                push_table_row(out, row, columns, "Table_20_Contents");
            }
            out.push_str("</table:table>");
        }
    }
}

/// Pushes a paragraph of style `style`.
fn push_paragraph(out: &mut String, style: &str, spans: &[Span]) {
    out.push_str(r#"<text:p text:style-name=""#);
    out.push_str(style);
    out.push_str(r#"">"#);
    push_spans(out, spans);
    out.push_str("</text:p>");
}

/// Pushes a table row of `columns` cells, the missing ones empty.
fn push_table_row(out: &mut String, cells: &[String], columns: usize, style: &str) {
    out.push_str("<table:table-row>");
    for n in 0..columns {
        out.push_str(r#"<table:table-cell table:style-name="T_cell" office:value-type="string"><text:p text:style-name=""#);
        out.push_str(style);
        out.push_str(r#"">"#);
        if let Some(text) = cells.get(n) {
            push_text(out, text, LINE_BREAK);
        }
        out.push_str("</text:p></table:table-cell>");
    }
    out.push_str("</table:table-row>");
}

/// Pushes runs of text, each in its character style.
fn push_spans(out: &mut String, spans: &[Span]) {
    for span in spans {
        match span {
            Span::Text(text) => push_text(out, text, LINE_BREAK),
            Span::Strong(text) => push_styled(out, "Strong_20_Emphasis", text),
            Span::Emphasis(text) => push_styled(out, "Emphasis", text),
            Span::Inserted(text) => push_styled(out, "Inserted", text),
            Span::Deleted(text) => push_styled(out, "Deleted", text),
            Span::Link { text, href } if is_safe_link(href) => {
                out.push_str(r#"<text:a xlink:type="simple" xlink:href=""#);
                push_escaped(out, href.trim());
                out.push_str(r#"" text:style-name="Internet_20_link" text:visited-style-name="Visited_20_Internet_20_Link">"#);
                push_text(out, text, LINE_BREAK);
                out.push_str("</text:a>");
            }
            Span::Link { text, .. } => push_text(out, text, LINE_BREAK),
        }
    }
}

/// Pushes `text` in the character style `style`.
fn push_styled(out: &mut String, style: &str, text: &str) {
    out.push_str(r#"<text:span text:style-name=""#);
    out.push_str(style);
    out.push_str(r#"">"#);
    push_text(out, text, LINE_BREAK);
    out.push_str("</text:span>");
}

/// Whether `href` is a web or mail address, the only links a report needs; anything
/// else could make the office suite run or open something when clicked.
fn is_safe_link(href: &str) -> bool {
    let href = href.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| href.starts_with(scheme))
}

#[cfg(test)]
#[path = "odt_tests.rs"]
mod tests;
