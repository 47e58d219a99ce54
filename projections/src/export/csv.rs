//! CSV files of the open-data tables (RFC 4180, UTF-8), and the column dictionary.
//!
//! By default: `,` between fields, CRLF between records, fields quoted when needed.
//! With [`CsvFlavour::Excel`]: a byte-order mark and `;`, as French Excel expects to
//! open a file by double-click. Text that would start a formula is neutralised
//! ([`super::cell::neutralise`]) in both.

use std::io::Write;

use super::tables::TableDef;
use super::{Cell, ExportError};

/// Which CSV dialect to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvFlavour {
    /// RFC 4180: `,`, no byte-order mark.
    #[default]
    Standard,
    /// French Excel: byte-order mark and `;`.
    Excel,
}

/// A CSV writer for one table.
pub struct CsvTable<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvTable<W> {
    /// Starts a table: the byte-order mark if asked, then the header row.
    pub fn start(mut out: W, table: &TableDef, flavour: CsvFlavour) -> Result<Self, ExportError> {
        let delimiter = match flavour {
            CsvFlavour::Standard => b',',
            CsvFlavour::Excel => {
                out.write_all("\u{feff}".as_bytes())?;
                b';'
            }
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(table.columns.iter().map(|c| c.name))?;
        Ok(Self { writer })
    }

    /// Writes one row, each field straight from its cell (no copy of a text cell).
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        for cell in cells {
            self.writer.write_field(cell.display().as_bytes())?;
        }
        // An empty record ends the one the fields above started.
        self.writer.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(self) -> Result<W, ExportError> {
        self.writer
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }
}

/// The column dictionary: one row per column of every table.
pub fn write_dictionary<W: Write>(
    out: W,
    tables: &[&TableDef],
    flavour: CsvFlavour,
) -> Result<W, ExportError> {
    let mut writer = CsvTable::start(out, &DICTIONARY, flavour)?;
    for table in tables {
        for column in table.columns {
            writer.row(&[
                Cell::text(table.name),
                Cell::text(column.name),
                Cell::text(column.kind.label()),
                Cell::Bool(column.optional),
                Cell::text(column.description),
            ])?;
        }
    }
    writer.finish()
}

/// The dictionary's own columns.
const DICTIONARY: TableDef = TableDef {
    name: "dictionnaire_des_colonnes",
    title: "Dictionnaire des colonnes",
    description: "Une ligne par colonne de chaque table.",
    columns: &[
        super::tables::col("table", super::tables::ColumnType::Text, "Le fichier."),
        super::tables::col("colonne", super::tables::ColumnType::Text, "La colonne."),
        super::tables::col("type", super::tables::ColumnType::Text, "Son type."),
        super::tables::col(
            "facultative",
            super::tables::ColumnType::Bool,
            "Si elle peut être vide.",
        ),
        super::tables::col(
            "description",
            super::tables::ColumnType::Text,
            "Ce qu'elle contient.",
        ),
    ],
};
