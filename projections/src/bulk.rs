//! Bulk upserts into PostgreSQL: one prepared `INSERT … SELECT … FROM unnest(…)
//! ON CONFLICT DO UPDATE` per table, each column sent as one binary array parameter, so
//! a batch costs one statement per table whatever its size, and the statements of a
//! batch can be pipelined in one round trip.
//!
//! Why not COPY into a temporary table then `INSERT … SELECT`: that is three statements
//! and as many round trips per table (and the rows written twice); the arrays reach
//! the same binary encoding in one statement that is prepared once per connection.

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{to_sql_checked, IsNull, Kind, ToSql, Type};
use tokio_postgres::{Client, Statement, Transaction};

use crate::error::ProjectionError;

/// One column of a bulk-written table.
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// Its PostgreSQL type. For an array-typed column (`text[]`, `uuid[]`), the cells
    /// are JSON arrays (`serde_json::Value`) of the elements' text, converted in SQL:
    /// an array of arrays of different lengths cannot be one parameter.
    pub sql_type: Type,
}

impl Column {
    /// A column `name` of type `sql_type`.
    pub fn new(name: &'static str, sql_type: Type) -> Self {
        Self { name, sql_type }
    }
}

/// A boxed SQL value of one cell.
pub type Cell = Box<dyn ToSql + Sync + Send>;

/// A table written in bulk: its name, columns, and the key its upsert conflicts on.
pub struct Table {
    /// The table's name (in the target's schema).
    pub name: &'static str,
    /// Its columns, in the order the rows' cells come in.
    pub columns: Vec<Column>,
    /// The primary key's columns; empty for an append-only table, whose rows are only
    /// inserted (`ON CONFLICT DO NOTHING` on any unique constraint).
    pub key: &'static [&'static str],
}

impl Table {
    /// The element type each column travels as (JSONB for array-typed columns).
    fn element_types(&self) -> Vec<Type> {
        self.columns
            .iter()
            .map(|c| match c.sql_type.kind() {
                Kind::Array(_) => Type::JSONB,
                _ => c.sql_type.clone(),
            })
            .collect()
    }

    /// The upsert, with one array parameter per column.
    fn upsert_sql(&self, schema: &str) -> (String, Vec<Type>) {
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        let list = names.join(", ");
        let elements = self.element_types();
        let mut params = Vec::new();
        let mut types = Vec::new();
        for (n, element) in elements.iter().enumerate() {
            let array = array_type(element);
            params.push(format!("${}::{}", n + 1, array.name()));
            types.push(array);
        }
        let exprs: Vec<String> = self
            .columns
            .iter()
            .map(|c| match c.sql_type.kind() {
                Kind::Array(element) => format!(
                    "ARRAY(SELECT jsonb_array_elements_text(t.{0}))::{1}[]",
                    c.name,
                    element.name()
                ),
                _ => format!("t.{}", c.name),
            })
            .collect();
        let updates: Vec<String> = names
            .iter()
            .filter(|n| !self.key.contains(n))
            .map(|n| format!("{n} = EXCLUDED.{n}"))
            .collect();
        let conflict = if self.key.is_empty() {
            "DO NOTHING".to_owned()
        } else if updates.is_empty() {
            format!("({}) DO NOTHING", self.key.join(", "))
        } else {
            format!(
                "({}) DO UPDATE SET {}",
                self.key.join(", "),
                updates.join(", ")
            )
        };
        let sql = format!(
            "INSERT INTO {schema}.{table} ({list}) SELECT {exprs} FROM unnest({params}) AS t({list}) ON CONFLICT {conflict}",
            table = self.name,
            exprs = exprs.join(", "),
            params = params.join(", "),
        );
        (sql, types)
    }
}

/// The array type of an element type this module sends.
fn array_type(element: &Type) -> Type {
    match *element {
        Type::UUID => Type::UUID_ARRAY,
        Type::TEXT => Type::TEXT_ARRAY,
        Type::INT4 => Type::INT4_ARRAY,
        Type::INT8 => Type::INT8_ARRAY,
        Type::BOOL => Type::BOOL_ARRAY,
        Type::JSONB => Type::JSONB_ARRAY,
        Type::TIMESTAMPTZ => Type::TIMESTAMPTZ_ARRAY,
        ref other => panic!("type de colonne non prévu pour l'écriture en bloc : {other}"),
    }
}

/// A table's upsert, prepared once on a connection.
pub struct Upsert {
    statement: Statement,
    element_types: Vec<Type>,
}

impl Upsert {
    /// Prepares the upsert of `table` in `schema` on `client`.
    pub async fn prepare(
        client: &Client,
        schema: &str,
        table: &Table,
    ) -> Result<Self, ProjectionError> {
        let (sql, types) = table.upsert_sql(schema);
        Ok(Self {
            statement: client.prepare_typed(&sql, &types).await?,
            element_types: table.element_types(),
        })
    }

    /// The parameters that upsert `rows` (cells in the table's column order): one array
    /// per column. `None` when there is nothing to write.
    pub fn parameters<'a>(&self, rows: &'a [Vec<Cell>]) -> Option<Vec<ColumnArray<'a>>> {
        if rows.is_empty() {
            return None;
        }
        Some(
            self.element_types
                .iter()
                .enumerate()
                .map(|(n, element)| ColumnArray {
                    element: element.clone(),
                    cells: rows.iter().map(|row| row[n].as_ref()).collect(),
                })
                .collect(),
        )
    }

    /// Runs the upsert with `parameters` (from [`Upsert::parameters`]) in `transaction`.
    /// Several calls may be awaited together: tokio-postgres pipelines them.
    pub async fn execute(
        &self,
        transaction: &Transaction<'_>,
        parameters: &[ColumnArray<'_>],
    ) -> Result<u64, ProjectionError> {
        let params: Vec<&(dyn ToSql + Sync)> = parameters
            .iter()
            .map(|p| p as &(dyn ToSql + Sync))
            .collect();
        Ok(transaction.execute(&self.statement, &params).await?)
    }
}

/// One column of a batch, encoded as a one-dimensional PostgreSQL array (binary
/// format) whose elements are the cells' own encodings.
#[derive(Debug)]
pub struct ColumnArray<'a> {
    element: Type,
    cells: Vec<&'a (dyn ToSql + Sync + Send)>,
}

impl ToSql for ColumnArray<'_> {
    fn to_sql(
        &self,
        _array: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        // The binary array format: dimensions, a has-nulls flag (PostgreSQL recomputes
        // it), the element type, then each dimension's length and lower bound, then
        // each element as a length (-1 for NULL) and its bytes.
        out.put_i32(1);
        out.put_i32(0);
        out.put_u32(self.element.oid());
        out.put_i32(i32::try_from(self.cells.len())?);
        out.put_i32(1);
        for cell in &self.cells {
            let start = out.len();
            out.put_i32(0);
            let length = match cell.to_sql_checked(&self.element, out)? {
                IsNull::Yes => -1,
                IsNull::No => i32::try_from(out.len() - start - 4)?,
            };
            out[start..start + 4].copy_from_slice(&length.to_be_bytes());
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(ty.kind(), Kind::Array(_))
    }

    to_sql_checked!();
}
