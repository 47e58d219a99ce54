//! JSON files of the open-data tables (an array of objects, keys in column order) and
//! their JSON Schemas (draft 2020-12), generated from the same table definitions.
//!
//! JSON is not a spreadsheet: text is written as it is, never neutralised.

use std::io::Write;

use serde_json::{json, Value};

use super::cell::{format_decimal, iso_date, rfc3339};
use super::tables::{ColumnType, TableDef};
use super::{Cell, ExportError};

/// A JSON array writer for one table, one object per row.
pub struct JsonTable<W: Write> {
    out: W,
    table: &'static TableDef,
    rows: u64,
}

impl<W: Write> JsonTable<W> {
    /// Starts the array.
    pub fn start(mut out: W, table: &'static TableDef) -> Result<Self, ExportError> {
        out.write_all(b"[")?;
        Ok(Self {
            out,
            table,
            rows: 0,
        })
    }

    /// Writes one row as an object.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        self.out
            .write_all(if self.rows == 0 { b"\n{" } else { b",\n{" })?;
        for (i, (column, cell)) in self.table.columns.iter().zip(cells).enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            serde_json::to_writer(&mut self.out, column.name)?;
            self.out.write_all(b":")?;
            write_cell(&mut self.out, cell)?;
        }
        self.out.write_all(b"}")?;
        self.rows += 1;
        Ok(())
    }

    /// Closes the array and returns the output.
    pub fn finish(mut self) -> Result<W, ExportError> {
        self.out
            .write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
        Ok(self.out)
    }
}

/// Writes a cell as JSON, without building a [`Value`] for it.
fn write_cell(out: &mut impl Write, cell: &Cell) -> Result<(), ExportError> {
    match cell {
        Cell::Empty => out.write_all(b"null")?,
        Cell::Text(t) => serde_json::to_writer(out, t.as_str())?,
        Cell::Integer(n) => serde_json::to_writer(out, n)?,
        Cell::Decimal(x) if x.is_finite() => {
            // The same shortest form as CSV, read back as a JSON number.
            let number: Value = serde_json::from_str(&format_decimal(*x)).unwrap_or(Value::Null);
            serde_json::to_writer(out, &number)?
        }
        Cell::Decimal(_) => out.write_all(b"null")?,
        Cell::Bool(b) => serde_json::to_writer(out, b)?,
        Cell::Instant(t) => serde_json::to_writer(out, &rfc3339(*t))?,
        Cell::Date(d) => serde_json::to_writer(out, &iso_date(*d))?,
    }
    Ok(())
}

/// The JSON Schema of a table's JSON file.
pub fn schema(table: &TableDef) -> Value {
    let mut properties = serde_json::Map::new();
    for column in table.columns {
        let (kind, format) = match column.kind {
            ColumnType::Text => ("string", None),
            ColumnType::Integer => ("integer", None),
            ColumnType::Decimal => ("number", None),
            ColumnType::Bool => ("boolean", None),
            ColumnType::Instant => ("string", Some("date-time")),
            ColumnType::Date => ("string", Some("date")),
        };
        let mut property = serde_json::Map::new();
        property.insert(
            "type".into(),
            if column.optional {
                json!([kind, "null"])
            } else {
                json!(kind)
            },
        );
        if let Some(format) = format {
            property.insert("format".into(), json!(format));
        }
        property.insert("description".into(), json!(column.description));
        properties.insert(column.name.into(), Value::Object(property));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": table.title,
        "description": table.description,
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": table.columns.iter().map(|c| c.name).collect::<Vec<_>>(),
            "properties": properties,
        }
    })
}
