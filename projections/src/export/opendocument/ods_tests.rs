//! Tests of the spreadsheet writer, reading the archive and its XML back.

use std::io::Cursor;

use time::macros::datetime;

use super::super::test_support::{
    assert_well_formed, attributes_of, entry_names, read_entry, texts_of,
};
use super::*;

const AT: OffsetDateTime = datetime!(2026-03-01 10:30 +01:00);

/// The text that exercises escaping, white space and the formula guard at once.
const TRICKY: &str = "=\"1+1\" <&> l'avis\nsuite\tcolonne  deux   trois 🙂 مرحبا بالعالم";

fn spreadsheet(rows_per_sheet: u32, data_rows: usize) -> Vec<u8> {
    let writer = SpreadsheetWriter::create(Cursor::new(Vec::new()), "Synthèse « test »", AT)
        .unwrap()
        .with_rows_per_sheet(rows_per_sheet);
    let mut writer = writer;
    writer
        .start_table("Avis", &["n°", "texte", "=part"])
        .unwrap();
    for n in 0..data_rows {
        writer
            .row(&[
                Cell::Integer(n as i64),
                Cell::text(TRICKY),
                Cell::Decimal(0.25),
            ])
            .unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn the_package_holds_the_parts_in_order_with_the_spreadsheet_mimetype() {
    let bytes = spreadsheet(MAX_ROWS_PER_SHEET, 1);
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..38 + MIMETYPE.len()], MIMETYPE.as_bytes());
    assert_eq!(
        entry_names(&bytes),
        [
            "mimetype",
            "meta.xml",
            "styles.xml",
            "content.xml",
            "META-INF/manifest.xml"
        ]
    );
    let manifest = read_entry(&bytes, "META-INF/manifest.xml");
    assert_eq!(
        attributes_of(&manifest, "manifest:file-entry", "manifest:full-path"),
        ["/", "meta.xml", "styles.xml", "content.xml"]
    );
    for part in [
        "content.xml",
        "styles.xml",
        "meta.xml",
        "META-INF/manifest.xml",
    ] {
        assert_well_formed(&read_entry(&bytes, part));
    }
}

#[test]
fn meta_records_title_generator_and_date() {
    let meta = read_entry(&spreadsheet(MAX_ROWS_PER_SHEET, 0), "meta.xml");
    assert_eq!(texts_of(&meta, "dc:title"), ["Synthèse « test »"]);
    assert_eq!(texts_of(&meta, "meta:generator"), ["Concerto"]);
    assert_eq!(texts_of(&meta, "dc:date"), ["2026-03-01T09:30:00"]);
    assert_eq!(
        texts_of(&meta, "meta:creation-date"),
        ["2026-03-01T09:30:00"]
    );
}

#[test]
fn two_writes_are_byte_identical() {
    assert_eq!(spreadsheet(3, 7), spreadsheet(3, 7));
}

#[test]
fn text_reads_back_neutralised_and_header_too() {
    let content = read_entry(&spreadsheet(MAX_ROWS_PER_SHEET, 1), "content.xml");
    let cells = texts_of(&content, "table:table-cell");
    assert_eq!(cells.len(), 6);
    assert_eq!(cells[..3], ["n°", "texte", "'=part"]);
    assert_eq!(cells[3], "0");
    assert_eq!(cells[4], format!("'{TRICKY}"));
    assert_eq!(cells[5], "0.25");
}

#[test]
fn forbidden_characters_are_dropped() {
    let mut writer = SpreadsheetWriter::create(Cursor::new(Vec::new()), "t", AT).unwrap();
    writer.start_table("t", &["a"]).unwrap();
    writer
        .row(&[Cell::text("a\u{0}b\u{1b}c\u{ffff}d")])
        .unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    let content = read_entry(&bytes, "content.xml");
    assert_well_formed(&content);
    assert_eq!(texts_of(&content, "table:table-cell")[1], "abcd");
}

#[test]
fn cells_keep_their_types() {
    let mut writer = SpreadsheetWriter::create(Cursor::new(Vec::new()), "t", AT).unwrap();
    writer
        .start_table("Types", &["a", "b", "c", "d", "e", "f"])
        .unwrap();
    writer
        .row(&[
            Cell::Integer(-42),
            Cell::Decimal(1.5),
            Cell::Bool(true),
            Cell::Instant(datetime!(2026-03-01 10:30:15 +01:00)),
            Cell::Empty,
            Cell::Decimal(f64::NAN),
        ])
        .unwrap();
    let content = read_entry(&writer.finish().unwrap().into_inner(), "content.xml");
    let types = attributes_of(&content, "table:table-cell", "office:value-type");
    assert_eq!(
        types,
        [
            "string", "string", "string", "string", "string", "string", "float", "float",
            "boolean", "date"
        ]
    );
    assert_eq!(
        attributes_of(&content, "table:table-cell", "office:value"),
        ["-42", "1.5"]
    );
    assert_eq!(
        attributes_of(&content, "table:table-cell", "office:boolean-value"),
        ["true"]
    );
    assert_eq!(
        attributes_of(&content, "table:table-cell", "office:date-value"),
        ["2026-03-01T09:30:15"]
    );
    let cells = texts_of(&content, "table:table-cell");
    assert_eq!(
        cells[6..],
        ["-42", "1.5", "true", "2026-03-01T09:30:15Z", "", ""]
    );
}

#[test]
fn a_long_table_continues_on_numbered_sheets_with_the_header() {
    // Three rows a sheet, header included: 5 data rows make 2 + 2 + 1.
    let content = read_entry(&spreadsheet(3, 5), "content.xml");
    assert_eq!(
        attributes_of(&content, "table:table", "table:name"),
        ["Avis", "Avis (2)", "Avis (3)"]
    );
    let sheets: Vec<&str> = content.split("<table:table ").skip(1).collect();
    let rows: Vec<usize> = sheets
        .iter()
        .map(|s| s.matches("<table:table-row>").count())
        .collect();
    assert_eq!(rows, [3, 3, 2]);
    for sheet in &sheets {
        assert_eq!(sheet.matches("<table:table-header-rows>").count(), 1);
    }
    // Three cells a row: the headers open each sheet, at rows 0, 3 and 6.
    let cells = texts_of(&content, "table:table-cell");
    assert_eq!(cells.len(), 8 * 3);
    for first in [0, 9, 18] {
        assert_eq!(
            cells[first..first + 3],
            ["n°", "texte", "'=part"],
            "at {first}"
        );
    }
    let numbers: Vec<String> = attributes_of(&content, "table:table-cell", "office:value");
    let numbers: Vec<&str> = numbers
        .iter()
        .map(String::as_str)
        .filter(|v| *v != "0.25")
        .collect();
    assert_eq!(numbers, ["0", "1", "2", "3", "4"]);
}

#[test]
fn exactly_full_sheets_do_not_open_an_empty_one() {
    let content = read_entry(&spreadsheet(3, 4), "content.xml");
    assert_eq!(
        attributes_of(&content, "table:table", "table:name"),
        ["Avis", "Avis (2)"]
    );
}

#[test]
fn several_tables_get_valid_unique_names() {
    let mut writer = SpreadsheetWriter::create(Cursor::new(Vec::new()), "t", AT).unwrap();
    writer.start_table("Avis: oui/non?", &["a"]).unwrap();
    writer.start_table("avis_ oui_non_", &["a"]).unwrap();
    writer.start_table("", &[]).unwrap();
    writer.row(&[]).unwrap();
    let content = read_entry(&writer.finish().unwrap().into_inner(), "content.xml");
    assert_well_formed(&content);
    assert_eq!(
        attributes_of(&content, "table:table", "table:name"),
        ["Avis_ oui_non_", "avis_ oui_non_ (2)", "Feuille"]
    );
}

#[test]
fn rows_need_a_table_and_an_empty_spreadsheet_still_has_a_sheet() {
    let mut writer = SpreadsheetWriter::create(Cursor::new(Vec::new()), "t", AT).unwrap();
    assert!(matches!(writer.row(&[Cell::Empty]), Err(OdfError::NoTable)));
    let content = read_entry(&writer.finish().unwrap().into_inner(), "content.xml");
    assert_well_formed(&content);
    assert_eq!(
        attributes_of(&content, "table:table", "table:name"),
        ["Feuille"]
    );
}
